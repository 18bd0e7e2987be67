"""zonecrawler: crawl Chinese development-zone news into normalized JSON records."""

__version__ = "0.1.0"
