"""The tamper catalogue of committee decisions (issue 13, item 2): decisions that cannot be forged.

Each attack is what someone with write access to the repository (but without a member's private key) can do to
the files under ``governance/``, or what a member's hand-made tool could sign; each is refused with its exact
one-line message, by the gate (``check_gate``, which ``worklist`` calls) and by ``register``.

Layout: the working folder is ``tmp_path`` (a small project with a model, an audit, params, training data, a
model card and metrics); the members' private keys are in a folder apart (``$RISICO_KEY_DIR``).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from risico.cli import main
from risico.governance import decisions as d
from risico.governance import keys as k
from risico.governance.approve import FUTURE_DATE, NO_SIGNER
from risico.governance.hashing import canonical_hash
from tests.conftest import REPO, repo_params

MEMBER = "a.jansen"
TODAY = dt.date.today()
FOLDER = Path("governance/decisions")
KEYS = Path("governance/keys")
CARD = "# Modelkaart\n\n## Beoogd gebruik\n\nHet model rangschikt nieuwe aanvragen.\n"
METRICS = {"selected": "ebm", "test_roc_auc_observed": 0.65, "test_precision_at_capacity_observed": 0.39}
AUDIT = {"verdict": "committee_decision", "dilemmas": [],
         "selection": {"capacity_per_period": 40}}   # worklist.capacity of params.yaml, which approve binds


@pytest.fixture()
def project(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small project in the working folder, and ``MEMBER``'s key pair made by ``risico keys new``."""
    files = {"models/ebm.pkl": "model", "reports/audit/audit.json": json.dumps(AUDIT), "data/interim/a.parquet": "x",
             "reports/model/model_card.md": CARD, "metrics/model.json": json.dumps(METRICS),
             "params.yaml": yaml.safe_dump(repo_params(), sort_keys=False)}
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RISICO_KEY_DIR", str(tmp_path_factory.mktemp("private-keys")))
    monkeypatch.delenv("RISICO_MEMBER", raising=False)
    assert main(["keys", "new", "--member", MEMBER]) == 0
    return tmp_path


def approve(decision: str = "approve", date: dt.date = TODAY - dt.timedelta(days=5), *extra: str) -> int:
    return main(["approve", "--member", MEMBER, "--decision", decision, "--committee", "Ethische commissie",
                 "--date", date.isoformat(), "--conditions", "Alleen met 10% aselecte steekproef.", "--yes", *extra])


def current() -> dict[str, str]:
    return d.artifact_hashes({"model": Path("models/ebm.pkl"), "audit": Path("reports/audit/audit.json"),
                              "params": Path("params.yaml"), "training_data": Path("data/interim")})


def gate_message() -> str:
    with pytest.raises(d.GateClosed) as caught:
        d.check_gate(FOLDER, current(), today=TODAY)
    assert "\n" not in str(caught.value)
    return str(caught.value)


