"""Reading archive files safely (size, emptiness, binary, encoding) and walking folders.

Decoding rule: UTF-8 (with or without BOM), UTF-16 when it starts with a BOM; otherwise
cp1252 (a superset of latin-1's printable range) but only when the result is plausible
text: no control characters besides tab/newline, and at least 70% of the visible
characters ASCII. Anything else is "undecodable" rather than silently mangled.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from qabot.errors import SourceError
from qabot.ingest.clean import RawPage

TEXT_EXTS = frozenset({".txt", ".md"})
HTML_EXTS = frozenset({".html", ".htm"})
JSON_EXTS = frozenset({".json", ".jsonl"})
FEED_EXTS = frozenset({".xml", ".rss", ".atom"})
KNOWN_EXTS = TEXT_EXTS | HTML_EXTS | JSON_EXTS | FEED_EXTS

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_FRONT_MATTER_RE = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_MD_RULES = (
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links keep their text
    (re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+", re.MULTILINE), ""),  # subheadings
    (re.compile(r"^[ \t]{0,3}>[ \t]?", re.MULTILINE), ""),  # quotes
    (re.compile(r"^[ \t]{0,3}(?:[-*_][ \t]*){3,}$", re.MULTILINE), ""),  # rules
    (re.compile(r"(\*\*|__|`)"), ""),  # emphasis and code marks
)


def human_size(size: float) -> str:
    """Bytes in the unit that keeps a digit worth reading: 2.0 KB, not 0.0 MB."""
    if size < 1024:
        return f"{size:.0f} bytes"
    if size < 1048576:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1048576:.1f} MB"


def read_bytes(path: Path, max_file_mb: float) -> bytes:
    """The file's bytes, refusing missing, oversized, empty and binary files."""
    try:
        size = path.stat().st_size
        if size > max_file_mb * 1024 * 1024:
            raise SourceError(
                f"too large: {human_size(size)}, over the {human_size(max_file_mb * 1048576)} cap "
                "(QABOT_MAX_FILE_MB)"
            )
        data = path.read_bytes()
    except FileNotFoundError as e:
        raise SourceError("no such file or folder") from e
    except OSError as e:
        raise SourceError(f"cannot read: {e.strerror or e}") from e
    if not data.strip():
        raise SourceError("empty file")
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError("binary file (contains NUL bytes)")
    return data


def decode_text(data: bytes) -> str:
    """Text from bytes by the module's decoding rule; SourceError when none fits."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise SourceError(f"undecodable UTF-16 text at byte {e.start}") from e
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        utf8_error = e
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = ""
    visible = [c for c in text if not c.isspace()]
    if text and not _CONTROL_RE.search(text) and sum(c.isascii() for c in visible) >= 0.7 * len(visible):
        return text
    raise SourceError(
        f"undecodable text: not UTF-8 (byte 0x{data[utf8_error.start]:02x} at offset "
        f"{utf8_error.start}) and not plausible cp1252"
    )


def read_text(path: Path, max_file_mb: float) -> str:
    text = decode_text(read_bytes(path, max_file_mb))
    if not text.strip():
        raise SourceError("empty file")
    return text


FOLDER_NOTES = frozenset({"README", "LICENSE", "CHANGELOG", "NOTICE"})


def iter_files(root: Path, errors: list[OSError] | None = None) -> Iterator[Path]:
    """Files under ``root`` with a known extension, sorted; hidden files and folders and a
    folder's own notes (README, LICENSE, CHANGELOG) are skipped.

    Folders that cannot be listed are appended to ``errors`` (so the caller can report them).
    """
    for folder, dirs, names in os.walk(root, onerror=None if errors is None else errors.append):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            path = Path(folder) / name
            if name.startswith(".") or path.stem.upper() in FOLDER_NOTES:
                continue
            if path.suffix.lower() in KNOWN_EXTS:
                yield path


def text_page(path: Path, text: str) -> tuple[RawPage, dict[str, str]]:
    """A .txt/.md file as a page to clean, plus metadata from markdown front matter."""
    meta: dict[str, str] = {}
    if path.suffix.lower() != ".md":
        return RawPage(text=text, source=str(path)), meta
    match = _FRONT_MATTER_RE.match(text)
    if match:
        for line in match.group(1).splitlines():
            key, sep, value = line.partition(":")
            if sep and value.strip():
                meta[key.strip().lower()] = value.strip().strip("\"'")
        text = text[match.end() :]
    title = meta.pop("title", "")
    lines = text.lstrip("\n").split("\n", 1)
    if lines[0].startswith("# "):
        title = title or lines[0][2:].strip()
        text = lines[1] if len(lines) > 1 else ""
    for pattern, repl in _MD_RULES:
        text = pattern.sub(repl, text)
    return RawPage(text=text, source=str(path), title=title), meta
