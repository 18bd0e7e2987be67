"""investchn.com (投促中国): the registry's ``investchn`` entry under its own spider name.

``scrapy crawl investchn [-a base_url=http://127.0.0.1:PORT]``. All of the site's
selectors and URL patterns live in ``zonecrawler/sites/investchn.toml``.
"""

from zonecrawler.crawl.spiders.sites import SiteSpider


class InvestchnSpider(SiteSpider):
    name = "investchn"
    fixed_site = "investchn"
