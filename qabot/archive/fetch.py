"""HTTP fetching behind a one-method seam, so feeds and article URLs can be tested over loopback."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from qabot.errors import SourceError

if TYPE_CHECKING:
    import httpx

    from qabot.settings import Settings

USER_AGENT = "qabot/0.1 (news archive indexer)"


@dataclass(frozen=True)
class FetchResult:
    url: str  # the final URL, after redirects
    content: bytes
    content_type: str


class Fetcher(Protocol):
    def get(self, url: str) -> FetchResult:
        """Fetch ``url``; raise :class:`SourceError` with a one-line reason when that fails."""
        ...


class HttpFetcher:
    """The production fetcher: httpx, redirects followed, a timeout and a size cap."""

    def __init__(self, settings: Settings) -> None:
        import httpx

        self._max_bytes = int(settings.max_file_mb * 1024 * 1024)
        self._timeout = settings.fetch_timeout
        self._client = httpx.Client(
            timeout=settings.fetch_timeout, follow_redirects=True, headers={"User-Agent": USER_AGENT}
        )

    def get(self, url: str) -> FetchResult:
        import httpx

        try:
            with self._client.stream("GET", url) as response:
                if response.status_code >= 400:
                    raise SourceError(f"HTTP {response.status_code} {response.reason_phrase}".strip())
                content = self._read_capped(response)
                return FetchResult(
                    url=str(response.url),
                    content=content,
                    content_type=response.headers.get("content-type", ""),
                )
        except httpx.TimeoutException as e:
            raise SourceError(f"timed out after {self._timeout:g}s") from e
        except httpx.InvalidURL as e:
            raise SourceError(f"invalid URL: {e}") from e
        except httpx.HTTPError as e:
            reason = str(e).splitlines()[0] if str(e) else type(e).__name__
            raise SourceError(f"unreachable: {reason}") from e

    def _read_capped(self, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            raise SourceError(f"too large: {int(declared) / 1048576:.1f} MB over the {_mb(self._max_bytes)} cap")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self._max_bytes:
                raise SourceError(f"too large: over the {_mb(self._max_bytes)} cap")
            chunks.append(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpFetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _mb(size: int) -> str:
    return f"{size / 1048576:g} MB"
