"""State: everything that outlives a process and that replicas share — follow-up context,
feedback, sync state per source, subscriptions and alerts sent — behind one ``StateStore``
seam with a SQLite and a PostgreSQL backend. ``open_state(settings)`` picks the backend;
features keep their own typed records and store them as JSON under a namespace of their own.

May import: ``embeddings`` (the PostgreSQL connection helpers), ``qabot.settings``,
``qabot.errors``, ``qabot.models``, ``qabot.text``.
"""

from qabot.state.base import StateStore
from qabot.state.factory import open_state

__all__ = ["StateStore", "open_state"]
