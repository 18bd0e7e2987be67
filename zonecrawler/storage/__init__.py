"""Disk state, without Scrapy: the article store, the run's ledger and staging file, JOBDIR
bookkeeping, the raw page archive, and crash-safe file operations.
"""
