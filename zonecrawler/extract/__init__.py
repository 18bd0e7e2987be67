"""Pure extraction: (url, html bytes or text) -> article fields. No Scrapy imports.

Use :func:`extract_article` for article pages and :func:`parse_listing` for list pages.
"""

from zonecrawler.extract.article import Extraction, extract_article
from zonecrawler.extract.listing import Listing, parse_listing

__all__ = ["Extraction", "Listing", "extract_article", "parse_listing"]
