"""Stable article identity, so re-ingesting the same article updates it instead of adding a copy.

Order: an explicit id; else the canonical URL, normalised; else the file's path relative
to the folder that was ingested (a file given on its own: its file name); else a hash of
the text (``sha1:...``), used for records that have neither id nor URL, such as a JSONL
line without them: a line number would change whenever the file is edited.

A path-made id depends on what was named on the command line, so the pipeline keeps the id a
file was first stored under when the same file comes back under another path-made id.
"""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_TRACKING = {"fbclid", "gclid", "mc_cid", "mc_eid"}
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_url(url: str, *, keep_slash: bool = False) -> str:
    """Lowercase scheme and host, no default port, fragment, utm_* params or trailing slash.

    ``keep_slash`` keeps the path as it is: for the URL shown to users, which must still work.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if parts.port and parts.port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{parts.port}"
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in _TRACKING
    ]
    return urlunsplit((scheme, host, parts.path if keep_slash else parts.path.rstrip("/"), urlencode(query), ""))


def content_hash(text: str) -> str:
    return "sha1:" + hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest()


def article_id(*, explicit_id: str = "", url: str = "", rel_path: str = "", text: str = "") -> str:
    """The first identity available, in the order the module docstring gives."""
    if explicit_id.strip():
        return explicit_id.strip()
    if url.strip():
        return normalise_url(url)
    if rel_path:
        return rel_path
    return content_hash(text)
