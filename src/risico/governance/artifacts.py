"""The bound artifacts read once: the bytes that are hashed are the bytes that are used.

The gate compares the SHA-256 of the model, the audit, the params and the
training data with a committee decision. If the command then opened the files
again to use them, a file replaced in between (a few seconds into a long run)
would be used unchecked. :func:`read_artifacts` therefore reads each file
once into memory, hashes those bytes, and everything after the gate loads
from them: :func:`risico.models.store.load_model_bytes` for the model,
:meth:`Artifact.parquet` for the training data, :meth:`Artifact.yaml` for the
params, :meth:`Artifact.json` for the audit.

The hashes are the same as before this module existed (a file's bytes; a
folder's files as ``relative\\0sha256`` lines without the output marker; the
params without the operational sections), so earlier decisions still hold.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "params.yaml").write_text("train: {seed: 1}\\nworklist: {capacity: 40}\\n")
>>> params = read_artifacts({"params": folder / "params.yaml"})["params"]
>>> params.yaml()["worklist"]["capacity"], len(params.sha256)
(40, 64)
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd
import yaml

from risico.governance.decisions import (BAD_PARAMS, BOUND, NO_ARTIFACT, UNBOUND_PARAMS, UNKNOWN_ARTIFACT,
                                         DecisionError)
from risico.io import MARKER

__all__ = ["Artifact", "read_artifacts", "audited_operating_point", "NOT_IN_ARTIFACT", "BAD_YAML", "BAD_JSON",
           "NO_CAPACITY", "AUDIT_AT_OTHER_CAPACITY"]

NOT_IN_ARTIFACT = "Artifact '{name}': {path} holds no file '{file}'. Run the pipeline (dvc repro) first."
BAD_YAML = "Artifact '{name}': {path} is not valid YAML{where}."
BAD_JSON = "Artifact '{name}': {path} is not valid JSON ({reason})."


@dataclasses.dataclass(frozen=True)
class Artifact:
    """One bound artifact as read: its path, its bytes (``files``: relative name -> bytes; ``""`` for a file)
    and the SHA-256 the gate compares."""

    name: str
    path: Path
    files: Mapping[str, bytes]
    sha256: str

    @property
    def data(self) -> bytes:
        """The bytes of a file artifact."""
        return self.files[""]

    def file(self, relative: str) -> bytes:
        """The bytes of ``relative`` inside a folder artifact."""
        if relative not in self.files:
            raise DecisionError(NOT_IN_ARTIFACT.format(name=self.name, path=self.path, file=relative))
        return self.files[relative]

    def parquet(self, relative: str) -> pd.DataFrame:
        """The table ``relative`` of a folder artifact, parsed from the bytes that were hashed."""
        return pd.read_parquet(io.BytesIO(self.file(relative)))

    def yaml(self) -> dict[str, Any]:
        """The YAML mapping of a file artifact (the params), parsed from the bytes that were hashed."""
        return _yaml_mapping(self.name, self.path, self.data)

    def json(self) -> Any:
        """The JSON of a file artifact (the audit), parsed from the bytes that were hashed."""
        try:
            return json.loads(self.data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DecisionError(BAD_JSON.format(name=self.name, path=self.path, reason=type(exc).__name__)) from None


def read_artifacts(paths: Mapping[str, Path]) -> dict[str, Artifact]:
    """Each bound artifact read once into memory and hashed from those bytes.

    Parameters
    ----------
    paths : mapping of artifact name (one of ``BOUND``) to its path (a file, or a folder for the training data).

    Raises
    ------
    DecisionError
        An unknown name, a missing path, or params that are not a YAML mapping.
    """
    out = {}
    for name, path in paths.items():
        if name not in BOUND:
            raise DecisionError(UNKNOWN_ARTIFACT.format(name=name))
        path = Path(path)
        if not path.exists():
            raise DecisionError(NO_ARTIFACT.format(name=name, path=path))
        files = _read(path)
        digest = _params_hash(name, path, files[""]) if name == "params" else _hash(files)
        out[name] = Artifact(name, path, MappingProxyType(files), digest)
    return out


def _read(path: Path) -> dict[str, bytes]:
    if path.is_file():
        return {"": path.read_bytes()}
    files = sorted((p.relative_to(path).as_posix(), p) for p in path.rglob("*") if p.is_file())
    return {relative: file.read_bytes() for relative, file in files if relative != MARKER}   # the marker: who, not what


def _hash(files: Mapping[str, bytes]) -> str:
    if set(files) == {""}:
        return hashlib.sha256(files[""]).hexdigest()
    digest = hashlib.sha256()
    for relative in sorted(files):
        digest.update(f"{relative}\0{hashlib.sha256(files[relative]).hexdigest()}\n".encode())
    return digest.hexdigest()


def _yaml_mapping(name: str, path: Path, data: bytes) -> dict[str, Any]:
    try:
        content = yaml.safe_load(data.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DecisionError(BAD_YAML.format(name=name, path=path,
                                            where=f" at line {mark.line + 1}" if mark else "")) from None
    if not isinstance(content, dict):
        raise DecisionError(BAD_PARAMS.format(path=path, kind=type(content).__name__))
    return content


def _params_hash(name: str, path: Path, data: bytes) -> str:
    bound = {key: value for key, value in _yaml_mapping(name, path, data).items() if key not in UNBOUND_PARAMS}
    return hashlib.sha256(json.dumps(bound, sort_keys=True, default=str).encode()).hexdigest()


NO_CAPACITY = ("Artifact 'audit': {path} does not say at which capacity it was measured "
               "(selection.capacity_per_period). Re-run the audit (dvc repro) before the committee decides.")
AUDIT_AT_OTHER_CAPACITY = ("The 'capacity' parameter of {section} is {value}, but the audit {path} was measured at "
                           "{audited}. Re-run the audit at {value} (dvc repro) before the committee decides, or set "
                           "it back to {audited}.")


def audited_operating_point(audit: Artifact, params: Artifact, target: str) -> dict[str, Any]:
    """What a decision binds besides the hashes: the capacity the audit measured at (from the audit read once)
    and the random share of the target's worklist section (from the params read once): the audit's figures hold
    for a list of that length with that share drawn at random.

    Raises
    ------
    DecisionError
        The audit names no capacity, or the worklist asks for another capacity than the audit measured at.
    """
    from risico.governance.worklist import SECTION, parse_worklist_params

    section = SECTION[target]
    content = audit.json()
    audited = content.get("selection", {}).get("capacity_per_period") if isinstance(content, dict) else None
    if isinstance(audited, bool) or not isinstance(audited, int):
        raise DecisionError(NO_CAPACITY.format(path=audit.path))
    values = params.yaml().get(section)
    wl = parse_worklist_params(values if values is not None else {}, section)
    if wl.capacity != audited:
        raise DecisionError(AUDIT_AT_OTHER_CAPACITY.format(section=section, value=wl.capacity, path=audit.path,
                                                           audited=audited))
    return {"capacity": audited, "random_share": wl.random_share}
