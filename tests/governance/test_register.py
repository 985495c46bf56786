"""The algorithm-register entry: every field, placeholders for what only the municipality knows, status from the
committee's decision, both files or neither, Dutch and English."""

import argparse
import datetime as dt
import json

import pytest
import yaml

from risico.errors import RisicoError
from risico.governance import register
from risico.governance.decisions import artifact_hashes, make_decision, write_decision
from risico.governance.register import FIELDS, PLACEHOLDER, UNKNOWN_FIELDS, build_register, read_inputs
from tests.conftest import repo_params, set_key

TODAY = dt.date(2026, 12, 1)
CARD = """# Modelkaart

## Beoogd gebruik

Het model rangschikt nieuwe aanvragen.
Het besluit blijft bij de toezichthouder.

## Gegevens

Trainen op oude aanvragen.
"""
AUDIT = {"verdict": "committee_decision", "dilemmas": [
    {"id": "disparity", "title": "Ongelijke onterechte selectie", "text": "..."},
    {"id": "disparity", "title": "Ongelijke onterechte selectie", "text": "..."},
    {"id": "feedback", "title": "Het model voedt zichzelf", "text": "..."}]}
METRICS = {"selected": "ebm", "test_roc_auc_observed": 0.654632, "test_precision_at_capacity_observed": 0.391304,
           "test_roc_auc_truth": 0.632415, "test_precision_at_capacity_truth": 0.279167,
           "vs_oracle_roc_auc_ratio": 0.8547, "vs_oracle_precision_at_capacity_ratio": 0.6734}


@pytest.fixture()
def project(tmp_path):
    (tmp_path / "reports" / "model").mkdir(parents=True)
    (tmp_path / "reports" / "audit").mkdir(parents=True)
    (tmp_path / "metrics").mkdir()
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(repo_params()), encoding="utf-8")
    (tmp_path / "reports" / "model" / "model_card.md").write_text(CARD, encoding="utf-8")
    (tmp_path / "reports" / "audit" / "audit.json").write_text(json.dumps(AUDIT), encoding="utf-8")
    (tmp_path / "metrics" / "model.json").write_text(json.dumps(METRICS), encoding="utf-8")
    return tmp_path


def args(root, **changes):
    values = {"params": root / "params.yaml", "model_card": root / "reports" / "model" / "model_card.md",
              "audit": root / "reports" / "audit" / "audit.json", "metrics": root / "metrics" / "model.json",
              "decisions": root / "governance" / "decisions", "out": root / "reports" / "register",
              "source_url": None}
    return argparse.Namespace(**{**values, **changes})


def inputs(root):
    a = args(root)
    return read_inputs(a.params, a.model_card, a.audit, a.metrics, a.decisions)


def decide(root, decision="approve", valid_until=None, audit_hash=None, demo=False):
    hashes = {"model": "1" * 64, "training_data": "2" * 64,
              **artifact_hashes({"audit": root / "reports" / "audit" / "audit.json", "params": root / "params.yaml"})}
    if audit_hash:
        hashes["audit"] = audit_hash
    record = make_decision(decision=decision, committee="Ethische commissie Testgemeente", date=dt.date(2026, 11, 29),
                           conditions="Alleen met 10% aselecte steekproef.", valid_until=valid_until, hashes=hashes,
                           verdict="committee_decision", dilemmas=[], supersedes=None, demo=demo)
    write_decision(record, root / "governance" / "decisions")
    return record


def set_language(root, language):
    params = set_key(repo_params(), "report.language", language)
    (root / "params.yaml").write_text(yaml.safe_dump(params), encoding="utf-8")


