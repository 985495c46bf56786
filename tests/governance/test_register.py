"""The algorithm-register entry: every field, placeholders for what only the municipality knows, status from the
committee's decision, both files or neither, Dutch and English."""

import argparse
import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from risico.errors import RisicoError
from risico.governance import register
from risico.governance.decisions import artifact_hashes, default_path, latest_decision, make_decision, write_decision
from risico.governance.keys import load_signing_key, private_key_path, sign_record
from risico.governance.register import FIELDS, PLACEHOLDER, UNKNOWN_FIELDS, build_register, read_inputs
from tests.conftest import repo_params, set_key
from tests.governance.conftest import MEMBER

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
def project(tmp_path, committee_key):
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
              "source_url": None, "target": "applications"}
    return argparse.Namespace(**{**values, **changes})


def inputs(root):
    a = args(root)
    return read_inputs(a.params, a.model_card, a.audit, a.metrics, a.decisions)


def decide(root, decision="approve", valid_until=None, audit_hash=None, demo=False, target="applications"):
    hashes = {"model": "1" * 64, "training_data": "2" * 64,
              **artifact_hashes({"audit": root / default_path(target, "audit"), "params": root / "params.yaml"})}
    if audit_hash:
        hashes["audit"] = audit_hash
    record = make_decision(decision=decision, committee="Ethische commissie Testgemeente", date=dt.date(2026, 11, 29),
                           conditions="Alleen met 10% aselecte steekproef.", valid_until=valid_until, hashes=hashes,
                           verdict="committee_decision", dilemmas=[], demo=demo, target=target,
                           previous=latest_decision(root / default_path(target, "decisions")))
    key = load_signing_key(private_key_path(MEMBER), root / "governance" / "keys")
    write_decision(sign_record(record, key), root / default_path(target, "decisions"))
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


# -- care providers (--target providers) -------------------------------------------------------------------

PROVIDER_CARD = """# Modelkaart: risicomodel voor zorgaanbieders

## Beoogd gebruik

Het model rangschikt zorgaanbieders per kwartaal.
Een selectie is nooit een bewijs.

## Gegevens

Een rij is een zorgaanbieder in een kwartaal.
"""
PROVIDER_AUDIT = {"verdict": "committee_decision", "dilemmas": [
    {"id": "disparity", "title": "Ongelijke onterechte selectie", "text": "..."},
    {"id": "market_access", "title": "Markttoegang van nieuwkomers tegenover bescherming van cliënten", "text": "..."}],
    "selection": {"capacity_per_period": 10}}   # provider_worklist.capacity, which approve binds
PROVIDER_METRICS = {"selected": "ebm", "test_roc_auc_observed": 0.964286, "test_precision_at_capacity_observed": 0.666667,
                    "test_roc_auc_truth": 0.960134, "test_precision_at_capacity_truth": 0.9,
                    "vs_oracle_roc_auc_ratio": 1.2274, "vs_oracle_precision_at_capacity_ratio": 1.2857,
                    "detail": {"families": {"ebm": {"observed": {"n": 39, "selected_labelled": 3}}}}}
#: Words of the applications' entry that must not slip into the providers' (the deliberate mention of the
#: applications table in 'gegevens' is taken out first).
NOT_ABOUT_PROVIDERS = {"nl": ("aanvra", "huishoud", "per maand"), "en": ("applica", "household", "a month")}


@pytest.fixture()
def providers(project, monkeypatch):
    """The applications' project plus the providers' card, audit and metrics at their default paths; cwd is its root."""
    (project / "reports" / "provider_model").mkdir(parents=True)
    (project / "reports" / "provider_audit").mkdir(parents=True)
    (project / "reports" / "provider_model" / "model_card.md").write_text(PROVIDER_CARD, encoding="utf-8")
    (project / "reports" / "provider_audit" / "audit.json").write_text(json.dumps(PROVIDER_AUDIT), encoding="utf-8")
    (project / "metrics" / "provider_model.json").write_text(json.dumps(PROVIDER_METRICS), encoding="utf-8")
    monkeypatch.chdir(project)
    return project


