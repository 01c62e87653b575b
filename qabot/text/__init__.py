"""Text: sentences, folding (case, accents, punctuation), dates and periods, durations, quotes,
URL text fragments. Pure functions over strings, shared by ingest and answers.

May import: ``embeddings`` (keyword terms), ``qabot.errors``, ``qabot.models`` and itself.
"""
