"""Decision records and the approval gate: hashing, sealing, append-only writing and every refusal."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from risico.errors import RisicoError
from risico.governance import decisions as d
from risico.governance.keys import SigningKey, sign_record

DAY = dt.date(2025, 3, 1)
TODAY = dt.date(2025, 4, 1)
HASHES = {"model": "a" * 64, "audit": "b" * 64, "params": "c" * 64, "training_data": "d" * 64}
FOLDER = "governance/decisions"


def decide(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = dict(decision="approve", committee="Ethische commissie", date=DAY,
                                  conditions="Herbeoordeling na 6 maanden", valid_until=dt.date(2025, 9, 1),
                                  hashes=HASHES, verdict="acceptable with conditions",
                                  dilemmas=["capacity vs. fairness"], previous=None)
    return d.make_decision(**{**fields, **overrides})


@pytest.fixture
def folder(tmp_path: Path, committee_key: SigningKey) -> Path:
    """The decisions folder, with the committee's public key beside it (``governance/keys``)."""
    return tmp_path / FOLDER


def write(record: dict[str, Any], folder: Path) -> Path:
    """Sign ``record`` with the committee's key (made by the ``committee_key`` fixture) and write it."""
    from risico.governance.keys import load_signing_key, private_key_path

    key = load_signing_key(private_key_path("commissie.test"), folder.parent / "keys")
    return d.write_decision(sign_record(record, key), folder)


# ---------------------------------------------------------------- hashing

def _tree(root: Path, files: dict[str, bytes]) -> Path:
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)
    return root


def test_file_hash_is_sha256_of_bytes(tmp_path: Path) -> None:
    model = _tree(tmp_path, {"ebm.pkl": b"abc"}) / "ebm.pkl"
    expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert d.artifact_hashes({"model": model}) == {"model": expected}


@pytest.mark.parametrize("order", [["a.parquet", "sub/b.parquet"], ["sub/b.parquet", "a.parquet"]])
def test_folder_hash_ignores_creation_order(tmp_path: Path, order: list[str]) -> None:
    content = {"a.parquet": b"1", "sub/b.parquet": b"2"}
    first = _tree(tmp_path / "one", {name: content[name] for name in order})
    second = _tree(tmp_path / "two", content)
    assert d.artifact_hashes({"training_data": first}) == d.artifact_hashes({"training_data": second})


@pytest.mark.parametrize("change", [
    {"a.parquet": b"X"},                      # one byte changed
    {"sub/c.parquet": b"2"},                  # file renamed
    {"extra.parquet": b""},                   # file added, even empty
])
def test_folder_hash_changes_with_content_or_names(tmp_path: Path, change: dict[str, bytes]) -> None:
    base = {"a.parquet": b"1", "sub/b.parquet": b"2"}
    changed = {**base, **change}
    if "sub/c.parquet" in change:
        del changed["sub/b.parquet"]
    one = d.artifact_hashes({"training_data": _tree(tmp_path / "one", base)})
    two = d.artifact_hashes({"training_data": _tree(tmp_path / "two", changed)})
    assert one != two


def test_file_hash_changes_when_a_byte_changes(tmp_path: Path) -> None:
    one = _tree(tmp_path / "one", {"audit.json": b'{"v": 1}'}) / "audit.json"
    two = _tree(tmp_path / "two", {"audit.json": b'{"v": 2}'}) / "audit.json"
    assert d.artifact_hashes({"audit": one}) != d.artifact_hashes({"audit": two})


PARAMS = {"train": {"seed": 1}, "audit": {"k": 5}, "worklist": {"capacity": 100}, "report": {"language": "nl"}}


@pytest.mark.parametrize("section, key, value, same", [
    ("worklist", "capacity", 50, True),
    ("report", "language", "en", True),
    ("train", "seed", 2, False),
    ("audit", "k", 6, False),
])
def test_params_hash_binds_only_model_and_audit_sections(tmp_path: Path, section: str, key: str, value: Any,
                                                         same: bool) -> None:
    changed = {**PARAMS, section: {key: value}}
    one = _tree(tmp_path / "one", {"params.yaml": yaml.safe_dump(PARAMS).encode()}) / "params.yaml"
    two = _tree(tmp_path / "two", {"params.yaml": yaml.safe_dump(changed, sort_keys=False).encode()}) / "params.yaml"
    assert (d.artifact_hashes({"params": one}) == d.artifact_hashes({"params": two})) is same


