"""Spiders: they only crawl (list pages -> pagination -> article pages) and hand pages to the extractor."""
