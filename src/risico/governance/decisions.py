"""Committee decisions bound to artifact hashes, and the gate that refuses scoring without one.

A decision record is plain JSON, append-only, carries its own hash, and is
signed by a committee member's key (:mod:`risico.governance.keys`). It binds
the SHA-256 of the model file, the audit report, the params sections that
produced them, and the training data. The records of one folder form a chain:
each names the ``record_hash`` of the one before (``previous``, null for the
first). The gate reads the whole chain and refuses, naming the file, an
edited, unsigned, re-sealed or wrongly signed record, a missing, inserted or
back-dated one, a record dated after today or valid only until before its
date, and (in a git work tree) a decision file git knows but the folder lacks.
Then it opens only when the newest record approves exactly the current
artifacts and has not expired.

>>> rec = make_decision(decision="approve", committee="Ethiek", date=dt.date(2025, 3, 1),
...                     conditions="Review after 6 months", valid_until=None,
...                     hashes={n: "0" * 64 for n in BOUND}, verdict="ok", dilemmas=[], previous=None)
>>> rec["record_id"].startswith("D-20250301-"), rec["previous"], rec["demo"]
(True, None, False)
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from risico.errors import RisicoError
from risico.governance.hashing import canonical_hash
from risico.governance.keys import SigningError, keys_folder, read_public_keys, verify_record

__all__ = [
    "BOUND", "UNBOUND_PARAMS", "DecisionError", "GateClosed",
    "artifact_hashes", "default_model_path", "default_path", "fill_default_paths", "TARGETS", "make_decision",
    "write_decision", "read_chain", "latest_decision", "check_gate", "record_is_intact", "stage_in_git",
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
BEFORE_PREVIOUS = ("The 'date' of a decision must not be before the newest decision {record_id} of {date}: "
                   "decisions are recorded in order. Got {date_given} instead.")
NOT_SIGNED = "Decision {record_id} carries no signature: sign it with a member's key (risico.governance.keys)."
CHAIN_MISSING = ("Decision file {file} breaks the chain: the record it follows (record_hash {previous}) is not in "
                 "{folder}/. A decision was removed; restore it from git.")
CHAIN_FORK = ("Decision file {file} breaks the chain: it follows {what}, as {other} does. A decision was inserted "
              "or replaced; restore the folder from git.")
CHAIN_ORDER = ("Decision file {file} breaks the chain: it is dated {date}, before the record it follows "
               "({previous_id} of {previous_date}).")
FUTURE = ("Decision file {file} is dated {date}, after today ({today}): a decision holds from the day it was "
          "taken, never before.")
UNTIL_BEFORE = "Decision file {file} is valid until {valid_until}, which is not after its own date {date}."
GIT_MISSING = ("Decision file {file} is in git but missing from the folder: decisions are append-only. Restore it "
               "(git checkout -- {file}).")
GIT_REMOVED = ("Decision file {file} was removed in git commit {commit}: decisions are append-only. Restore it "
               "(git checkout {commit}^ -- {file}).")


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
                  previous: Mapping[str, Any] | None, demo: bool = False, target: str = "applications",
                  operating: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A sealed, not yet signed decision record: every field, a ``record_id`` and a ``record_hash``.

    ``previous`` is the newest record of the folder (None for the first): the record names its
    ``record_id`` (``supersedes``) and its ``record_hash`` (``previous``). ``demo`` (``approve --demo``)
    is part of the signed content; the worklist watermarks what a demo leads to. ``operating``
    (``capacity`` and ``random_share`` the audit measured at) is bound as ``"operating"``, inside the
    signed content; the worklist refuses other values (:func:`check_operating`).
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
    if previous is not None and date.isoformat() < previous["date"]:
        raise DecisionError(BEFORE_PREVIOUS.format(date_given=date.isoformat(), record_id=previous["record_id"],
                                                   date=previous["date"]))
    body: dict[str, Any] = {
        "decision": decision, "committee": committee.strip(), "date": date.isoformat(),
        "conditions": conditions.strip(), "valid_until": valid_until.isoformat() if valid_until else None,
        "hashes": {name: hashes[name] for name in BOUND}, "verdict": verdict, "dilemmas": list(dilemmas),
        "supersedes": previous["record_id"] if previous else None,
        "previous": previous["record_hash"] if previous else None, "demo": bool(demo),
    }
    if operating is not None:
        body["operating"] = {key: operating[key] for key in OPERATING}
    if target != "applications":
        body["target"] = target
    body["record_id"] = f"D-{date:%Y%m%d}-{canonical_hash(body)[:8]}"
    return {**body, "record_hash": canonical_hash(body)}


def record_is_intact(record: Any) -> bool:
    """True when the record is a mapping whose ``record_hash`` matches all its fields but it and the signature."""
    if not isinstance(record, dict) or not isinstance(record.get("record_hash"), str):
        return False
    body = {key: value for key, value in record.items() if key not in ("record_hash", "signature")}
    return canonical_hash(body) == record["record_hash"]


def write_decision(record: Mapping[str, Any], folder: Path) -> Path:
    """Write ``<folder>/<record_id>.json``; never overwrite an existing decision, never write an unsigned one."""
    if not record_is_intact(dict(record)):
        raise DecisionError(NOT_SEALED.format(record_id=record.get("record_id")))
    if not isinstance(record.get("signature"), dict):
        raise DecisionError(NOT_SIGNED.format(record_id=record.get("record_id")))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{record['record_id']}.json"
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    except FileExistsError:
        raise DecisionError(EXISTS.format(file=path)) from None
    return path


# -- reading: every record checked, the chain walked ----------------------------------------------------


def _git(folder: Path, *args: str) -> list[str] | None:
    """The output lines of ``git -C folder args``, or None outside a git work tree (or without git)."""
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.splitlines() if done.returncode == 0 else None


def stage_in_git(path: Path) -> bool:
    """``git add`` a new decision file, so that deleting it is seen even before it is committed."""
    return _git(path.parent, "add", "--", path.name) is not None


def _own(name: str) -> bool:
    return "/" not in name and name.endswith(".json")


def _check_git(folder: Path) -> None:
    """Refuse when git knows a decision file of ``folder`` (staged, committed, or removed in a commit) that is gone."""
    for name in filter(_own, _git(folder, "ls-files", "--deleted", "--", ".") or []):
        raise GateClosed(GIT_MISSING.format(file=folder / name))
    commit = None
    for line in _git(folder, "log", "--diff-filter=D", "--name-only", "--relative", "--format=commit %h",
                     "--", ".") or []:
        if line.startswith("commit "):
            commit = line.removeprefix("commit ")
        elif _own(line) and not (folder / line).exists():
            raise GateClosed(GIT_REMOVED.format(file=folder / line, commit=commit))


def _read(path: Path) -> dict[str, Any]:
    """The record in ``path``; `GateClosed` when it is not intact (edited, unreadable, or renamed)."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        record = None
    if not record_is_intact(record) or record.get("record_id") != path.stem:
        raise GateClosed(EDITED.format(file=path))
    return record