@pytest.mark.parametrize("name, content, message", [
    ("weights", None, d.UNKNOWN_ARTIFACT.format(name="weights")),
    ("model", None, d.NO_ARTIFACT.format(name="model", path="{path}")),
    ("params", b"- a\n- b\n", d.BAD_PARAMS.format(path="{path}", kind="list")),
])
def test_artifact_hashes_refuses(tmp_path: Path, name: str, content: bytes | None, message: str) -> None:
    path = tmp_path / "artifact"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(d.DecisionError) as caught:
        d.artifact_hashes({name: path})
    assert str(caught.value) == message.format(path=path)


# ---------------------------------------------------------------- records

def _sha256_canonical(content: dict[str, Any]) -> str:
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_record_hash_covers_every_other_field() -> None:
    record = decide()
    body = {key: value for key, value in record.items() if key != "record_hash"}
    assert record["record_hash"] == _sha256_canonical(body)
    assert set(body) == {"decision", "committee", "date", "conditions", "valid_until", "hashes", "verdict",
                         "dilemmas", "supersedes", "previous", "demo", "record_id"}
    assert json.loads(json.dumps(record)) == record


def test_record_id_names_date_and_own_hash() -> None:
    record = decide()
    body = {key: value for key, value in record.items() if key not in ("record_hash", "record_id")}
    assert record["record_id"] == f"D-20250301-{_sha256_canonical(body)[:8]}"


@pytest.mark.parametrize("overrides", [
    {"conditions": "other"}, {"decision": "reject"}, {"hashes": {**HASHES, "model": "e" * 64}},
    {"previous": {"record_id": "D-20250101-00000000", "record_hash": "0" * 64, "date": "2025-01-01"}},
    {"dilemmas": []}, {"demo": True},
])
def test_record_id_and_hash_change_with_any_field(overrides: dict[str, Any]) -> None:
    base, other = decide(), decide(**overrides)
    assert base["record_id"] != other["record_id"] and base["record_hash"] != other["record_hash"]


def test_make_decision_does_not_mutate_inputs() -> None:
    hashes, dilemmas = dict(HASHES), ["x"]
    record = decide(hashes=hashes, dilemmas=dilemmas)
    record["dilemmas"].append("y")
    assert hashes == HASHES and dilemmas == ["x"]


