"""The state contract: every backend of qabot.state passes these (run per backend)."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

import pytest

from qabot.state.sqlite import SqliteState


def _open(kind: str, where: str):
    if kind == "postgres":
        from qabot.state.postgres import PostgresState

        return PostgresState(where)
    return SqliteState(Path(where))


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """(kind, where): a fresh state location of one backend, reopenable from another process."""
    if request.param == "postgres":
        return "postgres", request.getfixturevalue("postgres").new_database()
    return "sqlite", str(tmp_path / "data")


@pytest.fixture
def state(backend: tuple[str, str]):
    store = _open(*backend)
    yield store
    store.close()


def test_put_get_replace_delete(state) -> None:
    assert state.get("sync", "feed") is None
    state.put("sync", "feed", {"ok": True, "name": "Vlădescu"})
    assert state.get("sync", "feed") == {"ok": True, "name": "Vlădescu"}
    state.put("sync", "feed", {"ok": False})
    assert state.get("sync", "feed") == {"ok": False}
    assert state.get("other", "feed") is None
    assert state.delete("sync", "feed") is True
    assert state.delete("sync", "feed") is False
    assert state.get("sync", "feed") is None


def test_add_only_once(state) -> None:
    assert state.add("sent", "42:a1", {"at": 1}) is True
    assert state.add("sent", "42:a1", {"at": 2}) is False
    assert state.get("sent", "42:a1") == {"at": 1}


def test_add_once_across_threads(state) -> None:
    wins: list[bool] = []

    def race() -> None:
        wins.append(state.add("sent", "race", {}))

    threads = [threading.Thread(target=race) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(wins) == [False] * 7 + [True]


def test_scan_by_prefix_in_key_order(state) -> None:
    for key in ("7:b", "7:a", "70:c", "8:a"):
        state.put("subs", key, {"k": key})
    assert [k for k, _ in state.scan("subs", "7:")] == ["7:a", "7:b"]
    assert [k for k, _ in state.scan("subs")] == ["70:c", "7:a", "7:b", "8:a"]  # code-point order
    assert state.scan("nothing") == []
    state.put("feedback.votes", "1:2", {})
    assert state.namespaces() == ["feedback.votes", "subs"]


def _hold(kind: str, where: str, name: str, ready, release) -> None:
    store = _open(kind, where)
    with store.exclusive(name) as got:
        assert got
        ready.set()
        release.wait(10)


def test_exclusive_is_held_across_processes(state, backend: tuple[str, str]) -> None:
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold, args=(*backend, "refresh", ready, release))
    holder.start()
    try:
        assert ready.wait(30)
        with state.exclusive("refresh") as got:
            assert got is False
        with state.exclusive("another") as got:
            assert got is True
    finally:
        release.set()
        holder.join(10)
    with state.exclusive("refresh") as got:
        assert got is True


def _open_new(path: str, barrier) -> None:
    barrier.wait(30)
    SqliteState(Path(path)).put("ns", "k", {"ok": True})


def test_processes_opening_a_new_state_file_at_once_all_succeed(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(4)
    procs = [ctx.Process(target=_open_new, args=(str(tmp_path / "fresh"), barrier)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    assert SqliteState(tmp_path / "fresh").get("ns", "k") == {"ok": True}
