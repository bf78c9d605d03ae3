"""``python -m benchmarks [W1 ...] [options]``: see :mod:`benchmarks.runner`."""
import sys

from .runner import main

sys.exit(main())
