#!/usr/bin/env python3
"""Bulk-load CSV files into a ruzu database; the same command as the ``ruzu-import`` script.

    python tools/import.py DBDIR --schema schema.cypher --nodes Person=persons.csv \
        --relationships Follows=follows.csv
    python tools/import.py demo            # generate a sample social graph and import it

Run ``python tools/import.py --help`` for every option.
"""

from __future__ import annotations

import os
import sys

try:
    from ruzu.cli import main
except ModuleNotFoundError:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from ruzu.cli import main

if __name__ == "__main__":
    sys.exit(main())