def files() -> list[Path]:
    return sorted(FOLDER.glob("*.json"))


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def save(record: dict[str, Any]) -> Path:
    """Write ``record`` under its own id, as an attacker with write access would."""
    path = FOLDER / f"{record['record_id']}.json"
    FOLDER.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def reseal(record: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """``record`` with ``changes``, a new record_id and record_hash computed as make_decision does; the signature
    (if any) kept as it was."""
    body = {key: value for key, value in record.items() if key not in ("record_hash", "record_id", "signature")}
    body = {**body, **changes}
    body["record_id"] = f"D-{body['date'].replace('-', '')}-{canonical_hash(body)[:8]}"
    sealed = {**body, "record_hash": canonical_hash(body)}
    return {**sealed, "signature": record["signature"]} if "signature" in record else sealed


def member_key() -> k.SigningKey:
    return k.load_signing_key(k.private_key_path(MEMBER), KEYS)


def signed(**fields: Any) -> dict[str, Any]:
    """A record signed with the member's real key, built around make_decision's checks (a hand-made tool)."""
    previous = fields.pop("previous", None)
    record = d.make_decision(decision="approve", committee="Ethische commissie", date=TODAY - dt.timedelta(days=1),
                             conditions="x", valid_until=None, hashes=current(), verdict="ok", dilemmas=[],
                             previous=previous)
    return k.sign_record(reseal(record, **fields), member_key()) if fields else k.sign_record(record, member_key())


# -- the honest path ---------------------------------------------------------------------------------------------

def test_keys_new_writes_a_private_key_apart_and_a_public_key_in_the_repository(project: Path) -> None:
    private = k.private_key_path(MEMBER)
    assert private.stat().st_mode & 0o777 == 0o600 and project not in private.parents
    public = load(KEYS / f"{MEMBER}.pub")
    assert public["member"] == MEMBER and public["algorithm"] == "Ed25519" and public["demo"] is False
    assert public["key_id"] == member_key().key_id and len(public["key_id"]) == 64
    assert "PRIVATE" not in (KEYS / f"{MEMBER}.pub").read_text() and list(KEYS.iterdir()) == [KEYS / f"{MEMBER}.pub"]


def test_a_signed_chained_approval_opens_the_gate_and_the_register_shows_it(project: Path, capsys) -> None:
    assert approve("reject", TODAY - dt.timedelta(days=9)) == 0
    assert approve() == 0
    first, second = sorted(files(), key=lambda p: load(p)["date"])
    assert load(first)["previous"] is None and load(second)["previous"] == load(first)["record_hash"]
    assert load(second)["signature"]["member"] == MEMBER and load(second)["demo"] is False
    assert d.check_gate(FOLDER, current(), today=TODAY) == load(second)
    assert main(["register"]) == 0
    entry = load(project / "reports" / "register" / "algorithm_register.json")
    assert entry["status"] == "in gebruik" and load(second)["record_id"] in entry["besluit"]


def test_a_demo_approval_is_signed_with_a_local_demo_key_and_marked_inside_the_signed_content(project) -> None:
    assert main(["approve", "--demo"]) == 0
    record = load(files()[0])
    assert record["demo"] is True and record["signature"]["member"] == "demo"
    demo_pub = next(KEYS.glob("demo-*.pub"))
    assert load(demo_pub)["demo"] is True and (project / ".risico" / "demo-key.pem").stat().st_mode & 0o777 == 0o600
    assert d.check_gate(FOLDER, current(), today=TODAY) == record
    assert "/.risico/" in (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()   # never committed


# -- forged or altered records ---------------------------------------------------------------------------------

@pytest.mark.parametrize("changes", [
    {"committee": "Ethische commissie (voltallig)"},
    {"conditions": "Geen voorwaarden."},
    {"decision": "approve"},
    {"valid_until": None},
])
def test_a_resealed_edit_is_refused(project: Path, changes: dict[str, Any]) -> None:
    assert approve("reject" if changes.get("decision") else "approve", TODAY - dt.timedelta(days=5),
                   "--valid-until", (TODAY + dt.timedelta(days=30)).isoformat()) == 0
    original = files()[0]
    record = load(original)
    original.unlink()
    forged = save(reseal(record, **changes))
    assert d.record_is_intact(load(forged))               # the unkeyed seal alone would have accepted it
    key_id = record["signature"]["key_id"]
    assert gate_message() == k.BAD_SIGNATURE.format(file=forged, member=MEMBER, key_id=key_id)


def test_removing_the_demo_mark_is_refused(project: Path) -> None:
    assert main(["approve", "--demo"]) == 0
    record = load(files()[0])
    files()[0].unlink()
    forged = save(reseal(record, demo=False, committee="Ethische commissie"))
    assert gate_message() == k.BAD_SIGNATURE.format(file=forged, member="demo", key_id=record["signature"]["key_id"])


def test_an_unsigned_record_is_refused(project: Path) -> None:
    record = d.make_decision(decision="approve", committee="Ethische commissie", date=TODAY, conditions="x",
                             valid_until=None, hashes=current(), verdict="ok", dilemmas=[], previous=None)
    path = save(record)
    assert gate_message() == k.UNSIGNED.format(file=path)
    assert main(["register"]) == 2 and not (project / "reports" / "register").exists()


def test_a_signature_by_an_unknown_key_is_refused(project: Path) -> None:
    outsider = k.SigningKey.generate(MEMBER)                     # same name, a key the committee never committed
    record = k.sign_record(signed(), outsider)
    path = save(record)
    assert gate_message() == k.UNKNOWN_KEY.format(file=path, key_id=outsider.key_id, member=MEMBER, keys=KEYS)


def test_the_signature_of_another_record_pasted_in_is_refused(project: Path) -> None:
    assert approve("reject") == 0
    genuine = load(files()[0])
    forged = reseal(genuine, decision="approve")
    files()[0].unlink()
    path = save({**forged, "signature": genuine["signature"]})
    assert gate_message() == k.BAD_SIGNATURE.format(file=path, member=MEMBER, key_id=genuine["signature"]["key_id"])


def test_a_signature_naming_another_member_is_refused(project: Path) -> None:
    record = signed()
    block = {**record["signature"], "member": "voorzitter"}
    path = save({**record, "signature": block})
    assert gate_message() == k.WRONG_MEMBER.format(file=path, member="voorzitter", key_id=block["key_id"],
                                                   owner=MEMBER)


def test_the_demo_key_on_a_real_record_is_refused(project: Path) -> None:
    demo = k.demo_signing_key(KEYS)                 # anyone with the working copy can make or read the demo key
    record = k.sign_record({key: value for key, value in signed().items() if key != "signature"}, demo)
    path = save(record)
    assert gate_message() == k.DEMO_KEY_ON_REAL.format(file=path, key_id=demo.key_id)


def test_the_demo_key_stays_a_demo_key_when_its_flag_is_edited(project: Path) -> None:
    demo = k.demo_signing_key(KEYS)
    public = next(KEYS.glob("demo-*.pub"))
    public.write_text(public.read_text().replace('"demo": true', '"demo": false'))
    path = save(k.sign_record({key: value for key, value in signed().items() if key != "signature"}, demo))
    assert gate_message() == k.DEMO_KEY_ON_REAL.format(file=path, key_id=demo.key_id)


def test_a_public_key_file_whose_key_id_does_not_match_is_refused(project: Path) -> None:
    assert approve() == 0
    public = KEYS / f"{MEMBER}.pub"
    public.write_text(json.dumps({**load(public), "key_id": "0" * 64}))
    assert gate_message() == k.BAD_PUBLIC_KEY.format(path=public, reason="key_id is not the SHA-256 of the key")


# -- the chain ---------------------------------------------------------------------------------------------------

def _git(*args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], check=True,
                   capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_deleting_the_newest_reject_does_not_reopen_the_older_approval(project: Path) -> None:
    _git("init", "-q", ".")
    assert approve("approve", TODAY - dt.timedelta(days=9)) == 0
    assert approve("reject", TODAY - dt.timedelta(days=2)) == 0       # approve stages each record in git
    reject = next(path for path in files() if load(path)["decision"] == "reject")
    reject.unlink()
    assert gate_message() == d.GIT_MISSING.format(file=reject)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_deleting_a_committed_reject_in_a_later_commit_is_refused(project: Path) -> None:
    _git("init", "-q", ".")
    assert approve("approve", TODAY - dt.timedelta(days=9)) == 0
    assert approve("reject", TODAY - dt.timedelta(days=2)) == 0
    _git("commit", "-q", "-m", "decisions")
    reject = next(path for path in files() if load(path)["decision"] == "reject")
    _git("rm", "-q", str(reject))
    _git("commit", "-q", "-m", "tidy up")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    assert gate_message() == d.GIT_REMOVED.format(file=reject, commit=commit)


def test_removing_a_record_in_the_middle_breaks_the_chain(project: Path) -> None:
    for days, decision in ((9, "approve"), (5, "reject"), (2, "approve")):
        assert approve(decision, TODAY - dt.timedelta(days=days)) == 0
    chain = sorted(files(), key=lambda p: load(p)["date"])
    chain[1].unlink()
    assert gate_message() == d.CHAIN_MISSING.format(file=chain[2], previous=load(chain[2])["previous"][:12],
                                                    folder=FOLDER)


def test_reordering_records_by_swapping_their_files_is_refused(project: Path) -> None:
    assert approve("approve", TODAY - dt.timedelta(days=9)) == 0
    assert approve("reject", TODAY - dt.timedelta(days=2)) == 0
    first, second = sorted(files(), key=lambda p: load(p)["date"])
    one, two = first.read_bytes(), second.read_bytes()
    first.write_bytes(two)
    second.write_bytes(one)
    assert gate_message() == d.EDITED.format(file=files()[0])


def test_a_backdated_record_after_a_newer_one_is_refused(project: Path) -> None:
    assert approve("reject", TODAY - dt.timedelta(days=2)) == 0
    reject = load(files()[0])
    assert approve("approve", TODAY - dt.timedelta(days=9)) == 2       # approve itself keeps the order
    backdated = signed(previous=reject, date=(TODAY - dt.timedelta(days=9)).isoformat())
    path = save(backdated)
    assert gate_message() == d.CHAIN_ORDER.format(file=path, date=backdated["date"], previous_id=reject["record_id"],
                                                  previous_date=reject["date"])


def test_a_record_inserted_in_the_middle_is_refused(project: Path) -> None:
    assert approve("approve", TODAY - dt.timedelta(days=9)) == 0
    assert approve("reject", TODAY - dt.timedelta(days=2)) == 0
    first, second = sorted(files(), key=lambda p: load(p)["date"])
    inserted = save(signed(previous=load(first), date=(TODAY - dt.timedelta(days=5)).isoformat()))
    later, earlier = max(second, inserted), min(second, inserted)          # the gate reads the files by name
    assert gate_message() == d.CHAIN_FORK.format(file=later, what=f"decision {load(first)['record_id']}",
                                                 other=earlier)


def test_a_second_first_record_is_refused(project: Path) -> None:
    assert approve("reject") == 0
    genuine = files()[0]
    extra = save(signed())
    later, earlier = max(genuine, extra), min(genuine, extra)
    assert gate_message() == d.CHAIN_FORK.format(file=later, what="no record (it claims to be the first)",
                                                 other=earlier)


# -- dates -------------------------------------------------------------------------------------------------------

def test_approve_refuses_a_date_after_today_and_writes_nothing(project: Path, capsys) -> None:
    future = TODAY + dt.timedelta(days=30)
    assert approve("approve", future) == 2
    assert capsys.readouterr().err == (f"risico approve: error: "
                                       f"{FUTURE_DATE.format(value=future.isoformat(), today=TODAY.isoformat())}\n")
    assert not FOLDER.exists()


def test_a_signed_record_dated_after_today_is_refused(project: Path) -> None:
    future = (TODAY + dt.timedelta(days=30)).isoformat()
    path = save(signed(date=future))
    assert gate_message() == d.FUTURE.format(file=path, date=future, today=TODAY.isoformat())


def test_a_signed_record_valid_until_before_its_date_is_refused(project: Path) -> None:
    date, until = TODAY - dt.timedelta(days=5), TODAY - dt.timedelta(days=10)
    path = save(signed(date=date.isoformat(), valid_until=until.isoformat()))
    assert gate_message() == d.UNTIL_BEFORE.format(file=path, valid_until=until.isoformat(), date=date.isoformat())


# -- keys --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("out", ["key.pem", "governance/keys/b.pem", "../{name}/sub/key.pem"])
def test_a_private_key_inside_the_repository_is_refused(project: Path, capsys, out: str) -> None:
    out = out.format(name=project.name)
    before = sorted(str(p) for p in project.rglob("*"))
    assert main(["keys", "new", "--member", "b.smit", "--out", out]) == 2
    message = k.INSIDE_REPOSITORY.format(path=Path(out), root=project.resolve())
    assert capsys.readouterr().err == f"risico keys: error: {message}\n"
    assert sorted(str(p) for p in project.rglob("*")) == before


def test_a_key_is_never_overwritten(project: Path, capsys) -> None:
    private = k.private_key_path(MEMBER)
    before = private.read_bytes(), (KEYS / f"{MEMBER}.pub").read_bytes()
    assert main(["keys", "new", "--member", MEMBER]) == 2
    message = k.KEY_EXISTS.format(what="public key", path=KEYS / f"{MEMBER}.pub")
    assert capsys.readouterr().err == f"risico keys: error: {message}\n"
    assert (private.read_bytes(), (KEYS / f"{MEMBER}.pub").read_bytes()) == before


@pytest.mark.parametrize("member", ["demo", "demo-1", "A.Jansen", "../x", ""])
def test_a_bad_member_name_is_refused(project: Path, capsys, member: str) -> None:
    assert main(["keys", "new", "--member", member]) == 2
    assert capsys.readouterr().err == f"risico keys: error: {k.BAD_MEMBER.format(value=member)}\n"


def test_approve_without_a_member_key_records_nothing(project: Path, capsys) -> None:
    assert main(["approve", "--decision", "approve", "--committee", "Ethische commissie", "--date",
                 TODAY.isoformat(), "--conditions", "x", "--yes"]) == 2
    assert capsys.readouterr().err == f"risico approve: error: {NO_SIGNER}\n"
    assert not FOLDER.exists()


def _outsider_key(folder: Path) -> Path:
    """A valid Ed25519 private key whose public key the committee never committed."""
    from cryptography.hazmat.primitives import serialization

    key = k.SigningKey.generate("outsider")
    path = folder / f"outsider-{key.key_id}.pem"
    path.write_bytes(key.private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    return path


@pytest.mark.parametrize("key, message", [
    (lambda outside: _outsider_key(outside),
     lambda path: k.NOT_TRUSTED.format(path=path, key_id=path.stem.removeprefix("outsider-"), keys=KEYS)),
    (lambda outside: (outside / "notes.txt", (outside / "notes.txt").write_text("not a key"))[0],
     lambda path: k.BAD_PRIVATE_KEY.format(path=path)),
    (lambda outside: outside / "missing.pem", lambda path: k.NO_PRIVATE_KEY.format(path=path)),
])
def test_approve_refuses_a_key_the_gate_would_not_trust(project: Path, tmp_path_factory, capsys, key, message):
    path = key(tmp_path_factory.mktemp("elsewhere"))
    assert main(["approve", "--key", str(path), "--decision", "approve", "--committee", "Ethische commissie",
                 "--date", TODAY.isoformat(), "--conditions", "x", "--yes"]) == 2
    assert capsys.readouterr().err == f"risico approve: error: {message(path)}\n"
    assert not FOLDER.exists()
