"""Full-scale (``slow``) contract runs are skipped unless ``RUZU_SLOW=1`` (the hook is in
``tests/conftest.py``): CI runs plain ``pytest``, and the 1 GB / 5 GB imports take many minutes
and tens of GB of disk."""
