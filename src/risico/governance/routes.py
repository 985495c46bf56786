"""Sealed routes: which worklist cases the model chose and which were drawn at random.

The inspector's worklist does not show *why* a case is on it, so that the
inspection of a random case is not done differently from that of a
risk-selected one. The route of each case is kept apart, in one sealed JSON
file per worklist run::

    governance/routes/<run_id>.json
    {"run_id": ..., "decision_id": ..., "created": ...,
     "cases": [{"case_id": ..., "route": "risk" | "random", "rank": 1, "score": 0.93}, ...],
     "seal": "<sha256>"}

Design choices:

- **Seal.** ``seal`` is the SHA-256 of the canonical JSON (sorted keys,
  separators ``(",", ":")``, ``ensure_ascii=False``) of all other fields, the
  same scheme as the committee decisions. An edited, extended or renamed file
  no longer matches and :func:`read_routes` refuses it, naming the file: an
  evaluation of hit rates per route must not rest on routes changed
  afterwards. The seal detects accidental or careless edits; the repository
  history (and the SHA-256 of the file bytes that :func:`seal_routes` returns
  for the run log) guards against deliberate ones.
- **Append-only.** A run's file is written once. It is written to a
  temporary file first and then hard-linked to its name, which fails if the
  name exists: the file appears complete or not at all, and an existing run
  is never overwritten.
- **Checked before writing.** Routes are only ``risk`` or ``random``, case ids
  unique non-empty text, ranks exactly 1..n, scores finite numbers.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> cases = pd.DataFrame({"case_id": ["A-2", "A-1"], "route": ["random", "risk"],
...                       "rank": [2, 1], "score": [0.1, 0.9]})
>>> path, digest = seal_routes(cases, run_id="W-20250301-1", decision_id="D-20250301-abcdef01",
...                            created="2025-03-01T09:00:00+00:00", folder=folder)
>>> read_routes(folder)[["case_id", "route", "rank"]].to_dict("records")
[{'case_id': 'A-1', 'route': 'risk', 'rank': 1}, {'case_id': 'A-2', 'route': 'random', 'rank': 2}]
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import numbers
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from risico.errors import RisicoError
from risico.governance.hashing import canonical_hash

__all__ = ["ROUTES", "COLUMNS", "RouteError", "seal_routes", "stage_routes", "StagedRoutes", "read_routes", "seal_of"]

ROUTES = ("risk", "random")
CASE_COLUMNS = ("case_id", "route", "rank", "score")
#: Columns of :func:`read_routes`.
COLUMNS = ("run_id", "decision_id", "case_id", "route", "rank", "score")
_SAFE_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

MISSING_COLUMNS = "The cases to seal miss column(s) {names}. Required: " + ", ".join(CASE_COLUMNS) + "."
BAD_RUN_ID = ("The run_id of sealed routes must be letters, digits, '.', '_' or '-' (it names the file). "
              "Got {value!r} instead.")
EMPTY_FIELD = "The {field} of sealed routes must be non-empty text. Got {value!r} instead."
BAD_CASE_ID = "Row {row} of the cases to seal has case id {value!r}. Allowed: non-empty text without surrounding spaces."
DUPLICATE_CASE = ("Case {case!r} appears {count} times among the cases to seal (rows {rows}). "
                  "A case may be on a worklist once.")
BAD_ROUTE = "Case {case!r} has route {value!r}. Allowed: 'risk' or 'random'."
BAD_RANK = "Case {case!r} has rank {value!r}. Allowed: whole numbers 1 to {n}, each once."
DUPLICATE_RANK = "Rank {rank} is given to cases {cases}. Allowed: ranks 1 to {n}, each once."
BAD_SCORE = "Case {case!r} has score {value!r}. Allowed: a finite number."
EXISTS = ("Route file {file} already exists. Sealed routes are written once: give this worklist run "
          "a new run_id instead of overwriting.")
UNREADABLE = "Route file {file} cannot be read as JSON ({reason}). Restore it from git: it was damaged after sealing."
EDITED = ("Route file {file} was edited after it was sealed: its seal no longer matches its content. "
          "Restore it from git; routes may not be changed after the worklist was made.")
RENAMED = ("Route file {file} holds run_id {run_id!r}: it was renamed after it was sealed. "
           "Rename it back to {run_id}.json.")
MALFORMED = ("Route file {file} has a valid seal but not the fields of sealed routes ({reason}). "
             "Write route files only with seal_routes.")


class RouteError(RisicoError):
    """Cases cannot be sealed, or a sealed route file is not intact."""


def seal_of(content: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of ``content`` (sorted keys, no spaces, UTF-8)."""
    return canonical_hash(content)


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_text(field: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RouteError(EMPTY_FIELD.format(field=field, value=value))
    return value


def _records(cases: pd.DataFrame) -> list[dict[str, Any]]:
    """The cases as plain records sorted by rank, or raise `RouteError` on the first problem."""
    missing = [name for name in CASE_COLUMNS if name not in cases.columns]
    if missing:
        raise RouteError(MISSING_COLUMNS.format(names=", ".join(missing)))
    n = len(cases)
    rows = list(zip(*(cases[name].tolist() for name in CASE_COLUMNS), strict=True))
    seen: dict[str, list[int]] = {}
    for row, (case_id, *_rest) in enumerate(rows):
        if not isinstance(case_id, str) or not case_id.strip() or case_id != case_id.strip():
            raise RouteError(BAD_CASE_ID.format(row=row, value=case_id))
        seen.setdefault(case_id, []).append(row)
    for case_id, positions in seen.items():
        if len(positions) > 1:
            raise RouteError(DUPLICATE_CASE.format(case=case_id, count=len(positions),
                                                   rows=", ".join(map(str, positions))))
    by_rank: dict[int, list[str]] = {}
    records = []
    for case_id, route, rank, score in rows:
        if route not in ROUTES:
            raise RouteError(BAD_ROUTE.format(case=case_id, value=route))
        if not _is_int(rank) or not 1 <= rank <= n:
            raise RouteError(BAD_RANK.format(case=case_id, value=rank, n=n))
        if (isinstance(score, bool) or not isinstance(score, numbers.Real)
                or not math.isfinite(float(score))):
            raise RouteError(BAD_SCORE.format(case=case_id, value=score))
        by_rank.setdefault(int(rank), []).append(case_id)
        records.append({"case_id": case_id, "route": route, "rank": int(rank), "score": float(score)})
    for rank, names in sorted(by_rank.items()):
        if len(names) > 1:
            raise RouteError(DUPLICATE_RANK.format(rank=rank, cases=", ".join(repr(c) for c in names), n=n))
    return sorted(records, key=lambda record: record["rank"])


def seal_routes(cases: pd.DataFrame, *, run_id: str, decision_id: str, created: str,
                folder: Path) -> tuple[Path, str]:
    """Write the routes of one worklist run to ``<folder>/<run_id>.json``, sealed; never overwrite.

    Parameters
    ----------
    cases : pandas.DataFrame
        One row per case on the worklist: ``case_id`` (str), ``route`` (``"risk"`` or
        ``"random"``), ``rank`` (int, 1-based position on the inspector's list) and
        ``score`` (float). Other columns are ignored.
    run_id : str
        Names the file: letters, digits, ``.``, ``_`` and ``-``.
    decision_id : str
        The committee decision that allowed the scoring.
    created : str
        When the worklist was made (ISO timestamp); stored as given.
    folder : Path
        Created if missing.

    Returns
    -------
    tuple of (Path, str)
        The file written and the SHA-256 of its bytes.

    Raises
    ------
    RouteError
        If an input is not acceptable or the file exists already; nothing is written then.
    """
    staged = stage_routes(cases, run_id=run_id, decision_id=decision_id, created=created, folder=folder)
    try:
        return staged.publish(), staged.sha256
    finally:
        staged.tmp.unlink(missing_ok=True)


@dataclasses.dataclass(frozen=True)
class StagedRoutes:
    """A sealed route file written to a temporary beside its name, not yet published.

    :meth:`publish` gives it its name (exclusively: an existing run is never overwritten); :meth:`discard`
    removes the temporary and, once published, the file itself: a run that fails after sealing leaves no
    route file without its log line.
    """

    path: Path
    tmp: Path
    sha256: str

    def publish(self) -> Path:
        """Hard-link the temporary to ``path`` (fails when the name exists) and remove the temporary."""
        try:
            os.link(self.tmp, self.path)       # atomic, and fails when the name exists (exclusive create)
        except FileExistsError:
            raise RouteError(EXISTS.format(file=self.path)) from None
        self.tmp.unlink(missing_ok=True)
        return self.path

    def discard(self) -> None:
        """Remove what this run wrote: the temporary, and the published file if it is still this run's."""
        self.tmp.unlink(missing_ok=True)
        if self.path.is_file() and not self.path.is_symlink() \
                and hashlib.sha256(self.path.read_bytes()).hexdigest() == self.sha256:
            self.path.unlink()


def stage_routes(cases: pd.DataFrame, *, run_id: str, decision_id: str, created: str,
                 folder: Path) -> StagedRoutes:
    """Check and seal the routes of one worklist run into a temporary file in ``folder`` (see
    :func:`seal_routes` for the parameters); :meth:`StagedRoutes.publish` names it ``<run_id>.json``.

    Raises
    ------
    RouteError
        If an input is not acceptable or ``<run_id>.json`` exists already; nothing is written then.
    """
    if not isinstance(run_id, str) or not _SAFE_RUN_ID.match(run_id):
        raise RouteError(BAD_RUN_ID.format(value=run_id))
    body: dict[str, Any] = {
        "run_id": run_id,
        "decision_id": _check_text("decision_id", decision_id),
        "created": _check_text("created", created),
        "cases": _records(cases),
    }
    data = (json.dumps({**body, "seal": seal_of(body)}, indent=2, sort_keys=True, ensure_ascii=False)
            + "\n").encode("utf-8")
    folder = Path(folder)
    path = folder / f"{run_id}.json"
    if path.exists():
        raise RouteError(EXISTS.format(file=path))
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.chmod(0o644)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return StagedRoutes(path, tmp, hashlib.sha256(data).hexdigest())


def _read_file(path: Path) -> list[dict[str, Any]]:
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RouteError(UNREADABLE.format(file=path, reason=type(exc).__name__)) from None
    if not isinstance(content, dict) or not isinstance(content.get("seal"), str):
        raise RouteError(EDITED.format(file=path))
    body = {key: value for key, value in content.items() if key != "seal"}
    if seal_of(body) != content["seal"]:
        raise RouteError(EDITED.format(file=path))
    if set(body) != {"run_id", "decision_id", "created", "cases"} or not isinstance(body["cases"], list):
        raise RouteError(MALFORMED.format(file=path, reason="expected run_id, decision_id, created and cases"))
    if body["run_id"] != path.stem:
        raise RouteError(RENAMED.format(file=path, run_id=body["run_id"]))
    rows = []
    for case in body["cases"]:
        if not isinstance(case, dict) or set(case) != set(CASE_COLUMNS):
            raise RouteError(MALFORMED.format(file=path, reason="a case lacks case_id, route, rank or score"))
        rows.append({"run_id": body["run_id"], "decision_id": body["decision_id"], **case})
    return rows


def read_routes(folder: Path) -> pd.DataFrame:
    """The routes of every sealed worklist run in ``folder``, checked against their seals.

    Parameters
    ----------
    folder : Path
        The folder of ``<run_id>.json`` files; missing or empty gives an empty frame.

    Returns
    -------
    pandas.DataFrame
        Columns ``run_id``, ``decision_id``, ``case_id``, ``route``, ``rank`` (int64) and
        ``score`` (float64), sorted by run_id and rank.

    Raises
    ------
    RouteError
        If a file is unreadable, edited after sealing, or renamed; the message names the file.
    """
    folder = Path(folder)
    paths = sorted(p for p in folder.glob("*.json") if p.is_file()) if folder.is_dir() else []
    rows = [row for path in paths for row in _read_file(path)]
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame = frame.astype({"run_id": str, "decision_id": str, "case_id": str, "route": str,
                          "rank": "int64", "score": "float64"})
    return frame.sort_values(["run_id", "rank"], kind="stable").reset_index(drop=True)
