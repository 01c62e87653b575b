"""Answers: reading the question (intent, dates, names), retrieval and ranking, stories,
as-of and timelines, evidence for "not in the archive", and the cited answer itself —
extractive, or written by the optional LLM from the same passages.

May import: ``embeddings``, ``qabot.text``, ``qabot.state`` (follow-up turns), ``qabot.settings``,
``qabot.errors``, ``qabot.models``. Never ``qabot.ingest``, the service or the interfaces.
"""
