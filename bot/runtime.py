"""``run``, ``chat`` and ``check``: the long-running bot and the one-shot poll-and-deliver."""

from __future__ import annotations

import asyncio
import logging
import signal
import sqlite3
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.app import App
from bot.model.outcome import ExitCode
from bot.port import StartupError

log = logging.getLogger("paperbot")


def _triggers(app: App) -> list[Any]:
    a = app.config.arxiv
    if a.poll_interval_seconds > 0:
        return [IntervalTrigger(seconds=a.poll_interval_seconds)]
    return [CronTrigger(hour=t.hour, minute=t.minute, timezone="UTC") for t in a.poll_times_utc]


#: The one line a poll says when no source could be reached at all.
UNREACHABLE = "arXiv is unreachable (%s); polls will retry. Offline? Try `paperbot demo`."


async def _poll_job(app: App, running: set[asyncio.Task[Any]] | None = None) -> None:
    """One scheduled poll. ``running`` holds its task while it runs, so that stopping can
    cancel it and wait: a poll cut short at shutdown ends quietly, not in a traceback."""
    running = set() if running is None else running
    task = asyncio.current_task()
    assert task is not None
    running.add(task)
    try:
        report = await app.poller.poll_all(respect_backoff=True)
    except asyncio.CancelledError:
        # Shutdown (SIGTERM) during a poll: what it found and did not store yet is fetched
        # again by the next poll. Returning lets the scheduler end the job without the
        # traceback it logs for an exception; the task is ending anyway.
        log.info("poll stopped by shutdown; the next poll fetches it again")
        return
    except sqlite3.Error as exc:  # a full disk: one line; what this poll found is not stored
        log.error(
            "poll failed: database error: %s; nothing of this poll was stored, the next poll "
            "fetches it again",
            exc,
        )
        return
    except Exception:  # the scheduler must keep going; the error is in the log and status
        log.exception("poll failed")
        return
    finally:
        running.discard(task)
    failures = report.failures
    if failures and all(f.unreachable for f in failures):
        log.warning(UNREACHABLE, failures[0].error)
        return
    for failure in failures:
        log.warning("source %s failed: %s", failure.category, failure.error)


def banner(app: App, categories: list[str]) -> str:
    a = app.config.arxiv
    when = (
        f"every {a.poll_interval_seconds:g} s"
        if a.poll_interval_seconds > 0
        else f"daily at {', '.join(f'{t:%H:%M}' for t in a.poll_times_utc)} UTC"
    )
    channels = ", ".join(f"{c.name} ({c.platform})" for c in app.config.channels) or "none"
    return (
        f"paperbot: polling arXiv {' '.join(categories)} {when}, now first.\n"
        f"paperbot: database {app.store.path}\n"
        f"paperbot: channels {channels}\n"
        f"paperbot: subscribe with `subscribe author Babuschkin, Igor` in chat, or "
        f"`paperbot subscribe CHANNEL author Babuschkin, Igor`; `help` lists the commands."
    )


async def run_bot(app: App, stop: asyncio.Event, *, install_signals: bool = True) -> ExitCode:
    """Poll on the schedule, drain the outbox continuously, serve the adapters; return on
    SIGINT / SIGTERM (or ``stop``: the app's adapters were built with ``on_stop=stop.set``)
    within seconds."""
    print(banner(app, await app.poller.categories()), file=sys.stdout, flush=True)
    loop = asyncio.get_running_loop()
    scheduler = AsyncIOScheduler(event_loop=loop)
    running: set[asyncio.Task[Any]] = set()
    for index, trigger in enumerate(_triggers(app)):
        scheduler.add_job(
            _poll_job,
            trigger,
            args=[app, running],
            id=f"poll-{index}",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=3600,
        )
    scheduler.add_job(_poll_job, args=[app, running], id="poll-now", max_instances=1)

    async def stopping() -> None:
        scheduler.shutdown(wait=False)
        for task in list(running):
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)

    return await serve(
        app, stop, install_signals=install_signals, start=scheduler.start, stopping=stopping
    )


