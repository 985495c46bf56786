"""The usage log: an append-only record of every worklist run, kept as a hash chain (EU AI Act art. 12).

Every worklist run appends one line to ``governance/usage-log.jsonl``: who ran
it and when, under which committee decision, with which model and input batch,
how many applications were scored and selected per route, and the SHA-256 of
every file it wrote. One JSON object per line, keys sorted::

    {"batch_hash": ..., "decision_id": ..., "hash": ..., "model_hash": ..., "n_scored": 1271,
     "n_selected": {"random": 4, "risk": 40}, "outputs": {"worklist.csv": ...}, "prev_hash": ...,
     "seq": 3, "timestamp": "2026-11-29T10:15:00+01:00", "user": "j.jansen"}

Design
------
- **Hash chain.** Each line carries ``seq`` (1-based), ``prev_hash`` (the
  previous line's ``hash``; 64 zeros for the first line) and ``hash``: the
  SHA-256 of the canonical JSON (``sort_keys``, separators ``(",", ":")``,
  ``ensure_ascii=False``, UTF-8) of all its other fields, the same scheme as
  the committee decisions and the sealed routes. :func:`verify_log` then
  detects a line that is not JSON, an altered line (its hash no longer matches
  its content), and a removed, inserted or reordered line (``prev_hash`` is not
  the previous line's hash, or ``seq`` is not consecutive). Every problem
  names the line number in the file.
- **Append only after every check.** :func:`append_usage` validates the entry
  and verifies the whole existing chain first; it refuses to extend a broken
  log, because a new line would hide the break behind a valid-looking head.
  It holds an exclusive ``fcntl.flock`` on the log while it reads, checks and
  appends, and flushes and fsyncs the line before it returns, so two runs at
  the same moment cannot both claim the same ``seq``.

What a hash chain cannot detect on its own
------------------------------------------
The chain proves that the lines it holds belong together, not that it is
complete. Two changes leave a chain that verifies:

1. **Truncating the tail.** Deleting the last line(s) leaves a shorter,
   intact chain.
2. **Rewriting the whole chain.** Anyone who can write the file can recompute
   every ``hash`` and ``prev_hash`` after a change.

Both are detected by comparing with a hash kept *outside* the log. The
worklist command writes the ``hash`` of the line it appended (the value
:func:`append_usage` returns) into its output folder as ``receipt.json``;
copies of the head hash can also be kept elsewhere (a ticket, an e-mail to the
committee secretary, a second machine). Pass such a hash as ``expected_head``
to :func:`verify_log` (``python -m risico verify-log --expect-head HASH``): if
the chain does not contain it, lines were removed from the end or the chain
was rewritten. Without ``expected_head`` a truncated log verifies as intact.

>>> import tempfile
>>> log = Path(tempfile.mkdtemp()) / "usage-log.jsonl"
>>> entry = {"timestamp": "2026-11-29T10:15:00+01:00", "user": "j.jansen", "decision_id": "D-20261129-0a1b2c3d",
...          "model_hash": "a" * 64, "batch_hash": "b" * 64, "n_scored": 1271,
...          "n_selected": {"risk": 40, "random": 4}, "outputs": {"worklist.csv": "c" * 64}}
>>> line = append_usage(log, entry)
>>> line["seq"], line["prev_hash"] == GENESIS
(1, True)
>>> report = verify_log(log, expected_head=line["hash"])
>>> report.n_lines, report.problems, report.head_hash == line["hash"]
(1, [], True)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fcntl
import json
import numbers
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from risico.errors import RisicoError
from risico.governance.hashing import canonical_hash, canonical_json

__all__ = ["GENESIS", "REQUIRED", "CHAIN_FIELDS", "UsageLogError", "LogReport", "line_hash", "check_entry",
           "append_usage", "retract_usage", "verify_log"]

#: ``prev_hash`` of the first line.
GENESIS = "0" * 64
#: Fields every entry must have (more are allowed and are covered by the hash too).
REQUIRED = ("timestamp", "user", "decision_id", "model_hash", "batch_hash", "n_scored", "n_selected", "outputs")
#: Fields :func:`append_usage` adds; an entry may not set them.
CHAIN_FIELDS = ("seq", "prev_hash", "hash")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")

MISSING_FIELDS = "The usage entry misses field(s) {names}. Required: " + ", ".join(REQUIRED) + "."
CHAIN_FIELD_GIVEN = ("The usage entry sets {names}, which append_usage computes itself. "
                     "Remove them from the entry.")
BAD_FIELD = "The '{field}' of a usage entry must be {allowed}. Got {value!r} instead."
NOT_JSON = ("The usage entry must hold only JSON values (text, numbers, true/false, null, lists, mappings; "
            "no NaN): {reason}.")
NOT_A_MAPPING = "A usage entry must be a mapping of field names to values. Got {kind} instead."
TOO_MANY_SELECTED = ("The 'n_selected' of a usage entry adds up to {total}, more than n_scored {n_scored}. "
                     "Only scored applications can be selected.")
BROKEN = ("Usage log {path} is broken, so nothing was appended: {first} ({count} problem(s) in all). "
          "Check it with `python -m risico verify-log --log {path}` and restore it from a backup.")
DATED_BEFORE = ("The usage entry is dated {timestamp}, before line {n} of {path} ({previous}). A line may not be "
                "dated before the line before it: check the computer's clock.")
NOT_LAST = ("Usage log {path}: the line of run {run} is not its last line, so nothing was removed. "
            "Check it with `python -m risico verify-log --log {path}`.")
BAD_HEAD = "The expected head of a usage log must be a SHA-256 hash (64 hex digits, lowercase). Got {value!r} instead."

ALLOWED = {
    "timestamp": "an ISO 8601 date and time with a time zone, e.g. '2026-11-29T10:15:00+01:00'",
    "user": "non-empty text",
    "decision_id": "non-empty text",
    "model_hash": "a SHA-256 hash (64 hex digits, lowercase)",
    "batch_hash": "a SHA-256 hash (64 hex digits, lowercase)",
    "n_scored": "an int >= 0",
    "n_selected": "a non-empty mapping of route names to ints >= 0, e.g. {'risk': 40, 'random': 4}",
    "outputs": "a non-empty mapping of file names to SHA-256 hashes (64 hex digits, lowercase)",
}


class UsageLogError(RisicoError):
    """An entry cannot be logged, or the log it should extend is broken."""


@dataclasses.dataclass(frozen=True)
class LogReport:
    """What :func:`verify_log` found.

    Attributes
    ----------
    path : Path
        The log checked.
    exists : bool
        False when the file does not exist (an empty log: no runs recorded yet).
    n_lines : int
        Lines in the file (runs recorded, if the log is intact).
    head_hash : str
        ``hash`` of the last readable line; ``GENESIS`` (64 zeros) for an empty log.
    problems : list of str
        One line each, naming the line number and what is wrong; empty when intact.
    records : tuple of (int, dict)
        Every readable line with its line number (to match runs with their sealed route files).
    """

    path: Path
    exists: bool
    n_lines: int
    head_hash: str
    problems: list[str]
    records: tuple[tuple[int, dict[str, Any]], ...] = ()

    @property
    def intact(self) -> bool:
        """True when no problem was found."""
        return not self.problems


# -- hashing ------------------------------------------------------------------------------------------


def line_hash(line: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of every field of ``line`` except ``hash``."""
    body = {key: value for key, value in line.items() if key != "hash"}
    return canonical_hash(body, allow_nan=False)


