"""``python -m fastinit``: the same as the ``fastinit`` command."""

import sys

from .cli import main

sys.exit(main())
