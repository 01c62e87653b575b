"""Sentence-aware passages sized by the model's tokenizer, each carrying its headline."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from qabot.models import Article, Chunk
from qabot.text.sentences import leans_on_previous, split_sentences

TokenCounter = Callable[[Sequence[str]], list[int]]


def chunk_article(
    article: Article, count_tokens: TokenCounter, max_tokens: int, overlap: int | str = 1
) -> list[Chunk]:
    """Packs whole sentences into passages of at most ``max_tokens`` (headline included).

    ``overlap`` sentences are repeated at the start of the next passage so a fact
    split across a boundary is still found. A sentence longer than the budget is cut
    at word boundaries.
    """
    sentences = split_sentences(article.text)
    if not sentences:
        return []
    title = article.title.strip()
    counts = count_tokens([title, *sentences]) if title else [0, *count_tokens(sentences)]
    title_tokens = min(counts[0], max_tokens // 2)
    budget = max(8, max_tokens - title_tokens - 1)
    pieces: list[tuple[str, int]] = []
    for sentence, tokens in zip(sentences, counts[1:], strict=True):
        if tokens <= budget:
            pieces.append((sentence, tokens))
        else:
            pieces.extend(_cut_long(sentence, tokens, budget))

    groups: list[list[tuple[str, int]]] = []
    current: list[tuple[str, int]] = []
    size = 0
    for piece in pieces:
        if current and size + piece[1] > budget:
            groups.append(current)
            current = _carried(current, piece[0], overlap)
            size = sum(t for _, t in current)
            # the overlap itself must leave room for new text
            while current and size + piece[1] > budget:
                size -= current.pop(0)[1]
        current.append(piece)
        size += piece[1]
    if current:
        groups.append(current)

    chunks = []
    for ord_, group in enumerate(groups):
        body = " ".join(text for text, _ in group)
        text = f"{title}\n{body}" if title else body
        chunks.append(Chunk(article.article_id, ord_, text, body))
    return chunks


def _carried(group: list[tuple[str, int]], next_sentence: str, overlap: int | str) -> list[tuple[str, int]]:
    """The sentences repeated at the start of the next passage."""
    if overlap == "auto":
        return group[-1:] if leans_on_previous(next_sentence) else []
    return group[-int(overlap):] if overlap else []


def _cut_long(sentence: str, tokens: int, budget: int) -> list[tuple[str, int]]:
    """Splits by words in proportion to the token count (an estimate, kept under budget)."""
    words = sentence.split()
    per_piece = max(1, int(len(words) * budget / tokens * 0.9))
    out = []
    for start in range(0, len(words), per_piece):
        part = words[start : start + per_piece]
        out.append((" ".join(part), max(1, tokens * len(part) // len(words))))
    return out