# -- checking an entry ----------------------------------------------------------------------------------


def _is_count(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 0


def _is_sha256(value: Any) -> bool:
    return isinstance(value, str) and bool(_SHA256.match(value))


def _is_timestamp(value: Any) -> bool:
    if not isinstance(value, str) or "T" not in value:
        return False
    try:
        return dt.datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _is_mapping_of(value: Any, check: Any) -> bool:
    return (isinstance(value, Mapping) and bool(value)
            and all(_is_text(key) and check(item) for key, item in value.items()))


_CHECKS = {
    "timestamp": _is_timestamp,
    "user": _is_text,
    "decision_id": _is_text,
    "model_hash": _is_sha256,
    "batch_hash": _is_sha256,
    "n_scored": _is_count,
    "n_selected": lambda value: _is_mapping_of(value, _is_count),
    "outputs": lambda value: _is_mapping_of(value, _is_sha256),
}


def check_entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The entry as a plain dict of JSON values, or raise `UsageLogError` naming the first problem."""
    if not isinstance(entry, Mapping):
        raise UsageLogError(NOT_A_MAPPING.format(kind=type(entry).__name__))
    missing = [name for name in REQUIRED if name not in entry]
    if missing:
        raise UsageLogError(MISSING_FIELDS.format(names=", ".join(missing)))
    given = [name for name in CHAIN_FIELDS if name in entry]
    if given:
        raise UsageLogError(CHAIN_FIELD_GIVEN.format(names=", ".join(given)))
    for field in REQUIRED:
        if not _CHECKS[field](entry[field]):
            raise UsageLogError(BAD_FIELD.format(field=field, allowed=ALLOWED[field], value=entry[field]))
    total = sum(int(count) for count in entry["n_selected"].values())
    if total > entry["n_scored"]:
        raise UsageLogError(TOO_MANY_SELECTED.format(total=total, n_scored=entry["n_scored"]))
    try:
        return json.loads(canonical_json(dict(entry), allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise UsageLogError(NOT_JSON.format(reason=exc)) from None


# -- verifying the chain --------------------------------------------------------------------------------


def _parse(number: int, raw: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """The record on one line, or None and the problem."""
    if not raw.strip():
        return None, f"line {number} is empty (a line was inserted or a run was not logged completely)"
    try:
        record = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None, f"line {number} is not valid JSON (damaged, or an append was interrupted)"
    if not isinstance(record, dict):
        return None, f"line {number} is not a JSON object"
    if not _is_sha256(record.get("hash")) or not _is_sha256(record.get("prev_hash")) \
            or not _is_count(record.get("seq")):
        return None, f"line {number} lacks a valid seq, prev_hash or hash: it was not written by append_usage"
    return record, None


def _chain_problem(number: int, record: dict[str, Any], previous: dict[str, Any] | None,
                   positions: Mapping[str, list[int]]) -> str | None:
    """What is wrong with the link from the line before to this one, if anything."""
    expected = previous["hash"] if previous else GENESIS
    if record["prev_hash"] == expected:
        return None
    before = f"line {number - 1}" if previous else "the start of the log"
    where = positions.get(record["prev_hash"], [])
    if record["prev_hash"] == GENESIS:
        return (f"line {number} claims to be the first line (prev_hash is all zeros) but follows {before}: "
                "lines were inserted or reordered")
    if any(other > number for other in where):
        later = min(other for other in where if other > number)
        return (f"line {number} follows line {later} in the chain, which comes after it in the file: "
                "lines were reordered")
    if any(other < number - 1 for other in where):
        earlier = max(other for other in where if other < number - 1)
        return (f"line {number} follows line {earlier} in the chain, not {before}: "
                "lines were inserted or moved between them")
    return (f"line {number}: its prev_hash matches no line in the log, not {before}: "
            "the line before it was removed (or altered and re-hashed)")


def _seq_problem(number: int, record: dict[str, Any], previous: dict[str, Any] | None) -> str | None:
    expected = previous["seq"] + 1 if previous else 1
    if record["seq"] == expected:
        return None
    return f"line {number} has seq {record['seq']}, expected {expected}: lines were removed, inserted or reordered"


def _time(record: Mapping[str, Any]) -> dt.datetime | None:
    return dt.datetime.fromisoformat(record["timestamp"]) if _is_timestamp(record.get("timestamp")) else None


def _order_problem(number: int, record: dict[str, Any], previous: dict[str, Any] | None) -> str | None:
    """A line dated before the line before it: reordered lines, or a clock set back."""
    now, before = _time(record), _time(previous) if previous else None
    if now is None or before is None or now >= before:
        return None
    return (f"line {number} is dated {record['timestamp']}, before line {number - 1} ({previous['timestamp']}): "
            "lines were reordered or a clock was set back")


def _verify_bytes(path: Path, data: bytes, expected_head: str | None) -> LogReport:
    raw_lines = data.split(b"\n")
    trailing = raw_lines.pop()  # b"" when the file ends with a newline
    if trailing:
        raw_lines.append(trailing)
    parsed = [_parse(number, raw) for number, raw in enumerate(raw_lines, 1)]
    positions: dict[str, list[int]] = {}
    for number, (record, _) in enumerate(parsed, 1):
        if record is not None:
            positions.setdefault(record["hash"], []).append(number)
    problems: list[str] = []
    previous: dict[str, Any] | None = None
    known = True  # whether the line before is readable (else its link cannot be checked)
    for number, (record, problem) in enumerate(parsed, 1):
        if record is None:
            problems.append(problem or f"line {number} cannot be read")
            known = False
            continue
        if line_hash(record) != record["hash"]:
            problems.append(f"line {number} was altered: its content no longer matches its hash")
        if known:
            problems.extend(p for p in (_chain_problem(number, record, previous, positions),
                                        _seq_problem(number, record, previous),
                                        _order_problem(number, record, previous)) if p)
        previous, known = record, True
    if trailing:
        problems.append(f"line {len(raw_lines)} does not end with a newline (an append was interrupted?)")
    if expected_head is not None and expected_head != GENESIS and expected_head not in positions:
        problems.append(f"the expected head {expected_head} is not in the log: lines were removed from its end "
                        "(truncated) or the whole chain was rewritten")
    head = previous["hash"] if previous else GENESIS
    records = tuple((number, record) for number, (record, _) in enumerate(parsed, 1) if record is not None)
    return LogReport(path=path, exists=True, n_lines=len(raw_lines), head_hash=head, problems=problems,
                     records=records)


def verify_log(log_path: Path, expected_head: str | None = None) -> LogReport:
    """Check the hash chain of a usage log.

    Parameters
    ----------
    log_path : Path
        The JSON-lines log. A missing file is an empty, intact log (``exists`` is False,
        ``n_lines`` 0, ``head_hash`` ``GENESIS``).
    expected_head : str, optional
        A line hash kept outside the log (a run's ``receipt.json``, or a copy kept elsewhere).
        If the chain does not contain it, that is reported as truncation or rewriting. Without
        it, a log whose last lines were deleted verifies as intact (see the module docstring).

    Returns
    -------
    LogReport
        Every problem found, each naming the line number.

    Raises
    ------
    UsageLogError
        If ``expected_head`` is not a SHA-256 hash.
    """
    if expected_head is not None and not _is_sha256(expected_head):
        raise UsageLogError(BAD_HEAD.format(value=expected_head))
    log_path = Path(log_path)
    if not log_path.exists():
        report = _verify_bytes(log_path, b"", expected_head)
        return dataclasses.replace(report, exists=False)
    return _verify_bytes(log_path, log_path.read_bytes(), expected_head)


# -- appending ------------------------------------------------------------------------------------------


def _line_bytes(line: Mapping[str, Any]) -> bytes:
    return (json.dumps(dict(line), sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n").encode("utf-8")


def append_usage(log_path: Path, entry: Mapping[str, Any]) -> dict[str, Any]:
    """Append one worklist run to the usage log, chained to the line before.

    Parameters
    ----------
    log_path : Path
        The JSON-lines log; it and its folder are created if missing.
    entry : mapping
        ``timestamp`` (ISO 8601 with time zone), ``user``, ``decision_id``, ``model_hash``,
        ``batch_hash``, ``n_scored``, ``n_selected`` (route -> count), ``outputs``
        (file name -> SHA-256); further JSON fields are allowed and hashed too.

    Returns
    -------
    dict
        The line written: the entry plus ``seq``, ``prev_hash`` and ``hash``. Write its ``hash``
        into the run's ``receipt.json``: it detects a later truncation of the log.

    Raises
    ------
    UsageLogError
        If the entry is incomplete or malformed, or the existing log is broken; nothing is
        written then.
    """
    body = check_entry(entry)
    log_path = Path(log_path)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            handle.seek(0)
            report = _verify_bytes(log_path, handle.read(), None)
            if report.problems:
                raise UsageLogError(BROKEN.format(path=log_path, first=report.problems[0],
                                                  count=len(report.problems)))
            last = report.records[-1][1] if report.records else None
            if last is not None and _order_problem(report.n_lines + 1, body, last):
                raise UsageLogError(DATED_BEFORE.format(timestamp=body["timestamp"], n=report.n_lines,
                                                        path=log_path, previous=last["timestamp"]))
            line = {**body, "seq": report.n_lines + 1, "prev_hash": report.head_hash}
            line["hash"] = line_hash(line)
            handle.write(_line_bytes(line))
            handle.flush()
            os.fsync(handle.fileno())
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    return line


def retract_usage(log_path: Path, line: Mapping[str, Any]) -> None:
    """Remove ``line`` (as :func:`append_usage` returned it) from the end of the log: the run it records failed
    before its outputs appeared, and a governance write is all or nothing.

    Call it only while holding the governance lock the append was made under. It removes nothing but that
    line, and only when it is still the last one.

    Raises
    ------
    UsageLogError
        If the last line of the log is not ``line``; nothing is removed then.
    """
    log_path = Path(log_path)
    text = _line_bytes(line)
    with log_path.open("r+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            data = handle.read()
            if not data.endswith(text) or (len(data) > len(text) and data[-len(text) - 1:-len(text)] != b"\n"):
                raise UsageLogError(NOT_LAST.format(path=log_path, run=line.get("run_id", line.get("hash"))))
            handle.truncate(len(data) - len(text))
            handle.flush()
            os.fsync(handle.fileno())
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
