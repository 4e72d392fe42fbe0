"""The CLI's argument rules (bot/cli/args.py), in process through ``main([...])``."""

from __future__ import annotations

import pytest

from bot.cli import main

#: What Python makes of the bytes ``\xff\xfe`` in ``sys.argv`` (not UTF-8: surrogateescape).
BAD = b"\xff\xfe".decode("utf-8", "surrogateescape")


pytestmark = pytest.mark.usefixtures("isolated_cli")


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["why", "c2" + BAD, "2607.09657"], "why: CHANNEL 'c2\\xff\\xfe'"),
        (["mode", "c2" + BAD], "mode: CHANNEL"),
        (["subscribe", "console", "topic", "x" + BAD], "subscribe: VALUE 'x\\xff\\xfe'"),
        (["retry", "c2" + BAD], "retry: CHANNEL"),
        (["subscriptions", "c2" + BAD], "subscriptions: CHANNEL"),
        (["lookup", "x" + BAD], "lookup: QUERY"),
        (["cap", "console", "5" + BAD], "cap: argument '5\\xff\\xfe'"),
    ],
)
def test_an_argument_not_utf8_is_one_line_naming_it_exit_2(
    argv: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith(f"paperbot: {named}") and err[0].endswith("is not valid UTF-8")
