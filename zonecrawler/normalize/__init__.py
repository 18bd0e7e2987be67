"""Normalizers: dates, URLs and ids, source/author/editor, zone names, whitespace and paragraphs. No Scrapy."""
