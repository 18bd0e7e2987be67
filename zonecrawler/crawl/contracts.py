"""``scrapy check`` contracts.

``@mirror`` rewrites a contract's ``@url`` to the origin in ``$ZONECRAWLER_BASE_URL``
so the same contracts run against the offline fixture mirror; without the variable
the real site is used.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from scrapy.contracts import Contract

ENV_BASE_URL = "ZONECRAWLER_BASE_URL"


class MirrorContract(Contract):
    """@mirror: fetch the @url from $ZONECRAWLER_BASE_URL's origin when it is set."""

    name = "mirror"

    def adjust_request_args(self, args: dict) -> dict:
        base = os.environ.get(ENV_BASE_URL)
        if base and "url" in args:
            origin = urlsplit(base)
            args["url"] = urlsplit(args["url"])._replace(scheme=origin.scheme, netloc=origin.netloc).geturl()
        return args
