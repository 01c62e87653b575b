"""Cleaning scraped plain-text pages: keep the headline and the article, drop the site's chrome.

A scraped news page carries more than its article: a breadcrumb glued to a cut
headline, "Published on" lines, a wire credit, the site footer and teaser lists
("Latest articles", "More like this") whose lines are cut with "...". The rules
below are general; :func:`find_repeated` adds a corpus-level rule: a line found
on at least ``min_pages`` pages *and* ``min_share`` of a batch is site chrome.
Romanian pages carry the same chrome in Romanian ("Citește și", "Ultimele știri",
"Articole similare", "Urmărește-ne pe", cookie banners), read by the same rules.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Iterable, Set
from dataclasses import dataclass

from qabot.errors import ConfigError
from qabot.text.dates import month_number
from qabot.text.fold import fold

# A line equal to one of these (case-insensitive, ':' ignored) starts a teaser list: the body ends.
DEFAULT_END_MARKERS: tuple[str, ...] = (
    "latest articles", "latest news", "more like this", "related articles", "related news",
    "related", "read also", "read more", "see also", "also read", "most read", "most popular",
    "recommended", "recommended articles", "you may also like", "more from this section",
    "citește și", "citeste si", "cele mai citite", "ultimele știri", "articole similare",
    "ultimele stiri", "știri similare", "stiri similare", "articole recomandate", "vezi și", "vezi si",
    "mai multe din această secțiune", "cele mai noi articole", "recomandări", "te-ar putea interesa",
)
# A line that is chrome wherever it stands (a link to one more story inside the article, a
# "follow us" line, a cookie banner): dropped, the article goes on after it.
_CHROME_LINE_RE = re.compile(
    r"^(?:citește și|citeste si|vezi și|vezi si|citește mai mult|citeste mai mult)\s*[:\-–—]\s*\S|"
    r"^(?:urmărește|urmareste|urmăriți|urmariti)-ne\s+(?:pe|și pe|si pe)\b|"
    r"^(?:acest site|site-ul nostru|site-ul)\s+(?:folosește|foloseste|utilizează|utilizeaza)\s+cookie|"
    r"^(?:folosim|utilizăm|utilizam)\s+(?:cookie|module cookie)|"
    r"^(?:accept(?:ă|a)?|sunt de acord|refuz(?:ă|a)?|setări cookie|setari cookie|politica de cookie-uri|"
    r"politica cookies?|accept(?:ă|a)? toate(?: cookie-urile)?|refuz(?:ă|a)? toate)$",
    re.IGNORECASE,
)
# A standalone line naming a news agency is a credit: out of the text, kept as author if none.
WIRE_AGENCIES: tuple[str, ...] = (
    "AGERPRES", "MEDIAFAX", "NEWS.RO", "REUTERS", "AFP", "AP", "DPA", "EFE", "ANSA", "XINHUA",
    "BLOOMBERG", "ASSOCIATED PRESS",
)
MIN_REPEATED_PAGES = 3
MIN_REPEATED_SHARE = 0.3

_ELLIPSIS = ("...", "…")
_META_RE = re.compile(
    r"^(?:published|updated|last updated|posted|publicat|actualizat)(?:\s+(?:on|at|pe|la))?\b\s*:?\s*(.*)$",
    re.IGNORECASE,
)
_BY_RE = re.compile(r"^(?:by|de|autor|author)\s*:?\s+(.{2,60})$", re.IGNORECASE)
_WIRE_RE = re.compile(
    r"^[(\[]?(?:" + "|".join(re.escape(a) for a in WIRE_AGENCIES) + r")\b[^a-z]{0,3}(?:\(.*\))?[)\]]?$",
    re.IGNORECASE,
)
_BREADCRUMB_RE = re.compile(r"\s(?:>|»|›|/|\|)\s")
_BULLET_RE = re.compile(r"^(?:[-*•]|\d+[.)])\s")


@dataclass(frozen=True)
class RawPage:
    """A page as read from disk; ``title`` is set when the format names it (a markdown heading)."""

    text: str
    source: str = ""
    title: str = ""


@dataclass(frozen=True)
class CleanedPage:
    """``text`` is blank-line separated paragraphs ("" when nothing was left); dates ISO or ""."""

    title: str
    text: str
    published: str = ""
    author: str = ""
    section: str = ""


def line_key(line: str) -> str:
    """The form under which lines are compared across pages."""
    return " ".join(line.split()).casefold()


def find_repeated(
    texts: Iterable[str], *, min_pages: int = MIN_REPEATED_PAGES, min_share: float = MIN_REPEATED_SHARE
) -> frozenset[str]:
    """Keys of lines found on >= ``min_pages`` distinct pages and >= ``min_share`` of them.

    The count keeps a few pages from calling each other's lines chrome; the share keeps a
    phrase common to a few dozen stories of a big archive. Identical copies count once.
    """
    counts: Counter[str] = Counter()
    seen: set[int] = set()
    for text in texts:
        if hash(text) not in seen:
            seen.add(hash(text))
            counts.update({line_key(line) for line in text.splitlines() if line.strip()})
    threshold = max(min_pages, math.ceil(min_share * len(seen)))
    return frozenset(key for key, count in counts.items() if count >= threshold)


def clean_pages(pages: list[RawPage], *, extra_patterns: Iterable[str] = ()) -> list[CleanedPage]:
    """Clean one archive's batch of pages, dropping lines repeated across the batch."""
    repeated = find_repeated(page.text for page in pages)
    return [
        clean_page(page.text, title=page.title or None, extra_patterns=extra_patterns, repeated=repeated)
        for page in pages
    ]


