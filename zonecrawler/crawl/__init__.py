"""Scrapy glue: spiders, items, pipelines, middlewares, extensions, feed storage and exporters.

Everything that needs Scrapy (or Twisted, scrapy-redis) lives here; it calls the pure
``zonecrawler.extract`` / ``zonecrawler.normalize`` code and keeps disk state through
``zonecrawler.storage``.
"""
