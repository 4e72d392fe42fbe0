"""Fixtures of the hardening tests; the helpers live in ``hardening_helpers``."""

from __future__ import annotations

import sys
from pathlib import Path

# The hardening tests import their helpers by module name (tests use --import-mode=importlib).
sys.path.insert(0, str(Path(__file__).parent))

from support.hardening import cli_env, make_app  # noqa: F401  (fixtures)
