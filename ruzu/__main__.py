"""``python -m ruzu …``: the command line (the same as ``ruzu-import …``)."""

import sys

from .cli import main

sys.exit(main())