def _check_dates(record: Mapping[str, Any], path: Path, today: dt.date) -> None:
    try:
        date = dt.date.fromisoformat(record["date"])
        until = dt.date.fromisoformat(record["valid_until"]) if record["valid_until"] is not None else None
    except (KeyError, TypeError, ValueError):
        raise GateClosed(EDITED.format(file=path)) from None
    if date > today:
        raise GateClosed(FUTURE.format(file=path, date=date.isoformat(), today=today.isoformat()))
    if until is not None and until <= date:
        raise GateClosed(UNTIL_BEFORE.format(file=path, valid_until=until.isoformat(), date=date.isoformat()))


def _chain(records: Mapping[Path, dict[str, Any]], folder: Path) -> list[dict[str, Any]]:
    """The records from the first to the newest; `GateClosed` naming the file where the chain breaks."""
    by_hash = {record["record_hash"]: record for record in records.values()}
    follows: dict[str | None, Path] = {}
    for path, record in records.items():
        previous = record.get("previous")
        before = by_hash.get(previous) if isinstance(previous, str) else None
        if previous is not None and before is None:
            raise GateClosed(CHAIN_MISSING.format(file=path, previous=str(previous)[:12], folder=folder))
        if previous in follows:
            what = f"decision {before['record_id']}" if before else "no record (it claims to be the first)"
            raise GateClosed(CHAIN_FORK.format(file=path, what=what, other=follows[previous]))
        if before is not None and record["date"] < before["date"]:
            raise GateClosed(CHAIN_ORDER.format(file=path, date=record["date"], previous_id=before["record_id"],
                                                previous_date=before["date"]))
        follows[previous] = path
    chain, link = [], None
    while link in follows:
        chain.append(records[follows[link]])
        link = chain[-1]["record_hash"]
    return chain


def read_chain(folder: Path, *, today: dt.date, keys: Path | None = None) -> list[dict[str, Any]]:
    """Every decision in ``folder``, oldest first, each checked; `GateClosed` naming the first that fails.

    ``keys`` holds the committee's public keys (default: ``governance/keys`` beside ``folder``).
    """
    files = sorted(folder.glob("*.json")) if folder.is_dir() else []
    if not files:
        return []
    keys = keys_folder(folder) if keys is None else keys
    _check_git(folder)
    try:
        trusted = read_public_keys(keys)
        records = {path: _read(path) for path in files}
        for path, record in records.items():
            verify_record(record, trusted, file=path, keys=keys)
            _check_dates(record, path, today)
    except SigningError as exc:
        raise GateClosed(str(exc)) from None
    return _chain(records, folder)


def latest_decision(folder: Path, *, today: dt.date | None = None, keys: Path | None = None,
                    ) -> dict[str, Any] | None:
    """The newest decision of the verified chain in ``folder`` (None when there is none); `GateClosed` when
    any record fails its checks."""
    chain = read_chain(folder, today=today or dt.date.today(), keys=keys)
    return chain[-1] if chain else None


def check_gate(folder: Path, current: Mapping[str, str], *, today: dt.date, keys: Path | None = None,
               ) -> dict[str, Any]:
    """The decision that allows scoring with the ``current`` artifact hashes, or raise `GateClosed`.

    The whole chain is checked first (:func:`read_chain`): one bad record closes the gate.
    Then the newest decision must approve, bind exactly the current artifacts, and not have expired.
    """
    latest = latest_decision(folder, today=today, keys=keys)
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
