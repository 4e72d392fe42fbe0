"""``python -m bot`` is ``paperbot``."""

import sys

from bot.cli import main

sys.exit(main())