def provider_args(**changes):
    """The command's arguments with every path left to the providers' defaults (relative to the cwd)."""
    values = {"params": Path("params.yaml"), "model_card": None, "audit": None, "metrics": None, "decisions": None,
              "out": None, "source_url": None, "target": "providers"}
    return argparse.Namespace(**{**values, **changes})


def provider_entry(language="nl"):
    if language != "nl":
        set_language(Path("."), language)
    a = provider_args()
    register.fill_default_paths(a, "providers", register.TARGET_INPUTS)
    return build_register(read_inputs(a.params, a.model_card, a.audit, a.metrics, a.decisions, target="providers"),
                          today=TODAY)


def test_the_provider_entry_has_every_field_and_goes_beside_the_applications_entry(providers, capsys):
    register.run(args(providers))
    register.run(provider_args())
    out = providers / "reports" / "provider_register"
    assert capsys.readouterr().out.endswith(f"Wrote {Path('reports/provider_register/algorithm_register.json')} and "
                                            f"{Path('reports/provider_register/algorithm_register.md')} "
                                            "(status: in ontwikkeling)\n")
    entry = json.loads((out / "algorithm_register.json").read_text(encoding="utf-8"))
    assert set(entry) == set(FIELDS)
    assert all(isinstance(value, str) and value.strip() for value in entry.values())
    markdown = (out / "algorithm_register.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Algoritmeregister: Risicomodel voor toezicht op zorgaanbieders (Wmo en jeugdhulp)")
    assert markdown.count("\n## ") == len(FIELDS)
    applications = json.loads((providers / "reports" / "register" / "algorithm_register.json").read_text("utf-8"))
    assert applications["naam"].startswith("Risicomodel voor toezicht aan de voorkant")  # not overwritten


def test_what_the_provider_entry_says_comes_from_the_provider_inputs(providers):
    entry = provider_entry()
    assert entry["naam"] == "Risicomodel voor toezicht op zorgaanbieders (Wmo en jeugdhulp)"
    short = entry["korte_omschrijving"]
    assert "(10 aanbieders per kwartaal)" in short and "(20%) wordt door loting gekozen" in short
    assert "contractmanagers en toezichthouders" in short and "een selectie is nooit een bewijs" in short
    impact = entry["doel_en_impact"]
    assert impact.startswith("Het model rangschikt zorgaanbieders per kwartaal. Een selectie is nooit een bewijs.")
    assert "nieuwe en kleine aanbieders buiten de markt houden" in impact and "kwetsbare cliënten" in impact
    considerations = entry["afwegingen"]
    assert "- Ongelijke onterechte selectie\n- Markttoegang van nieuwkomers tegenover bescherming van cliënten" in \
        considerations
    assert ("kwartalen vanaf 2024-01-01) had het model bij een capaciteit van 10 aanbieders per kwartaal een ROC AUC "
            "van 0.96") in considerations
    assert "67% een bevinding" in considerations and "39 onderzochte aanbieder-kwartalen" in considerations
    assert "123% van de ROC AUC en 129% van de precisie van het orakel" in considerations
    assert "werklijst van 10 aanbieders" in entry["menselijke_tussenkomst"]


def test_the_provider_risk_management_names_the_provider_audit_groups(providers):
    risk = provider_entry()["risicobeheer"]
    assert ("per groep van aanbieders (aantal medewerkers, inschrijfduur bij de KvK, rechtsvorm, wijk van de "
            "zorglocatie, aandeel cliënten met een niet-westerse migratieachtergrond, en combinaties van tot 2 "
            "kenmerken)") in risk
    assert "band 0.8-1.25" in risk and "minder dan 10 verschillende aanbieders" in risk
    assert "hoeveel aanbieders" in risk


def test_the_provider_data_field_names_tables_groups_and_what_the_model_sees(providers):
    from risico.features.providers import FEATURE_GROUPS as PROVIDER_GROUPS

    data = provider_entry()["gegevens"]
    assert ("5 tabellen uit de administratie van de gemeente: zorgaanbieders, declaraties van zorgaanbieders, "
            "aanvragen van cliënten die de aanbieder noemen, adressen (BAG/BRP), eerdere onderzoeken naar "
            "aanbieders.") in data
    assert f"Kenmerkgroepen ({sum(map(len, PROVIDER_GROUPS.values()))} kenmerken in totaal)" in data
    assert f"- het netwerk: bestuurder, adres, bemiddelaars en cliënten: {len(PROVIDER_GROUPS['network'])} kenmerken" \
        in data
    assert ("Wel invoer van het model: aantal medewerkers, inschrijfduur bij de KvK, rechtsvorm (de kenmerken "
            "n_staff, days_registered, legal_form).") in data
    assert ("Geen invoer van het model: wijk van de zorglocatie, aandeel cliënten met een niet-westerse "
            "migratieachtergrond.") in data
    assert "de werklijst leest ze niet" in data and "synthetische gemeente" in data


