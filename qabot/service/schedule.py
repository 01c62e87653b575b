"""Refresh rounds: one function that ``qabot watch``, ``qabot refresh`` and the bot's JobQueue call.

A round takes the shared ``refresh`` lock (``state.exclusive``), so one process or replica
runs it at a time; a round that finds the lock (or the index writer's lock) taken skips with
one logged line. It refreshes the sources that are due (a source's ``every`` from the sources
file), records each source's outcome in the sync state, and hands the ids of newly added
articles to ``on_new_articles`` (the bot's topic alerts) once the new index is published.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qabot.errors import QabotError
from qabot.state.sync import load_status, record_attempt, seconds_since

if TYPE_CHECKING:
    from qabot.ingest.loaders.sources import SourceSpec
    from qabot.ingest.pipeline import IngestReport
    from qabot.service.qa import QAService
    from qabot.state import StateStore

log = logging.getLogger(__name__)

DEFAULT_EVERY = 15 * 60.0
LOCK = "refresh"


@dataclass(frozen=True)
class RoundReport:
    """What one round did. ``ran`` False: another writer was busy, nothing was tried."""

    ran: bool
    report: IngestReport | None = None
    skipped: tuple[str, ...] = ()  # sources not due yet
    error: str = ""  # the round as a whole failed (a setting, the model); sources recorded as failed
    new_ids: tuple[str, ...] = field(default=())

    def summary(self) -> str:
        """One line for a log or a terminal."""
        if not self.ran:
            return "skipped: another refresh is running"
        if self.error:
            return f"failed: {self.error}"
        assert self.report is not None
        r = self.report
        failed = [o.source for o in r.sources if not o.ok]
        line = (
            f"added {r.added}, updated {r.updated}, unchanged {r.unchanged}, removed {r.removed}; "
            f"downloaded {r.fetched}, not modified {r.not_modified}; embedded {r.chunks_embedded} passages"
        )
        if failed:
            line += f"; sources failing: {', '.join(failed)}"
        if self.skipped:
            line += f"; not due: {', '.join(self.skipped)}"
        return line


def due_sources(specs: list[SourceSpec], state: StateStore) -> tuple[list[SourceSpec], list[SourceSpec]]:
    """(due, not yet due) by each source's ``every`` and its last attempt."""
    due: list[SourceSpec] = []
    later: list[SourceSpec] = []
    for spec in specs:
        status = load_status(state, spec.name)
        age = seconds_since(status.last_attempt) if status else None
        (later if spec.every and age is not None and age < spec.every else due).append(spec)
    return due, later


def refresh_round(
    service: QAService,
    state: StateStore,
    *,
    on_new_articles: Callable[[list[str]], object] | None = None,
    prune: bool = False,
    every_source: bool = False,
) -> RoundReport:
    """One refresh of the due sources (all of them with ``every_source``), under the shared lock."""
    from embeddings.errors import StoreLocked

    with state.exclusive(LOCK) as mine:
        if not mine:
            log.warning("refresh skipped: another refresh is running")
            return RoundReport(ran=False)
        specs = service.sources()
        due, later = (specs, []) if every_source else due_sources(specs, state)
        if not due:
            return RoundReport(ran=True, skipped=tuple(s.name for s in later), report=_empty())
        try:
            report = service.ingest(due, prune=prune)
        except StoreLocked:
            log.warning("refresh skipped: another process is writing the index")
            return RoundReport(ran=False)
        except QabotError as e:
            for spec in due:
                record_attempt(state, spec.name, spec.location, ok=False, error=str(e))
            return RoundReport(ran=True, error=str(e), skipped=tuple(s.name for s in later))
        location = {s.name: s.location for s in due}
        for outcome in report.sources:
            record_attempt(
                state, outcome.source, location.get(outcome.source, outcome.source), ok=outcome.ok,
                error=outcome.error, articles=outcome.articles, added=outcome.added, updated=outcome.updated,
            )
    result = RoundReport(
        ran=True, report=report, skipped=tuple(s.name for s in later), new_ids=tuple(report.added_ids)
    )
    if report.added_ids and on_new_articles is not None:
        try:
            on_new_articles(list(report.added_ids))
        except Exception:  # alerts failing must not fail the refresh that succeeded
            log.exception("on_new_articles failed")
    return result


def _empty() -> IngestReport:
    from qabot.ingest.pipeline import IngestReport

    return IngestReport()


class Interrupted(BaseException):
    """SIGTERM or SIGINT during a round: unwinds it (the index writer aborts, nothing published).

    A BaseException, like KeyboardInterrupt, so no ``except Exception`` on the way swallows it.
    """


def watch(
    service: QAService, state: StateStore, every: float, *, say: Callable[[str], None] = print,
    on_new_articles: Callable[[list[str]], None] | None = None,
) -> int:
    """Refresh every ``every`` seconds until SIGTERM or SIGINT; exit status 0.

    A signal while waiting ends the wait at once; during a round it unwinds the round, which
    leaves the published index as it was (a writer publishes only by one atomic rename).
    """
    stop = threading.Event()
    busy = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        stop.set()
        if busy.is_set():
            busy.clear()
            raise Interrupted()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        while not stop.is_set():
            try:
                busy.set()
                result = refresh_round(service, state, on_new_articles=on_new_articles)
            except Interrupted:
                say("stopped during a round; the published index is unchanged")
                break
            except QabotError as e:
                result = RoundReport(ran=True, error=str(e))
            finally:
                busy.clear()
            say(result.summary())
            stop.wait(every)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