async def serve(
    app: App,
    stop: asyncio.Event,
    *,
    install_signals: bool = True,
    start: Callable[[], None] = lambda: None,
    stopping: Callable[[], Awaitable[None]] | None = None,
) -> ExitCode:
    """Start the adapters, deliver continuously until ``stop`` (or SIGINT / SIGTERM), stop.

    ``start`` runs once everything is up (the poll schedule); ``stopping`` first thing when
    stopping. Without them it is a bot that polls nothing: ``paperbot demo``'s chat.
    """
    for name, adapter in app.adapters.items():
        try:
            await adapter.start()
        except StartupError:
            raise
        except Exception as exc:
            raise StartupError(f"the {name} adapter could not start: {exc}") from None
    deliverer = app.deliverer
    await deliverer.release_dead_claims()
    loop = asyncio.get_running_loop()
    if install_signals:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
    start()
    delivery = asyncio.create_task(deliverer.run_forever(stop))
    try:
        await stop.wait()
    finally:
        if stopping is not None:
            await stopping()
        delivery.cancel()
        await asyncio.gather(delivery, return_exceptions=True)
        if install_signals:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
    return ExitCode.OK


async def check_once(
    app: App, *, progress: Callable[[int, int, str], None] | None = None
) -> ExitCode:
    """Poll every source once, deliver what is due (retrying up to ``max_wait_seconds``).

    Exit 3 (FAILED) only for a source that failed or was skipped, and for messages due but not
    delivered (still queued, or waiting to retry after a failure); a database error raises.
    Messages held on purpose (due later, no failure: a digest, quiet hours) are reported as
    "N held until …" and are not queued; refused messages keep exit 0 with a hint to run
    ``paperbot retry``; paused channels are reported (``paperbot resume``).
    ``progress(done, total, category)`` follows the polls (a progress bar on a terminal).
    """
    deliverer = app.deliverer
    await deliverer.release_dead_claims()
    report = await app.poller.poll_all(progress=progress)
    drained = await deliverer.drain(app.config.delivery.max_wait_seconds)
    summary = await app.store.outbox.summary(now=app.core.clock.time())
    channels = {c.id: c for c in await app.store.channels.list()}
    failed = bool(report.failures)
    for failure in report.failures:
        what = "skipped" if failure.skipped else "failed"
        print(f"paperbot: source {failure.category} {what}: {failure.error}", file=sys.stderr)
    for channel_id, queue in sorted(summary.channels.items()):
        channel = channels.get(channel_id)
        if channel is None or channel.paused_reason:
            continue
        if queue.held and queue.held_until is not None:
            when = datetime.fromtimestamp(queue.held_until, UTC)
            print(f"{channel.name}: {queue.held} held until {when:%Y-%m-%d %H:%M} UTC")
        if not queue.pending:
            continue
        failed = True
        if channel.platform not in app.adapters:
            print(
                f"paperbot: {queue.pending} message(s) for {channel.name} wait for the "
                f"{channel.platform} adapter",
                file=sys.stderr,
            )
            continue
        why = f" ({queue.reason})" if queue.reason else ""
        print(
            f"paperbot: {queue.pending} message(s) for {channel.name} still queued{why}",
            file=sys.stderr,
        )
    for channel in channels.values():
        if channel.paused_reason:
            print(f"paused: {channel.name}: {channel.paused_reason}")
    if summary.failed_count:
        print(
            f"refused by the platform: {summary.failed_count} message(s) (see status; "
            "`paperbot retry CHANNEL` re-queues them)"
        )
    print(
        f"checked {len(report.results)} source(s): {report.alerts} new alert(s) queued, "
        f"{drained.sent} message(s) delivered"
    )
    return ExitCode.FAILED if failed else ExitCode.OK
