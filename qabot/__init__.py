"""qabot: answers readers' questions from a news archive, with citations."""

__version__ = "0.1.0"