@pytest.mark.parametrize("overrides, message", [
    ({"decision": "maybe"}, d.BAD_DECISION.format(value="maybe")),
    ({"committee": " "}, d.EMPTY_FIELD.format(field="committee", value=" ")),
    ({"conditions": ""}, d.EMPTY_FIELD.format(field="conditions", value="")),
    ({"valid_until": DAY}, d.BAD_VALID_UNTIL.format(date="2025-03-01", value="2025-03-01")),
    ({"valid_until": dt.date(2025, 2, 1)}, d.BAD_VALID_UNTIL.format(date="2025-03-01", value="2025-02-01")),
    ({"hashes": {"model": "a" * 64, "audit": "b" * 64}}, d.MISSING_HASHES.format(names="params, training_data")),
])
def test_make_decision_refuses(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(d.DecisionError) as caught:
        decide(**overrides)
    assert str(caught.value) == message
    assert isinstance(caught.value, RisicoError)


# ---------------------------------------------------------------- writing

def test_write_decision_writes_readable_json(folder: Path) -> None:
    record = decide()
    path = write(record, folder)
    text = path.read_text(encoding="utf-8")
    assert path == folder / f"{record['record_id']}.json"
    written = json.loads(text)
    assert text == json.dumps(written, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert {key: value for key, value in written.items() if key != "signature"} == record
    assert set(written["signature"]) == {"algorithm", "key_id", "member", "value"}


def test_write_decision_refuses_an_unsigned_record(folder: Path) -> None:
    record = decide()
    with pytest.raises(d.DecisionError) as caught:
        d.write_decision(record, folder)
    assert str(caught.value) == d.NOT_SIGNED.format(record_id=record["record_id"])
    assert not folder.exists()


def test_write_decision_refuses_to_overwrite(folder: Path) -> None:
    record = decide()
    path = write(record, folder)
    before = path.read_bytes()
    with pytest.raises(d.DecisionError) as caught:
        write(record, folder)
    assert str(caught.value) == d.EXISTS.format(file=path)
    assert path.read_bytes() == before


def test_write_decision_refuses_an_unsealed_record(folder: Path) -> None:
    record = {**decide(), "conditions": "changed after sealing"}
    with pytest.raises(d.DecisionError) as caught:
        write(record, folder)
    assert str(caught.value) == d.NOT_SEALED.format(record_id=record["record_id"])
    assert not folder.exists()


# ---------------------------------------------------------------- latest and supersession

def test_latest_decision_is_none_without_records(folder: Path) -> None:
    assert d.latest_decision(folder, today=TODAY) is None


@pytest.mark.parametrize("sequence, expected", [
    (["approve"], "approve"),
    (["approve", "reject"], "reject"),              # a later reject closes the gate
    (["approve", "reject", "approve"], "approve"),  # a later approve reopens it
])
def test_later_decision_supersedes(folder: Path, sequence: list[str], expected: str) -> None:
    previous, paths = None, []
    for offset, decision in enumerate(sequence):
        record = decide(decision=decision, date=DAY + dt.timedelta(days=offset), previous=previous)
        paths.append(write(record, folder))
        previous = record
    before = [path.read_bytes() for path in paths]
    latest = d.latest_decision(folder, today=TODAY)
    assert latest is not None and latest["decision"] == expected and latest["record_id"] == previous["record_id"]
    assert [r["record_id"] for r in d.read_chain(folder, today=TODAY)] == [p.stem for p in paths]
    gate_open = expected == "approve"
    if gate_open:
        assert d.check_gate(folder, HASHES, today=TODAY) == latest
    else:
        with pytest.raises(d.GateClosed):
            d.check_gate(folder, HASHES, today=TODAY)
    assert [path.read_bytes() for path in paths] == before  # superseded files are never edited


def test_latest_decision_refuses_an_edited_file(folder: Path) -> None:
    """The register reads the newest decision this way: an edited newer file stops it, never falls back."""
    old = decide(decision="reject")
    write(old, folder)
    new_path = write(decide(date=DAY + dt.timedelta(days=1), previous=old), folder)
    new_path.write_text(new_path.read_text().replace("Herbeoordeling", "Geen"), encoding="utf-8")
    with pytest.raises(d.GateClosed) as caught:
        d.latest_decision(folder, today=TODAY)
    assert str(caught.value) == d.EDITED.format(file=new_path)


# ---------------------------------------------------------------- the gate

def _edit(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace('"approve"', '"reject"'), encoding="utf-8")


def _rename(path: Path) -> None:
    path.rename(path.with_name("D-20250301-00000000.json"))


def _garble(path: Path) -> None:
    path.write_text("{not json", encoding="utf-8")


@pytest.mark.parametrize("tamper", [_edit, _rename, _garble])
def test_gate_refuses_an_edited_decision(folder: Path, tamper: Any) -> None:
    path = write(decide(), folder)
    tamper(path)
    shown = next(folder.glob("*.json"))
    with pytest.raises(d.GateClosed) as caught:
        d.check_gate(folder, HASHES, today=TODAY)
    assert str(caught.value) == d.EDITED.format(file=shown)


def test_gate_checks_edits_before_anything_else(folder: Path) -> None:
    """An edited old record closes the gate even though a newer decision approves."""
    old = decide(decision="reject")
    old_path = write(old, folder)
    write(decide(date=DAY + dt.timedelta(days=1), previous=old), folder)
    old_path.write_text(old_path.read_text().replace('"reject"', '"approve"'), encoding="utf-8")
    with pytest.raises(d.GateClosed) as caught:
        d.check_gate(folder, HASHES, today=TODAY)
    assert str(caught.value) == d.EDITED.format(file=old_path)


@pytest.mark.parametrize("names", [["model"], ["audit"], ["params"], ["training_data"],
                                   ["model", "params"], list(d.BOUND)])
def test_gate_names_every_changed_artifact(folder: Path, names: list[str]) -> None:
    record = decide()
    write(record, folder)
    current = {**HASHES, **{name: "f" * 64 for name in names}}
    with pytest.raises(d.GateClosed) as caught:
        d.check_gate(folder, current, today=TODAY)
    assert str(caught.value) == d.CHANGED.format(record_id=record["record_id"], date="2025-03-01",
                                                 names=", ".join(names))


def test_gate_treats_a_missing_current_hash_as_changed(folder: Path) -> None:
    record = decide()
    write(record, folder)
    current = {key: value for key, value in HASHES.items() if key != "audit"}
    with pytest.raises(d.GateClosed) as caught:
        d.check_gate(folder, current, today=TODAY)
    assert str(caught.value) == d.CHANGED.format(record_id=record["record_id"], date="2025-03-01", names="audit")


def _no_decision(folder: Path) -> tuple[str, dict[str, Any]]:
    return d.NO_DECISION, {"folder": folder}


def _rejected(folder: Path) -> tuple[str, dict[str, Any]]:
    record = decide(decision="reject")
    write(record, folder)
    return d.REJECTED, record


def _expired(folder: Path) -> tuple[str, dict[str, Any]]:
    record = decide(valid_until=dt.date(2025, 3, 31))
    write(record, folder)
    return d.EXPIRED, {**record, "today": "2025-04-01"}


@pytest.mark.parametrize("setup", [_no_decision, _rejected, _expired])
def test_gate_refusals_say_what_is_missing(folder: Path, setup: Any) -> None:
    template, values = setup(folder)
    with pytest.raises(d.GateClosed) as caught:
        d.check_gate(folder, HASHES, today=TODAY)
    assert str(caught.value) == template.format(**values)
    assert "\n" not in str(caught.value) and isinstance(caught.value, RisicoError)


def test_no_decision_message_is_literal(tmp_path: Path) -> None:
    folder = tmp_path / "governance" / "decisions"
    with pytest.raises(d.GateClosed) as caught:
        d.check_gate(folder, HASHES, today=TODAY)
    assert str(caught.value) == (
        f"No committee decision in {folder}/: the worklist is refused until the ethics committee "
        "approves this model (python -m risico approve ...).")


@pytest.mark.parametrize("valid_until, today", [
    (None, dt.date(2040, 1, 1)),                 # no end date
    (dt.date(2025, 4, 1), dt.date(2025, 4, 1)),  # last valid day
    (dt.date(2025, 9, 1), DAY),                  # on the day of the decision
])
def test_gate_opens_for_a_current_approval(folder: Path, valid_until: dt.date | None, today: dt.date) -> None:
    record = decide(valid_until=valid_until)
    path = write(record, folder)
    assert d.check_gate(folder, dict(HASHES), today=today) == json.loads(path.read_text(encoding="utf-8"))


def test_gate_opens_with_hashes_of_real_artifacts(tmp_path: Path, folder: Path) -> None:
    paths = {
        "model": _tree(tmp_path, {"models/ebm.pkl": b"model"}) / "models/ebm.pkl",
        "audit": _tree(tmp_path, {"reports/audit/audit.json": b"{}"}) / "reports/audit/audit.json",
        "params": _tree(tmp_path, {"params.yaml": yaml.safe_dump(PARAMS).encode()}) / "params.yaml",
        "training_data": _tree(tmp_path, {"data/interim/a.parquet": b"rows"}) / "data/interim",
    }
    write(decide(hashes=d.artifact_hashes(paths)), folder)
    paths["params"].write_text(yaml.safe_dump({**PARAMS, "worklist": {"capacity": 7}}), encoding="utf-8")
    assert d.check_gate(folder, d.artifact_hashes(paths), today=TODAY)["decision"] == "approve"
    (tmp_path / "data/interim/a.parquet").write_bytes(b"rowz")
    with pytest.raises(d.GateClosed, match="approved other versions of: training_data\\."):
        d.check_gate(folder, d.artifact_hashes(paths), today=TODAY)


def test_make_decision_refuses_a_date_before_the_previous_decision() -> None:
    previous = decide(date=DAY)
    with pytest.raises(d.DecisionError) as caught:
        decide(date=DAY - dt.timedelta(days=1), previous=previous)
    assert str(caught.value) == d.BEFORE_PREVIOUS.format(record_id=previous["record_id"], date="2025-03-01",
                                                         date_given="2025-02-28")
    assert decide(date=DAY, previous=previous)["previous"] == previous["record_hash"]    # the same day is in order
