"""Writing outputs so that a failed stage leaves nothing half-written."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["atomic_dir", "atomic_file", "write_parquet", "write_json", "read_tables"]


@contextlib.contextmanager
def atomic_dir(target: str | Path) -> Iterator[Path]:
    """Yield a fresh temporary directory that replaces ``target`` only on success.

    On any exception the temporary directory is removed and ``target`` is left
    as it was (DVC removes a stage's outputs before running it, so a failed
    stage leaves no output at all).
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    tmp.chmod(0o755)
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if target.exists():
        shutil.rmtree(target)
    os.replace(tmp, target)


@contextlib.contextmanager
def atomic_file(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path that is renamed to ``target`` only on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    tmp.chmod(0o644)
    try:
        yield tmp
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, target)


def write_parquet(frame: pd.DataFrame, path: str | Path) -> None:
    """Write a DataFrame to Parquet, byte-for-byte reproducibly (no index, fixed settings)."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(table, path, compression="zstd", row_group_size=1_000_000, write_statistics=True)


def write_json(data: Mapping[str, Any], path: str | Path) -> None:
    """Write JSON with sorted keys and a trailing newline (stable diffs)."""
    with atomic_file(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def read_tables(folder: str | Path, names: tuple[str, ...] | list[str]) -> dict[str, pd.DataFrame]:
    """Read ``<folder>/<name>.parquet`` for each name."""
    folder = Path(folder)
    return {name: pd.read_parquet(folder / f"{name}.parquet") for name in names}
