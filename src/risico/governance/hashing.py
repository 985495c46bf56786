"""The one way governance records are hashed: canonical JSON and file digests.

Decisions, sealed route files and usage-log lines all carry a SHA-256 over
the canonical JSON of their other fields (sorted keys, no spaces, UTF-8), so
an edit anywhere is detected the same way.

>>> canonical_json({"b": 1, "a": "é"})
'{"a":"é","b":1}'
>>> canonical_hash({"a": 1}) == canonical_hash({"a": 1.0})
False
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["canonical_json", "canonical_hash", "file_sha256"]


def canonical_json(content: Mapping[str, Any], *, allow_nan: bool = True) -> str:
    """``content`` as JSON with sorted keys and no spaces (``allow_nan=False``: NaN raises ``ValueError``)."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=allow_nan)


def canonical_hash(content: Mapping[str, Any], *, allow_nan: bool = True) -> str:
    """SHA-256 of :func:`canonical_json` of ``content``, UTF-8 encoded."""
    return hashlib.sha256(canonical_json(content, allow_nan=allow_nan).encode("utf-8")).hexdigest()


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
