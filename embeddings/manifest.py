"""What every backend's manifest says and checks: the model an archive was built with."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from embeddings.errors import ModelMismatch


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def check_model(manifest: dict[str, Any], model_id: str | None) -> None:
    """Refuses an archive built with another model: its vectors would not compare."""
    if model_id and manifest.get("model") and manifest["model"] != model_id:
        raise ModelMismatch(
            f"the index was built with model {manifest['model']!r} but {model_id!r} is configured"
        )
