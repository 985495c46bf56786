"""Committee decisions bound to artifact hashes, and the gate that refuses scoring without one.

A decision record is plain JSON, append-only, and carries its own hash, so
an edited file is detected. It binds the SHA-256 of the model file, the audit
report, the params sections that produced them, and the training data. The
gate opens only for the newest intact decision that approves exactly the
current artifacts and has not expired.

>>> rec = make_decision(decision="approve", committee="Ethiek", date=dt.date(2025, 3, 1),
...                     conditions="Review after 6 months", valid_until=None,
...                     hashes={n: "0" * 64 for n in BOUND}, verdict="ok", dilemmas=[], supersedes=None)
>>> rec["record_id"].startswith("D-20250301-")
True
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from risico.errors import RisicoError
from risico.governance.hashing import canonical_hash

__all__ = [
    "BOUND", "UNBOUND_PARAMS", "DecisionError", "GateClosed",
    "artifact_hashes", "default_model_path", "default_path", "fill_default_paths", "TARGETS", "make_decision", "write_decision", "latest_decision", "check_gate", "record_is_intact",
    "OPERATING", "check_operating",
]

BOUND = ("model", "audit", "params", "training_data")
UNBOUND_PARAMS = frozenset({"worklist", "provider_worklist", "report", "describe"})  # sections that shape neither model nor audit
APPROVE_HINT = "(python -m risico approve ...)"

UNKNOWN_ARTIFACT = "Artifact '{name}' is not bound by a decision. Allowed: " + ", ".join(BOUND) + "."
NO_ARTIFACT = "Artifact '{name}': {path} does not exist. Run the pipeline (dvc repro) first."
BAD_PARAMS = "Artifact 'params': {path} must hold a YAML mapping of sections. Got {kind} instead."
BAD_DECISION = "The 'decision' of a decision must be 'approve' or 'reject'. Got {value!r} instead."
EMPTY_FIELD = "The '{field}' of a decision must be non-empty text. Got {value!r} instead."
BAD_VALID_UNTIL = "The 'valid_until' of a decision must be after its date {date}. Got {value} instead."
MISSING_HASHES = "The 'hashes' of a decision must bind " + ", ".join(BOUND) + ". Missing: {names}."
NOT_SEALED = "Decision {record_id} does not match its record_hash: write only records made by make_decision."
EXISTS = ("Decision file {file} already exists. Decisions are append-only: record a new decision that "
          "supersedes it instead of overwriting.")
NO_DECISION = ("No committee decision in {folder}/: the worklist is refused until the ethics committee "
               "approves this model " + APPROVE_HINT + ".")
REJECTED = ("Decision {record_id} of {date} by {committee} rejects this model: the worklist is refused until "
            "a later decision approves it " + APPROVE_HINT + ".")
CHANGED = ("Decision {record_id} of {date} approved other versions of: {names}. The worklist is refused until "
           "the committee approves the current versions " + APPROVE_HINT + ".")
EXPIRED = ("Decision {record_id} expired on {valid_until} (today is {today}): the worklist is refused until "
           "the committee renews its approval " + APPROVE_HINT + ".")
#: What the audit measured at, bound into the decision: the list's length per period and its random share.
OPERATING = ("capacity", "random_share")
NO_OPERATING = ("Decision {record_id} binds no capacity and random share (it was recorded before they were bound): "
                "the worklist is refused until the committee records a new decision " + APPROVE_HINT + ".")
OTHER_OPERATING = ("The '{key}' parameter of {section} is {value}, but decision {record_id} approved the audit "
                   "measured at {bound}. Set it back to {bound}, or re-run the audit at {value} (dvc repro) and "
                   "record a new decision " + APPROVE_HINT + ".")
EDITED = ("Decision file {file} was edited after it was written: its record_hash no longer matches its "
          "content. Restore it from git, or record a new decision " + APPROVE_HINT + ".")


class DecisionError(RisicoError):
    """A decision or an artifact it should bind is not acceptable."""


class GateClosed(RisicoError):
    """No valid committee decision allows scoring with the current artifacts."""


def artifact_hashes(paths: Mapping[str, Path]) -> dict[str, str]:
    """SHA-256 per bound artifact: a file's bytes, a folder's files, or the params that made model and audit.

    A command that goes on to use the artifacts reads them with
    :func:`risico.governance.artifacts.read_artifacts` instead, and loads from the bytes it hashed.

    Parameters
    ----------
    paths : mapping of artifact name (one of ``BOUND``) to its path.
    """
    from risico.governance.artifacts import read_artifacts

    return {name: artifact.sha256 for name, artifact in read_artifacts(paths).items()}


TARGETS = ("applications", "providers")
#: Where each target's bound artifacts and decisions live by default (as dvc.yaml writes them), and the
#: model card and metrics the register reads.
DEFAULT_PATHS: dict[str, dict[str, Path]] = {
    "applications": {"models": Path("models"), "audit": Path("reports/audit/audit.json"),
                     "training_data": Path("data/interim"), "decisions": Path("governance/decisions"),
                     "model_card": Path("reports/model/model_card.md"), "metrics": Path("metrics/model.json")},
    "providers": {"models": Path("provider_models"), "audit": Path("reports/provider_audit/audit.json"),
                  "training_data": Path("data/interim"), "decisions": Path("governance/decisions/providers"),
                  "model_card": Path("reports/provider_model/model_card.md"),
                  "metrics": Path("metrics/provider_model.json")},
}


def default_model_path(params: Path, target: str = "applications") -> Path:
    """The model that scores: ``<models>/<train.model>.pkl`` (as the target's train stage writes it)."""
    from risico.params import load_section

    return DEFAULT_PATHS[target]["models"] / f"{load_section(params, 'train')['model']}.pkl"


def default_path(target: str, name: str) -> Path:
    """The default path of ``audit``, ``training_data``, ``decisions``, ``model_card`` or ``metrics``."""
    return DEFAULT_PATHS[target][name]


def fill_default_paths(args: Any, target: str, names: tuple[str, ...] = ("audit", "training_data", "decisions"),
                       ) -> None:
    """Set each of ``names`` on ``args`` (default: audit, training_data, decisions) to the target's default
    where not given."""
    for name in names:
        if getattr(args, name) is None:
            setattr(args, name, default_path(target, name))


def make_decision(*, decision: Literal["approve", "reject"], committee: str, date: dt.date, conditions: str,
                  valid_until: dt.date | None, hashes: Mapping[str, str], verdict: str, dilemmas: list[str],
                  supersedes: str | None, demo: bool = False, target: str = "applications",
                  operating: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A sealed decision record: every field, a ``record_id`` and a ``record_hash`` over all other fields.

    A ``demo`` record (``approve --demo``) carries ``"demo": true``; the worklist watermarks what it leads to.
    ``operating`` (``capacity`` and ``random_share`` the audit measured at) is bound as ``"operating"``; the
    worklist refuses other values (:func:`check_operating`).
    """
    if decision not in ("approve", "reject"):
        raise DecisionError(BAD_DECISION.format(value=decision))
    for field, value in (("committee", committee), ("conditions", conditions)):
        if not isinstance(value, str) or not value.strip():
            raise DecisionError(EMPTY_FIELD.format(field=field, value=value))
    if valid_until is not None and valid_until <= date:
        raise DecisionError(BAD_VALID_UNTIL.format(date=date.isoformat(), value=valid_until.isoformat()))
    missing = [name for name in BOUND if name not in hashes]
    if missing:
        raise DecisionError(MISSING_HASHES.format(names=", ".join(missing)))
    body: dict[str, Any] = {
        "decision": decision, "committee": committee.strip(), "date": date.isoformat(),
        "conditions": conditions.strip(), "valid_until": valid_until.isoformat() if valid_until else None,
        "hashes": {name: hashes[name] for name in BOUND}, "verdict": verdict, "dilemmas": list(dilemmas),
        "supersedes": supersedes,
    }
    if operating is not None:
        body["operating"] = {key: operating[key] for key in OPERATING}
    if demo:
        body["demo"] = True
    if target != "applications":
        body["target"] = target
    body["record_id"] = f"D-{date:%Y%m%d}-{canonical_hash(body)[:8]}"
    return {**body, "record_hash": canonical_hash(body)}


def record_is_intact(record: Any) -> bool:
    """True when the record is a mapping whose ``record_hash`` matches all its other fields."""
    if not isinstance(record, dict) or not isinstance(record.get("record_hash"), str):
        return False
    body = {key: value for key, value in record.items() if key != "record_hash"}
    return canonical_hash(body) == record["record_hash"]


def write_decision(record: Mapping[str, Any], folder: Path) -> Path:
    """Write ``<folder>/<record_id>.json``; never overwrite an existing decision."""
    if not record_is_intact(dict(record)):
        raise DecisionError(NOT_SEALED.format(record_id=record.get("record_id")))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{record['record_id']}.json"
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    except FileExistsError:
        raise DecisionError(EXISTS.format(file=path)) from None
    return path


def _read(path: Path) -> dict[str, Any] | None:
    """The record in ``path``, or None when it is not intact (edited, unreadable, or renamed)."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not record_is_intact(record) or record.get("record_id") != path.stem:
        return None
    return record


def _newest(records: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The newest record: one that no other record supersedes; among several, the latest (date, record_id).

    Two decisions on the same date are ordered by ``supersedes`` (the approve
    command fills it with the then newest record), not by their hash-based ids.
    """
    superseded = {r.get("supersedes") for r in records}
    heads = [r for r in records if r["record_id"] not in superseded] or records
    return max(heads, key=lambda r: (r["date"], r["record_id"]), default=None)


def latest_decision(folder: Path) -> dict[str, Any] | None:
    """The newest intact record by (date, record_id); edited files are skipped, None when there is none."""
    records = [_read(path) for path in sorted(folder.glob("*.json"))] if folder.is_dir() else []
    return _newest([r for r in records if r is not None])


def check_gate(folder: Path, current: Mapping[str, str], *, today: dt.date) -> dict[str, Any]:
    """The decision that allows scoring with the ``current`` artifact hashes, or raise `GateClosed`.

    Every record in ``folder`` is checked for edits first: one edited decision closes the gate.
    Then the newest decision must approve, bind exactly the current artifacts, and not have expired.
    """
    records = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        record = _read(path)
        if record is None:
            raise GateClosed(EDITED.format(file=path))
        records.append(record)
    latest = _newest(records)
    if latest is None:
        raise GateClosed(NO_DECISION.format(folder=folder))
    if latest["decision"] != "approve":
        raise GateClosed(REJECTED.format(**latest))
    changed = [name for name in BOUND if latest["hashes"].get(name) != current.get(name)]
    if changed:
        raise GateClosed(CHANGED.format(names=", ".join(changed), **latest))
    if latest["valid_until"] is not None and dt.date.fromisoformat(latest["valid_until"]) < today:
        raise GateClosed(EXPIRED.format(today=today.isoformat(), **latest))
    return latest


def check_operating(decision: Mapping[str, Any], current: Mapping[str, Any], *, section: str) -> None:
    """Raise `GateClosed` unless ``current`` (``capacity``, ``random_share`` of ``section``) equals what
    ``decision`` bound: the audit's figures hold only at the capacity and random share it measured at."""
    bound = decision.get("operating")
    if not isinstance(bound, Mapping) or any(key not in bound for key in OPERATING):
        raise GateClosed(NO_OPERATING.format(record_id=decision.get("record_id")))
    for key in OPERATING:
        if current[key] != bound[key]:
            raise GateClosed(OTHER_OPERATING.format(key=key, section=section, value=current[key], bound=bound[key],
                                                    record_id=decision["record_id"]))