def clean_page(
    text: str,
    *,
    title: str | None = None,
    extra_patterns: Iterable[str] = (),
    repeated: Set[str] = frozenset(),
    end_markers: Iterable[str] = DEFAULT_END_MARKERS,
) -> CleanedPage:
    """Headline, article text (blank-line separated paragraphs), date and author of one page.

    ``title`` skips headline detection (the format already named it). An empty ``text`` in the
    result means the page held no article. ``extra_patterns``: a line matching one is dropped.
    """
    drop = []
    for pattern in extra_patterns:
        try:
            drop.append(re.compile(pattern))
        except re.error as e:
            raise ConfigError(f"clean_patterns: {pattern!r} is not a valid regular expression: {e}") from e
    markers = {m.casefold() for m in end_markers}
    page = _clean(text, title, drop, repeated, markers)
    if not page.text and repeated:  # several copies of one story look like chrome to each other
        page = _clean(text, title, drop, frozenset(), markers)
    return page


def _clean(
    text: str, title: str | None, drop: list[re.Pattern[str]], repeated: Set[str], markers: set[str]
) -> CleanedPage:
    lines = _lines(text)
    protected = section = ""
    if title is None:
        title, section, lines = _split_cut_headline(lines)
        protected = title
    lines = [
        line for line in lines
        if not line or line == protected or _WIRE_RE.match(line)  # the credit marks the body's end
        or not (line_key(line) in repeated or _CHROME_LINE_RE.search(line) or any(p.search(line) for p in drop))
    ]
    published, author, lines = _take_metadata(lines)
    found = "" if title else _find_title(lines)
    body, credit = _body(lines[lines.index(found) + 1 :] if found else lines, markers)
    text_out = "\n\n".join(_join_paragraph(p) for p in _drop_teaser_runs(_paragraphs(body)))
    if found and not text_out:  # a one-line page: that line is its text, not a headline
        text_out, found = found, ""
    title = title or found or (derive_title(text_out) if text_out else "")
    return CleanedPage(
        title=title, text=text_out, published=published, author=author or credit, section=section
    )


def tidy_text(text: str) -> str:
    """Collapse whitespace; paragraphs separated by one blank line, list items kept on their lines."""
    return "\n\n".join(_join_paragraph(p) for p in _paragraphs(_lines(text)))


def derive_title(text: str, limit: int = 100) -> str:
    """A stand-in headline for pages without one: the first sentence, cut at a word."""
    first = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]
    return first if len(first) <= limit else first[:limit].rsplit(" ", 1)[0] + "…"


_MONTH = r"([a-z]+)\.?"
_DATE_PATTERNS = (  # (regex, order of year/month/day groups); European day-first for d/m/y
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), "ymd"),
    (re.compile(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})"), "ymd"),
    (re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})"), "dmy"),
    (re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(\d{4})"), "dMy"),
    (re.compile(_MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})"), "Mdy"),
)


def parse_date(value: str) -> str:
    """An ISO ``YYYY-MM-DD`` date found in ``value``, or ``""``.

    Numeric d/m/y dates are read day-first (the archive is European) unless that cannot be.
    """
    text = fold(value)
    for pattern, order in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            parts = dict(zip(order, match.groups(), strict=True))
            month = month_number(parts["M"]) if "M" in parts else int(parts["m"])
            day, year = int(parts["d"]), int(parts["y"])
            if order == "dmy" and month and month > 12:
                day, month = month, day
            try:
                return dt.date(year, month or 0, day).isoformat()
            except ValueError:
                continue
    return ""


def _lines(text: str) -> list[str]:
    return [" ".join(line.replace("\xa0", " ").split()) for line in text.splitlines()]


def _is_cut(line: str) -> bool:
    return line.endswith(_ELLIPSIS)


