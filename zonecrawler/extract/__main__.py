"""``python -m zonecrawler.extract PAGE.html``: the single-page command (it lives in :mod:`zonecrawler.cli.extract`)."""

import sys

from zonecrawler.cli.extract import main

sys.exit(main())
