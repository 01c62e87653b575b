"""Shared application state: the seam every piece of state that outlives a process goes through.

Feedback, follow-up context, sync state per source, subscriptions and the record of alerts
sent all live here, so a bot's replicas share them when the backend is a database server.
``open_state(settings)`` picks the backend; features keep their own typed records and store
them as JSON under a namespace of their own.
"""

from qabot.persist.base import StateStore
from qabot.persist.factory import open_state

__all__ = ["StateStore", "open_state"]