def _split_cut_headline(lines: list[str]) -> tuple[str, str, list[str]]:
    """Line 1 = breadcrumb + headline cut with "...", and line 2 is the full headline: keep line 2.

    Returns (headline, section named by the breadcrumb's last crumb, remaining lines).
    """
    filled = [i for i, line in enumerate(lines) if line][:2]
    if len(filled) < 2 or not _is_cut(lines[filled[0]]):
        return "", "", lines
    cut, second = lines[filled[0]].rstrip(".…").rstrip(), lines[filled[1]]
    probe = second[: min(20, len(second))]
    start = cut.find(probe) if len(probe) >= 10 else -1
    if start < 0 or not second.startswith(cut[start:]):
        return "", "", lines
    return second, breadcrumb_section(cut[:start]), lines[filled[1] + 1 :]


_HOME_CRUMBS = ("acasă", "acasa", "home", "start", "prima pagină", "prima pagina", "homepage")


def breadcrumb_section(crumbs: str) -> str:
    """The last crumb of a breadcrumb ("AcasăEurope News", "Home > Economy"), home link dropped."""
    parts = [p.strip() for p in _BREADCRUMB_RE.split(crumbs) if p.strip()]
    last = parts[-1] if parts else ""
    for home in _HOME_CRUMBS:
        if last.casefold().startswith(home) and (len(parts) == 1 or last.casefold() == home):
            last = last[len(home):].strip()
            break
    return last if len(last) <= 40 else ""


def _take_metadata(lines: list[str]) -> tuple[str, str, list[str]]:
    """Pull "Published on ..." and "By NAME" lines out of the text, keeping what they say."""
    published = author = ""
    kept: list[str] = []
    for line in lines:
        meta = _META_RE.match(line) if len(line) <= 80 else None
        if meta and (not meta.group(1) or parse_date(meta.group(1))):
            published = published or parse_date(meta.group(1))
            continue
        by = _BY_RE.match(line)
        if by and _looks_like_name(by.group(1)):
            author = author or by.group(1).strip()
            continue
        kept.append(line)
    return published, author, kept


def _looks_like_name(value: str) -> bool:
    words = value.replace(",", " ").split()
    return 1 <= len(words) <= 8 and not value.endswith(".") and all(
        w[0].isupper() or w.lower() in {"and", "și", "si", "de", "van", "von"} for w in words
    )


def _is_substantial(line: str) -> bool:
    return len(line) >= 15 and len(line.split()) >= 3 and not _is_cut(line) and not (
        _BREADCRUMB_RE.search(line) and all(len(s.split()) <= 3 for s in re.split(r"[>»›/|]", line))
    )


def _find_title(lines: list[str]) -> str:
    """The first substantial line is the headline unless it reads like a paragraph."""
    for line in lines:
        if _is_substantial(line) and not _WIRE_RE.match(line):
            return "" if len(line) > 200 or (line.endswith(".") and len(line.split()) > 25) else line
    return ""


def _body(lines: list[str], markers: set[str]) -> tuple[list[str], str]:
    """Body lines up to a teaser-list marker or a closing wire credit; the credit, if any."""
    body: list[str] = []
    credit = ""
    for line in lines:
        is_marker = line.rstrip(":").strip().casefold() in markers
        if is_marker or _WIRE_RE.match(line):
            credit = credit or ("" if is_marker else line.strip("()[] "))
            if any(body):  # before any text it is chrome above the article: skip it
                break
            continue
        body.append(line)
    return body, credit


def _paragraphs(lines: list[str]) -> list[list[str]]:
    blocks = re.split(r"\n{2,}", "\n".join(lines).strip("\n"))
    return [block.split("\n") for block in blocks if block]


def _drop_teaser_runs(paragraphs: list[list[str]]) -> list[list[str]]:
    """Drop runs of teasers: two or more cut paragraphs close together, with their headlines."""
    cut = [i for i, p in enumerate(paragraphs) if _is_cut(p[-1])]
    doomed: set[int] = set()
    run: list[int] = []
    for i in [*cut, None]:
        if i is not None and run and i - run[-1] <= 2:
            run.append(i)
            continue
        if len(run) >= 2:
            start = run[0] - 1 if run[0] > 0 and _is_teaser_headline(paragraphs[run[0] - 1]) else run[0]
            doomed.update(range(start, run[-1] + 1))
        run = [i] if i is not None else []
    return [p for i, p in enumerate(paragraphs) if i not in doomed]


TEASER_HEADLINE_WORDS = 25


def _is_teaser_headline(paragraph: list[str]) -> bool:
    """The headline above a teaser: one short line without closing punctuation.

    A paragraph of the article itself can also lack a final period (a page cut short); its
    length tells them apart, so a teaser run never takes the article's last paragraph with it.
    """
    text = " ".join(paragraph)
    return len(paragraph) == 1 and len(text.split()) <= TEASER_HEADLINE_WORDS and not text.endswith(
        (".", "!", "?", "\"", "”", "»")
    )


def _join_paragraph(lines: list[str]) -> str:
    out = lines[0]
    for line in lines[1:]:
        out += ("\n" if _BULLET_RE.match(line) else " ") + line
    return out