def test_the_provider_technical_operation_says_the_split_does_not_group_by_provider(providers):
    tech = provider_entry()["technische_werking"]
    assert "getraind op kwartalen van vóór 2023-07-01" in tech
    assert "Dezelfde aanbieders zitten in alle drie de delen" in tech and "niet nieuwe toetreders" in tech
    assert "alle eerder onderzochte aanbieder-kwartalen" in tech
    assert tech.endswith("Werklijst: per kwartaal de 10 aanbieders met de hoogste kans. Aselect deel van de "
                         "werklijst: 20%.")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_no_provider_field_speaks_of_applications_by_accident(providers, language):
    entry = provider_entry(language)
    table = register.t("table.applications.providers", language)
    assert table in entry["gegevens"]
    for name, value in entry.items():
        for word in NOT_ABOUT_PROVIDERS[language]:
            assert word not in value.replace(table, "").lower(), (name, word)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_provider_fields_the_software_cannot_know_carry_exactly_the_placeholder(providers, language):
    entry = provider_entry(language)
    for name in (*UNKNOWN_FIELDS, "broncode"):
        assert entry[name] == PLACEHOLDER[language]


def test_the_provider_entry_in_english(providers):
    set_language(providers, "en")
    register.run(provider_args())
    out = providers / "reports" / "provider_register"
    entry = json.loads((out / "algorithm_register.json").read_text(encoding="utf-8"))
    assert entry["naam"] == "Risk model for the supervision of care providers (social support and youth care)"
    assert entry["status"] == "in development"
    assert "(10 providers a quarter)" in entry["korte_omschrijving"]
    assert "The same providers are in all three parts" in entry["technische_werking"]
    assert "Not inputs of the model: district of the care location" in entry["gegevens"]
    markdown = (out / "algorithm_register.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Algorithm register: Risk model for the supervision of care providers")
    assert "## Human intervention" in markdown and "## Legal basis" in markdown


def test_a_demo_approval_of_the_providers_gives_the_demo_status_only_to_the_provider_entry(providers, capsys):
    import risico.cli

    (providers / "provider_models").mkdir()
    (providers / "provider_models" / "ebm.pkl").write_bytes(b"model")
    (providers / "data" / "interim").mkdir(parents=True)
    (providers / "data" / "interim" / "providers.parquet").write_bytes(b"table")
    assert risico.cli.main(["approve", "--target", "providers", "--demo"]) == 0
    record = json.loads(next((providers / "governance" / "decisions" / "providers").glob("D-*.json")).read_text())
    entry = provider_entry()
    assert entry["status"] == "demonstratie op synthetische gegevens (niet in gebruik)"
    assert f"(besluit {record['record_id']})" in entry["besluit"]
    assert build_register(inputs(providers), today=TODAY)["status"] == "in ontwikkeling"


def test_an_applications_decision_does_not_approve_the_provider_entry(providers):
    decide(providers)
    assert build_register(inputs(providers), today=TODAY)["status"] == "in gebruik"
    entry = provider_entry()
    assert entry["status"] == "in ontwikkeling"
    assert entry["besluit"].startswith("Er is nog geen besluit van de ethische commissie.")


@pytest.mark.parametrize(("kind", "status", "start"), [
    ("approve", "in gebruik", "Goedgekeurd door Ethische commissie Testgemeente op 2026-11-29"),
    ("reject", "in ontwikkeling", "Afgewezen door Ethische commissie Testgemeente op 2026-11-29"),
    ("other_audit", "in ontwikkeling", "Besluit D-20261129-"),
])
def test_the_provider_status_follows_the_newest_provider_decision(providers, kind, status, start):
    decide(providers, decision="reject" if kind == "reject" else "approve", target="providers",
           audit_hash="9" * 64 if kind == "other_audit" else None)
    entry = provider_entry()
    assert entry["status"] == status and entry["besluit"].startswith(start)
    if kind == "approve":
        assert "Voorwaarden van de commissie: Alleen met 10% aselecte steekproef." in entry["risicobeheer"]


