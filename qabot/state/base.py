"""The state interface: namespaced JSON values, insert-once, and named cross-process locks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any, Protocol

Value = dict[str, Any]


class StateStore(Protocol):
    """Namespaced JSON values keyed by text; safe to call from any thread and any process.

    ``ns`` groups one feature's records ("sync", "subscriptions", "history", ...). Values are
    JSON objects; each feature converts its typed records to and from them.
    """

    def get(self, ns: str, key: str) -> Value | None:
        """The value stored under ``(ns, key)``, or ``None``."""
        ...

    def put(self, ns: str, key: str, value: Value) -> None:
        """Store ``value``, replacing what was there."""
        ...

    def add(self, ns: str, key: str, value: Value) -> bool:
        """Store ``value`` only if nothing is stored under ``(ns, key)``; ``True`` when it was.

        The one atomic step for "exactly once" across replicas (an alert sent, a vote cast).
        """
        ...

    def delete(self, ns: str, key: str) -> bool:
        """Remove one value; ``True`` when something was removed."""
        ...

    def scan(self, ns: str, prefix: str = "") -> list[tuple[str, Value]]:
        """Every ``(key, value)`` of a namespace whose key starts with ``prefix``, in code-point
        order of the key (PostgreSQL: ``COLLATE "C"``)."""
        ...

    def namespaces(self) -> list[str]:
        """Every namespace holding a value, sorted (to copy all state between backends)."""
        ...

    def exclusive(self, name: str) -> AbstractContextManager[bool]:
        """A named lock held across processes for the ``with`` block; yields ``False`` at once
        (without waiting) when another process holds it, e.g. a scheduled refresh on another
        replica."""
        ...

    def close(self) -> None: ...


def keys_of(items: Iterator[tuple[str, Value]] | list[tuple[str, Value]]) -> list[str]:
    return [key for key, _ in items]
