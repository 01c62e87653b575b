"""Errors of the embeddings store; the application translates them at its edges."""


class StoreError(Exception):
    """Base class for problems with an index folder."""


class ModelMismatch(StoreError):
    """The index was built with another model (or dimension) than the one configured."""


class NoIndex(StoreError):
    """The folder holds no published index yet."""


class StoreLocked(StoreError):
    """Another process is writing this index folder."""


class StoreUnavailable(StoreError):
    """The store's server cannot be reached, or lacks what it needs (a driver, an extension)."""
