import sys

from arena_check.cli import main

sys.exit(main())
