"""The approve command on a real pipeline run: a sealed record that opens the gate until something changes."""

import datetime as dt
import json
import shutil

import pytest

from risico.cli import main
from risico.governance.approve import NOT_CONFIRMED
from risico.governance.decisions import GateClosed, artifact_hashes, check_gate


@pytest.fixture()
def project(pipeline_project, tmp_path, committee_key):
    for part in ("models", "reports/audit", "data/interim"):
        shutil.copytree(pipeline_project / part, tmp_path / part)
    shutil.copy(pipeline_project / "params.yaml", tmp_path / "params.yaml")
    return tmp_path


def approve(root, *extra):
    return main(["approve", "--decision", "approve", "--committee", "Ethische commissie Testgemeente",
                 "--date", "2026-11-29", "--conditions", "Alleen met 10% aselecte steekproef.",
                 "--model", str(root / "models" / "ebm.pkl"), "--audit", str(root / "reports" / "audit" / "audit.json"),
                 "--params", str(root / "params.yaml"), "--training-data", str(root / "data" / "interim"),
                 "--decisions", str(root / "governance" / "decisions"), *extra])


def current(root):
    return artifact_hashes({"model": root / "models" / "ebm.pkl", "audit": root / "reports" / "audit" / "audit.json",
                            "params": root / "params.yaml", "training_data": root / "data" / "interim"})


def test_approve_shows_the_dilemmas_and_writes_a_sealed_record_that_opens_the_gate(project, capsys):
    assert approve(project, "--yes") == 0
    out = capsys.readouterr().out
    assert out.startswith("Audit verdict: ") and "Recorded D-20261129-" in out
    records = list((project / "governance" / "decisions").glob("*.json"))
    record = json.loads(records[0].read_text())
    assert len(records) == 1 and record["decision"] == "approve" and record["previous"] is None
    assert record["signature"]["member"] == "commissie.test" and record["demo"] is False
    assert check_gate(project / "governance" / "decisions", current(project), today=dt.date(2026, 12, 1))
    (project / "models" / "ebm.pkl").write_bytes(b"another model")
    with pytest.raises(GateClosed, match="model"):
        check_gate(project / "governance" / "decisions", current(project), today=dt.date(2026, 12, 1))


def test_without_confirmation_nothing_is_recorded(project, capsys, monkeypatch):
    import io
    monkeypatch.setattr("sys.stdin", io.StringIO("nee\n"))
    assert approve(project) == 2
    assert capsys.readouterr().err == f"risico approve: error: {NOT_CONFIRMED}\n"
    assert not (project / "governance" / "decisions").exists()
