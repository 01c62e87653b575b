"""The service: one thread-safe facade (``QAService``) over the archive that every interface
drives — ask, search, show, ingest, refresh — plus the work that runs beside it on a schedule:
refresh rounds and topic alerts.

May import: ``qabot.answers``, ``qabot.ingest``, ``qabot.state``, ``qabot.store`` and below.
Never ``qabot.wiring`` or the interfaces: the composition root builds the service.
"""
