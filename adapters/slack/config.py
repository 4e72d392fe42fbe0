"""The ``[slack]`` section, read at config load (``AdapterSpec.validate_section``): a pure
function of the TOML table that imports no Slack library, so ``paperbot lookup`` with a bad
``[slack]`` section fails at once with the key named, not when the adapter first starts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.config import SectionReader

USER_ID = re.compile(r"^[UW][A-Z0-9]+$")


@dataclass(frozen=True, slots=True)
class SlackSettings:
    """``[slack]`` as the adapter uses it."""

    mode: str = "socket"
    http_host: str = "127.0.0.1"
    http_port: int = 3000
    api_url: str = "https://slack.com/api/"
    #: "everyone", "admins", or the user ids that may manage subscriptions.
    manage: str | tuple[str, ...] = "everyone"
    #: HTTP mode: a connection that has not sent complete request headers within this many
    #: seconds is closed (slow-loris protection).
    header_timeout_seconds: float = 5.0


def read_slack(r: SectionReader) -> SlackSettings:
    """Check every ``[slack]`` key (unknown keys refused) and return the settings."""
    d = SlackSettings()
    mode = r.get("mode", str, d.mode)
    if mode not in ("socket", "http"):
        raise r.fail("mode", f'expected "socket" or "http", got {mode!r}')
    api_url = r.url("api_url", d.api_url) or d.api_url
    settings = SlackSettings(
        mode=mode,
        http_host=r.get("http_host", str, d.http_host),
        http_port=r.integer("http_port", d.http_port),
        api_url=api_url if api_url.endswith("/") else api_url + "/",
        manage=_manage_policy(r),
        header_timeout_seconds=r.number("header_timeout_seconds", d.header_timeout_seconds, 0.1),
    )
    r.done()
    return settings


def _manage_policy(r: SectionReader) -> str | tuple[str, ...]:
    raw = r.get("manage", (str, list), "everyone")
    if isinstance(raw, str):
        if raw not in ("everyone", "admins"):
            raise r.fail(
                "manage", f'expected "everyone", "admins" or a list of user ids, got {raw!r}'
            )
        return str(raw)
    ids = r.strings("manage", ())
    bad = [i for i in ids if not USER_ID.match(i)]
    if bad:
        raise r.fail("manage", f"expected Slack user ids like U0123ABCD, got {bad[0]!r}")
    return ids
