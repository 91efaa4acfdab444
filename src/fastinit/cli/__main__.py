"""``python -m fastinit.cli``: the same as the ``fastinit`` command."""

import sys

from . import main

sys.exit(main())
