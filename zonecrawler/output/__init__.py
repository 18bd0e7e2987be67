"""Analyst outputs built from records: flat table rows (``rows``), CSV files (``csvfile``), Excel workbooks (``xlsxfile``).

Pure: functions of record dicts and paths, no Scrapy.  Used by ``zonecrawler export`` and by
the CSV feed exporter of a crawl.
"""
