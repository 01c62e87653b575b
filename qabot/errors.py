"""The errors qabot raises; the CLI and the bot turn them into one short line."""


class QabotError(Exception):
    """Base class: a problem the user can act on, with a message that says how."""


class SourceError(QabotError):
    """A source could not be read (missing, binary, undecodable, truncated, unreachable)."""


class ConfigError(QabotError):
    """A setting is missing or invalid."""


class IndexMissing(QabotError):
    """No index has been built yet in the data folder."""


class WriterBusy(QabotError):
    """Another process (a refresh, an ingest, a reindex) is writing the index right now."""


class IndexDamaged(QabotError):
    """A file of the live index version cannot be read (truncated, corrupt): `qabot check` says how to repair."""


class DiskFull(QabotError):
    """The disk filled up while a new index version was written; the live one is unchanged."""
