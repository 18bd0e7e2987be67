"""Analyst outputs built from records: table rows (``rows``), CSV files (``csvfile``), Excel workbooks (``xlsxfile``), the HTML report (``report``).

Pure: functions of record dicts and paths, no Scrapy.  Used by ``zonecrawler export`` /
``zonecrawler report`` and by the CSV feed exporter of a crawl.
"""
