"""Answers, hits and reports as terminal text or JSON-ready dicts."""

from __future__ import annotations

from dataclasses import asdict

from qabot.answers.layout import by_story, footer_of
from qabot.models import Answer, Citation, Hit
from qabot.text.dates import long_date
from qabot.text.i18n import translator


class Style:
    """ANSI styling, switched off when output is not a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def _wrap(self, code: str, text: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.enabled else text

    def bold(self, text: str) -> str:
        return self._wrap("1", text)

    def dim(self, text: str) -> str:
        return self._wrap("2", text)

    def cyan(self, text: str) -> str:
        return self._wrap("36", text)

    def yellow(self, text: str) -> str:
        return self._wrap("33", text)


PLAIN = Style(False)


def citation_line(c: Citation | Hit, n: int | None = None, style: Style = PLAIN) -> str:
    """Headline — date — link; a citation's link opens the article at the quoted sentence."""
    parts = [style.bold(c.title or c.article_id)]
    if c.published:
        parts.append(c.published)
    url = getattr(c, "link", "") or c.url
    if url:
        parts.append(style.cyan(url))
    label = f"[{n}] " if n is not None else ""
    return label + " — ".join(parts)


def dated_lines(answer: Answer, style: Style = PLAIN) -> list[str]:
    """A timeline (oldest first), list, comparison or digest: the heading, then one dated line
    per article; a digest's stories apart by a blank line."""
    undated = translator(answer.language)("undated")
    lines = [style.bold(answer.heading)] if answer.heading else []
    for e in by_story(answer.timeline):
        lines.append(f"- {style.bold(long_date(e.published, answer.language) or undated)}: {e.text} [{e.n}]"
                     if e else "")
    if footer := footer_of(answer):  # "…and 4 older articles."
        lines.append(footer)
    return lines


def answer_text(answer: Answer, style: Style = PLAIN) -> str:
    """The answer, its sources or closest articles; labels in the question's language."""
    _ = translator(answer.language)
    lines = dated_lines(answer, style) if answer.timeline else [answer.answer]
    if answer.found and answer.citations:
        lines += ["", style.dim(_("Sources:"))]
        lines += ["  " + citation_line(c, c.n, style) for c in answer.citations]
    elif not answer.found and answer.closest:
        lines += ["", style.dim(_("Closest articles in the archive:"))]
        lines += ["  - " + citation_line(h, None, style) for h in answer.closest]
    if answer.suggestions:
        lines += ["", style.dim(_("You could also ask:"))] + [f"  - {q}" for q in answer.suggestions]
    return "\n".join(lines)


def answer_json(answer: Answer) -> dict:
    return {
        "question": answer.question,
        "answer": answer.answer,
        "found": answer.found,
        "kind": answer.kind,
        "language": answer.language,
        "citations": [asdict(c) for c in answer.citations],
        "timeline": [asdict(e) for e in answer.timeline],
        "heading": answer.heading,
        "suggestions": list(answer.suggestions),
        "passages": list(answer.passages),
        "closest": [hit_json(h) for h in answer.closest] if not answer.found else [],
        "latency_ms": answer.latency_ms,
    }


def snippet(text: str, limit: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def hit_json(hit: Hit) -> dict:
    return {
        "article_id": hit.article_id,
        "title": hit.title,
        "url": hit.url,
        "published": hit.published,
        "score": hit.score,
        "snippet": snippet(hit.passages[0]) if hit.passages else "",
    }


def hits_text(hits: list[Hit], style: Style = PLAIN) -> str:
    if not hits:
        return "No matching articles."
    out = []
    for i, hit in enumerate(hits, 1):
        out.append(f"{i}. {citation_line(hit, None, style)}  {style.dim(f'({hit.score:.3f})')}")
        out.append(f"   id: {hit.article_id}")  # what `qabot show` takes
        if hit.passages:
            out.append("   " + snippet(hit.passages[0], 200))
    return "\n".join(out)


def report_text(report: dict) -> str:
    line = (
        f"added {report['added']}, updated {report['updated']}, unchanged {report['unchanged']}, "
        f"removed {report['removed']}, duplicates {report['duplicates']}, "
        f"failed {len(report['failed'])}; embedded {report['chunks_embedded']} chunks "
        f"in {report['seconds']:.1f}s"
    )
    if report.get("fetched") or report.get("not_modified"):
        line += f"; downloaded {report['fetched']}, not modified {report['not_modified']}"
    return line