def test_the_json_has_every_field_and_the_markdown_a_heading_per_field(project, capsys):
    register.run(args(project))
    out = project / "reports" / "register"
    entry = json.loads((out / "algorithm_register.json").read_text(encoding="utf-8"))
    assert set(entry) == set(FIELDS)
    assert all(isinstance(value, str) and value.strip() for value in entry.values())
    markdown = (out / "algorithm_register.md").read_text(encoding="utf-8")
    assert markdown.count("\n## ") == len(FIELDS)
    assert "## Menselijke tussenkomst" in markdown and "## Technische werking" in markdown
    assert capsys.readouterr().out == (f"Wrote {out / 'algorithm_register.json'} and "
                                       f"{out / 'algorithm_register.md'} (status: in ontwikkeling)\n")


def test_what_the_software_knows_comes_from_its_inputs(project):
    entry = build_register(inputs(project), today=TODAY)
    assert "Het model rangschikt nieuwe aanvragen. Het besluit blijft bij de toezichthouder." in entry["doel_en_impact"]
    assert "- Ongelijke onterechte selectie (2 keer)\n- Het model voedt zichzelf" in entry["afwegingen"]
    assert "ROC AUC van 0.65" in entry["afwegingen"] and "85% van de ROC AUC" in entry["afwegingen"]
    assert "39 kenmerken" in entry["technische_werking"] and "2024-01-01" in entry["technische_werking"]
    assert "Alleen de eerlijkheidsaudit leest ze" in entry["gegevens"]
    assert "age, gender, migration_background, nationality_group" in entry["gegevens"]
    assert "40 aanvragen per maand" in entry["korte_omschrijving"]


def test_unknown_fields_carry_exactly_the_placeholder(project):
    entry = build_register(inputs(project), today=TODAY)
    for name in (*UNKNOWN_FIELDS, "broncode"):
        assert entry[name] == "in te vullen door de gemeente"
    with_url = build_register(inputs(project), today=TODAY, source_url="https://github.com/gemeente/risico")
    assert with_url["broncode"] == "https://github.com/gemeente/risico"


def test_without_a_decision_the_status_is_in_development(project):
    entry = build_register(inputs(project), today=TODAY)
    assert entry["status"] == "in ontwikkeling"
    assert entry["besluit"] == ("Er is nog geen besluit van de ethische commissie. Zonder goedkeuring maakt de "
                                "software geen werklijst.")


def test_an_approving_decision_puts_it_in_use_and_is_named(project):
    record = decide(project, valid_until=dt.date(2027, 6, 1))
    entry = build_register(inputs(project), today=TODAY)
    assert entry["status"] == "in gebruik"
    assert entry["besluit"] == (f"Goedgekeurd door Ethische commissie Testgemeente op 2026-11-29 (besluit "
                                f"{record['record_id']}), geldig tot en met 2027-06-01. Voorwaarden: Alleen met 10% "
                                "aselecte steekproef.")
    assert "Voorwaarden van de commissie: Alleen met 10% aselecte steekproef." in entry["risicobeheer"]


def test_a_demo_approval_is_never_in_use(project):
    decide(project, demo=True)
    entry = build_register(inputs(project), today=TODAY)
    assert entry["status"] == "demonstratie op synthetische gegevens (niet in gebruik)"


@pytest.mark.parametrize(("kind", "start"), [
    ("reject", "Afgewezen door Ethische commissie Testgemeente op 2026-11-29"),
    ("expired", "Goedgekeurd door Ethische commissie Testgemeente op 2026-11-29"),
    ("other_audit", "Besluit D-20261129-"),
])
def test_a_rejection_an_expiry_or_another_version_keeps_it_in_development(project, kind, start):
    if kind == "reject":
        decide(project, decision="reject")
    elif kind == "expired":
        decide(project, valid_until=dt.date(2026, 11, 30))
    else:
        decide(project, audit_hash="9" * 64)
    entry = build_register(inputs(project), today=TODAY)
    assert entry["status"] == "in ontwikkeling"
    assert entry["besluit"].startswith(start)
    if kind == "expired":
        assert "verlopen op 2026-11-30" in entry["besluit"]
    if kind == "other_audit":
        assert "andere versie goed van: de eerlijkheidsaudit." in entry["besluit"]


