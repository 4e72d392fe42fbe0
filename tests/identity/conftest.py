"""The identity world fixture (see support.identity_world)."""

from support.identity_world import world  # noqa: F401  (fixture)
