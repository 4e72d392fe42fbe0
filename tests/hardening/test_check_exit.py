"""``check``'s exit code (#12 Decisions): messages held on purpose are not "queued".

Held means due later with no failure recorded (a digest, quiet hours, an identity check; the
``held`` state a later change adds joins the rule). ``check`` exits 3 only for failed or
skipped sources, due-but-undelivered messages (still queued or waiting to retry after a
failure) and database errors; refused messages keep exit 0 with a hint to run ``retry``.
Main counted every pending message as queued, a held one included.
"""

from __future__ import annotations

import time

from support.fakeweb import Reply
from support.hardening import LISTING

from bot.runtime import check_once


async def queued_app(fake_server, make_app):
    app = await make_app(fake_server.base_url, categories=("cs.AI",))
    fake_server.route("/rss/cs.AI", Reply(body=LISTING.read_bytes()))
    await app.front.dispatch(_console(), "subscribe author Vanessa Figueiredo")
    await app.front.dispatch(_console(), "subscribe author Jo\\~ao Marques-Silva")
    report = await app.poller.poll_all()
    assert report.alerts == 2
    return app


def _console():
    from support.hardening import console_ctx

    return console_ctx()


async def test_a_held_message_is_not_queued_and_is_reported(fake_server, make_app, capsys):
    app = await queued_app(fake_server, make_app)
    later = time.time() + 3600
    await app.store.db.fetchall(
        "UPDATE outbox SET not_before = ? WHERE id = (SELECT min(id) FROM outbox)", (later,)
    )
    assert await check_once(app) == 0
    out = capsys.readouterr().out
    assert "console: 1 held until " in out
    assert "1 message(s) delivered" in out


async def test_a_refused_message_keeps_exit_0_with_a_hint(fake_server, make_app, capsys):
    app = await queued_app(fake_server, make_app)
    await app.store.db.fetchall(
        "UPDATE outbox SET state = 'failed', last_error = 'invalid_blocks' "
        "WHERE id = (SELECT min(id) FROM outbox)"
    )
    assert await check_once(app) == 0
    assert "`paperbot retry CHANNEL` re-queues them" in capsys.readouterr().out


async def test_a_message_waiting_to_retry_is_due_but_undelivered(fake_server, make_app, capsys):
    app = await queued_app(fake_server, make_app)
    await app.store.db.fetchall(
        "UPDATE outbox SET not_before = ?, last_error = 'rate limited (HTTP 429)' "
        "WHERE id = (SELECT min(id) FROM outbox)",
        (time.time() + 3600,),
    )
    assert await check_once(app) == 3
    err = capsys.readouterr().err
    assert "paperbot: 1 message(s) for console still queued (rate limited (HTTP 429))" in err