@pytest.mark.parametrize(("path", "what", "option"), [
    ("reports/provider_model/model_card.md", "model card", "--model-card"),
    ("reports/provider_audit/audit.json", "audit", "--audit"),
    ("metrics/provider_model.json", "model metrics file", "--metrics"),
])
def test_a_missing_provider_input_stops_with_one_line_naming_its_path_and_option(providers, capsys, path, what,
                                                                                  option):
    import risico.cli

    (providers / path).unlink()
    with pytest.raises(RisicoError) as caught:
        register.run(provider_args())
    message = f"The {what} {Path(path)} does not exist. Make it with `dvc repro`, or pass its path with {option}."
    assert str(caught.value) == message
    assert risico.cli.main(["register", "--target", "providers"]) == 2
    assert capsys.readouterr().err == f"risico register: error: {message}\n"
    assert not (providers / "reports" / "provider_register").exists()


@pytest.mark.parametrize(("change", "message"), [
    (lambda root: (root / "metrics" / "provider_model.json").write_text(json.dumps({**PROVIDER_METRICS,
                                                                                    "selected": "hgb"})),
     "The model metrics file metrics/provider_model.json is for model 'hgb', but train.model in params.yaml is "
     "'ebm'. Make it again with `dvc repro`."),
    (lambda root: (root / "reports" / "provider_audit" / "audit.json").write_text(json.dumps({"verdict": "x"})),
     "The audit reports/provider_audit/audit.json has no 'dilemmas'. Make it again with `dvc repro`."),
    (lambda root: (root / "params.yaml").write_text(yaml.safe_dump(set_key(repo_params(), "provider_audit.attributes",
                                                                           ["size_band", "religion"]))),
     "The 'attributes' parameter of provider_audit must be "),
])
def test_bad_provider_inputs_stop_with_one_line_and_write_nothing(providers, change, message):
    change(providers)
    with pytest.raises(RisicoError) as caught:
        register.run(provider_args())
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)
    assert not (providers / "reports" / "provider_register").exists()


def test_the_provider_entry_from_a_real_pipeline_run(pipeline_project, tmp_path, monkeypatch):
    """On the outputs of provider-train, provider-evaluate and provider-audit: approve --demo, then register."""
    import shutil

    import risico.cli

    for part in ("provider_models", "data/interim", "reports/provider_model", "reports/provider_audit"):
        shutil.copytree(pipeline_project / part, tmp_path / part)
    (tmp_path / "metrics").mkdir()
    shutil.copy(pipeline_project / "metrics" / "provider_model.json", tmp_path / "metrics" / "provider_model.json")
    shutil.copy(pipeline_project / "params.yaml", tmp_path / "params.yaml")
    monkeypatch.chdir(tmp_path)
    assert risico.cli.main(["approve", "--target", "providers", "--demo"]) == 0
    assert risico.cli.main(["register", "--target", "providers"]) == 0
    entry = json.loads((tmp_path / "reports" / "provider_register" / "algorithm_register.json").read_text("utf-8"))
    assert entry["status"] == "demonstratie op synthetische gegevens (niet in gebruik)"
    metrics = json.loads((tmp_path / "metrics" / "provider_model.json").read_text(encoding="utf-8"))
    assert f"ROC AUC van {metrics['test_roc_auc_observed']:.2f}" in entry["afwegingen"]
    audit = json.loads((tmp_path / "reports" / "provider_audit" / "audit.json").read_text(encoding="utf-8"))
    assert all(f"- {d['title']}" in entry["afwegingen"] for d in audit["dilemmas"])
    assert entry["doel_en_impact"].startswith("Het model rangschikt zorgaanbieders per kwartaal")
    table = register.t("table.applications.providers", "nl")
    assert not any(word in value.replace(table, "").lower() for value in entry.values()
                   for word in NOT_ABOUT_PROVIDERS["nl"])
