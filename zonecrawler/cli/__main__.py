"""``python -m zonecrawler.cli``: the same as the ``zonecrawler`` command."""

import sys

from zonecrawler.cli import main

sys.exit(main())
