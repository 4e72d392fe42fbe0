"""Slow-loris on the Slack HTTP port (#12 item 6), with the real ``paperbot run``.

Under ``ulimit -n 1024``, 1,000 connections send partial headers a byte a second (re-opened
whenever the server closes them) while 2,000 signed commands arrive: every command is
acknowledged within Slack's 3 s (p99 under 0.5 s) and answered through its response_url,
alerts keep going out, and no ``accept()`` ever fails. On main d7e86c4 the same flood made 1,000
connections exhaust the file limit: ~290,000 failed-accept tracebacks in the log, commands
unanswered for 30 s. ``bench/slack_flood.py`` prints the figures with a no-flood baseline.
"""

from __future__ import annotations

import pytest
from support.slowloris import flood

pytestmark = pytest.mark.slow


async def test_signed_commands_are_acknowledged_during_a_slow_loris_flood(tmp_path) -> None:
    result = await flood(tmp_path, slow=1000, commands=2000, file_limit=1024)
    assert result.accept_errors == 0, result.stderr_tail
    assert result.statuses.count(200) == 2000
    assert max(result.acks) < 3.0 and result.percentile(99) < 0.5, result.percentile(99)
    assert result.answered == 2000
    assert result.slow_closed_by_server > 0  # the slow connections were being closed
    assert result.alerts_during > 0  # and alerts kept going out meanwhile
