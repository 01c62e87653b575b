"""The configured sources: ``QABOT_SOURCES`` and the TOML sources file (``QABOT_SOURCES_FILE``).

The file names each source, so the sync state, ``qabot sources`` and the admins' alerts
speak of "Newsroom sitemap" rather than a URL; it also gives a default section for articles
whose page names none, and a refresh interval (a source refreshed less often than the schedule
is skipped by rounds that come before its time)::

    [[source]]
    name = "Newsroom sitemap"
    url = "https://news.example.ro/sitemap.xml"   # or: path = "/srv/archive"
    section = "News"                              # optional
    every = "1h"                                  # optional; default: every round
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qabot.errors import ConfigError
from qabot.text.durations import parse_duration

if TYPE_CHECKING:
    from qabot.settings import Settings


@dataclass(frozen=True)
class SourceSpec:
    """One configured source; ``every`` in seconds (0: every round)."""

    name: str
    location: str
    section: str = ""
    every: float = 0.0

    @classmethod
    def of(cls, source: str | SourceSpec) -> SourceSpec:
        return source if isinstance(source, SourceSpec) else cls(name=source, location=source)


def read_sources_file(path: Path) -> list[SourceSpec]:
    """The sources a TOML file lists; ConfigError naming the file and the entry when one is bad."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]

    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(f"{path}: cannot read the sources file: {e.strerror or e}") from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from e
    entries = data.get("source", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: expected [[source]] tables")
    specs: list[SourceSpec] = []
    for n, entry in enumerate(entries, start=1):
        where = f"{path}: source {n}"
        location = str(entry.get("url") or entry.get("path") or "").strip()
        if not location:
            raise ConfigError(f"{where}: needs url or path")
        if entry.get("path"):
            location = str((Path(path).parent / Path(location).expanduser()).resolve())
        every = parse_duration(str(entry.get("every") or ""), name=f"{where}: every")
        specs.append(SourceSpec(
            name=str(entry.get("name") or location).strip(), location=location,
            section=str(entry.get("section") or "").strip(), every=every,
        ))
    names = [s.name for s in specs]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate:
        raise ConfigError(f"{path}: two sources are named {duplicate!r}")
    return specs


def configured_sources(settings: Settings) -> list[SourceSpec]:
    """The sources file's entries, then ``QABOT_SOURCES`` entries the file does not already list."""
    specs = read_sources_file(settings.sources_file) if settings.sources_file else []
    known = {s.location for s in specs}
    return specs + [SourceSpec.of(s) for s in settings.sources if s not in known]