def test_english_with_report_language_en(project):
    set_language(project, "en")
    decide(project)
    register.run(args(project))
    out = project / "reports" / "register"
    entry = json.loads((out / "algorithm_register.json").read_text(encoding="utf-8"))
    assert set(entry) == set(FIELDS)
    assert entry["status"] == "in use"
    assert entry["organisatie"] == PLACEHOLDER["en"] == "to be filled in by the municipality"
    markdown = (out / "algorithm_register.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Algorithm register: Risk model for pre-award supervision")
    assert "## Human intervention" in markdown and "## Legal basis" in markdown


def test_a_missing_model_card_is_named_with_the_command_that_makes_it(project):
    card = project / "reports" / "model" / "model_card.md"
    card.unlink()
    with pytest.raises(RisicoError) as caught:
        register.run(args(project))
    assert str(caught.value) == (f"The model card {card} does not exist. Make it with `dvc repro`, or pass its path "
                                 "with --model-card.")
    assert not (project / "reports" / "register").exists()


@pytest.mark.parametrize(("change", "message"), [
    (lambda root: (root / "reports" / "model" / "model_card.md").write_text("# Kaart\n", encoding="utf-8"),
     "The model card {root}/reports/model/model_card.md has no section '## Beoogd gebruik' (or '## Intended use'). "
     "Make it again with `dvc repro`."),
    (lambda root: (root / "metrics" / "model.json").write_text(json.dumps({**METRICS, "selected": "hgb"})),
     "The model metrics file {root}/metrics/model.json is for model 'hgb', but train.model in {root}/params.yaml "
     "is 'ebm'. Make it again with `dvc repro`."),
    (lambda root: (root / "reports" / "audit" / "audit.json").write_text("[1, 2]"),
     "The audit {root}/reports/audit/audit.json is not a valid JSON object. Make it again with `dvc repro`."),
    (lambda root: (root / "reports" / "audit" / "audit.json").write_text(json.dumps({"dilemmas": []})),
     "The audit {root}/reports/audit/audit.json has no 'verdict'. Make it again with `dvc repro`."),
    (lambda root: set_language(root, "fr"),
     "The 'language' parameter of report must be one of 'nl', 'en'. Got 'fr' instead."),
])
def test_bad_inputs_stop_with_one_line_and_write_nothing(project, change, message):
    change(project)
    with pytest.raises(RisicoError) as caught:
        register.run(args(project))
    assert str(caught.value) == message.format(root=project)
    assert not (project / "reports" / "register").exists()


def test_a_failure_while_writing_leaves_neither_file_and_keeps_the_old_pair(project, monkeypatch):
    register.run(args(project))
    out = project / "reports" / "register"
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    decide(project)  # the new entry would say "in gebruik"
    monkeypatch.setattr(register, "to_markdown", lambda entry, language: "\ud800 cannot be encoded")
    with pytest.raises(UnicodeEncodeError):
        register.run(args(project))
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before  # no temporary files either


def test_the_output_is_deterministic(project):
    register.run(args(project))
    out = project / "reports" / "register"
    first = {path.name: path.read_bytes() for path in out.iterdir()}
    register.run(args(project))
    assert {path.name: path.read_bytes() for path in out.iterdir()} == first


def test_register_command_through_the_cli_exits_2_on_error(project, capsys, monkeypatch):
    import risico.cli

    monkeypatch.setitem(risico.cli.COMMANDS, "register", "risico.governance.register")
    (project / "metrics" / "model.json").unlink()
    a = args(project)
    code = risico.cli.main(["register", "--params", str(a.params), "--model-card", str(a.model_card),
                            "--audit", str(a.audit), "--metrics", str(a.metrics), "--decisions", str(a.decisions),
                            "--out", str(a.out)])
    assert code == 2
    assert capsys.readouterr().err == (f"risico register: error: The model metrics file {a.metrics} does not exist. "
                                       "Make it with `dvc repro`, or pass its path with --metrics.\n")
