"""The bot's clockwork (PTB's JobQueue): scheduled refresh rounds and the housekeeping tick.

A round runs in a daemon thread, so readers keep getting answers while it embeds, and under
``state.exclusive("refresh")``, so of several replicas (or a ``qabot watch`` beside the bot)
only one refreshes at a time; the others skip the round. The housekeeping tick delivers the
alerts outbox and tells admins about failing sources, whoever ran the refresh.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from telegram.ext import Application, ContextTypes

from qabot.errors import QabotError
from qabot.ingest.pipeline import IngestReport
from qabot.interfaces.bot import alerts as bot_alerts
from qabot.interfaces.bot import health
from qabot.interfaces.bot.state import BotState, in_daemon_thread, state
from qabot.service import schedule as rounds
from qabot.service.alerts import queue_for_new_articles

if TYPE_CHECKING:
    from qabot.service.qa import QAService
    from qabot.state import StateStore

log = logging.getLogger(__name__)

TICK_SECONDS = 20.0  # how soon alerts queued by another process (qabot watch) go out


def refresh_round(
    service: QAService, store: StateStore, *, prune: bool = False, every_source: bool = False
) -> IngestReport | None:
    """One refresh round (:func:`qabot.service.schedule.refresh_round`: sync records, per-source
    intervals), new articles queued for the topic alerts; ``None`` when another process is
    running a round. ``every_source``: an admin's /refresh reads every source, due or not."""
    result = rounds.refresh_round(
        service, store, prune=prune, every_source=every_source,
        on_new_articles=lambda ids: queue_for_new_articles(service, store, ids),
    )
    if not result.ran:
        return None
    if result.error:
        raise QabotError(result.error)
    return result.report


async def run_round(st: BotState, *, prune: bool = False, every_source: bool = False) -> IngestReport | None:
    """Runs a round off the event loop; the bot state remembers it so /refresh and the
    schedule never overlap in one process."""
    st.refresh = in_daemon_thread(
        lambda: refresh_round(st.service, st.service.state, prune=prune, every_source=every_source)
    )
    return await st.refresh


async def scheduled_refresh(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The JobQueue's refresh: skipped while /refresh runs. The round is a task of our own, not
    the job's: stopping the application waits for running jobs, and shutting down must never
    wait for a long ingest (the index keeps its last published version)."""
    st = state(context)
    if st.refresh is not None and not st.refresh.done():
        log.info("A refresh is still running; this scheduled round is skipped")
        return
    st.tasks.add(task := asyncio.create_task(_scheduled_round(context)))
    task.add_done_callback(st.tasks.discard)


async def _scheduled_round(context: ContextTypes.DEFAULT_TYPE) -> None:
    st = state(context)
    try:
        report = await run_round(st)
    except QabotError as e:
        log.warning("Scheduled refresh failed: %s", e)
    except Exception:
        log.exception("Scheduled refresh failed")
    else:
        if report is not None:
            log.info("Scheduled refresh: %s", report.as_dict())
    await housekeeping(context)


async def housekeeping(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Delivers queued alerts and reports failing or recovered sources to the admins."""
    for step in (bot_alerts.deliver, health.notify_admins):
        try:
            await step(context)
        except Exception:  # one failing step must not stop the other, nor the next tick
            log.exception("%s failed", step.__name__)


def schedule(application: Application) -> None:
    """Adds the jobs: the refresh round when ``refresh_every`` is set, and the tick."""
    st = state(application)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line per tick otherwise
    queue = application.job_queue
    if queue is None:
        raise QabotError('the bot needs PTB\'s job queue: pip install "python-telegram-bot[job-queue]"')
    every = st.settings.refresh_seconds
    if every:
        queue.run_repeating(scheduled_refresh, interval=every, first=every, name="refresh")
        log.info("Refreshing the sources every %s", st.settings.refresh_every)
    queue.run_repeating(housekeeping, interval=min(TICK_SECONDS, every or TICK_SECONDS), first=1, name="tick")

