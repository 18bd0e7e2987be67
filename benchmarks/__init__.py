"""Benchmarks for zonecrawler: one command each (see benchmarks/README.md)."""
