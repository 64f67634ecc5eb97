"""``python -m ruzu.cli …``: the same as ``ruzu-import …``."""

import sys

from . import main

sys.exit(main())
