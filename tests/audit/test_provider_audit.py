"""The provider audit (issue 7): the same ``audit`` stage on ``data/processed_providers``.

Two generated worlds of 12,000 persons and 1,200 providers (``persons_per_provider: 10``; the default world's
600 providers see the planted 2x bias in one route of selection on most seeds, not all: the test wants it every
time): the default one, where caseworkers
selected providers with fewer than 5 staff twice as often, and the fair one.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from risico.audit.engine import AuditParams, group_table
from risico.audit.providers import (PROVIDER_ATTRIBUTES, client_composition_dilemma, composition_band,
                                    market_access_dilemma, parse_provider_audit_params)
from risico.audit.run import audit_table
from risico.audit.io import ScoredTable
from risico.audit.history import MISSING_PROTECTED, history_funnel
from risico.audit.pipeline import CAPACITY_TOO_LARGE, NOT_ALIGNED, TOO_SMALL
from risico.audit.verdict import selection_bias_findings
from risico.cli import main
from risico.params import ParamError
from tests.conftest import run_stages, set_key, small_project

STAGES = ["generate", "ingest", "validate", "provider-features", "provider-train", "provider-audit"]


def provider_project(root: Path, *, fair: bool) -> Path:
    """A project with 12,000 persons and 1,200 providers on which the provider stages (and the audit) ran."""
    small_project(root, 12000)
    params = yaml.safe_load((root / "params.yaml").read_text(encoding="utf-8"))
    params = set_key(params, "generate.providers.persons_per_provider", 10)
    params = set_key(params, "generate.fair_world", fair)
    params = set_key(params, "train.families", ["ebm"])
    (root / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")
    run_stages(root, STAGES)
    return root


@pytest.fixture(scope="module")
def biased(tmp_path_factory) -> Path:
    return provider_project(tmp_path_factory.mktemp("providers_biased"), fair=False)


@pytest.fixture(scope="module")
def fair(tmp_path_factory) -> Path:
    return provider_project(tmp_path_factory.mktemp("providers_fair"), fair=True)


def audit_json(root: Path) -> dict:
    return json.loads((root / "reports" / "provider_audit" / "audit.json").read_text(encoding="utf-8"))


def audit(root: Path, out: Path, *, params: Path | None = None, processed: Path | None = None,
          scores: Path | None = None) -> int:
    return main(["--quiet", "audit", "--params", str(params or root / "params.yaml"),
                 "--processed", str(processed or root / "data" / "processed_providers"),
                 "--scores", str(scores or root / "data" / "scores" / "provider_scores.parquet"),
                 "--truth", str(root / "data" / "truth"), "--out", str(out), "--metrics", str(out.parent / "m.json")])


def with_params(root: Path, tmp_path: Path, **keys) -> Path:
    params = yaml.safe_load((root / "params.yaml").read_text(encoding="utf-8"))
    for key, value in keys.items():
        params = set_key(params, key.replace("__", "."), value)
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")
    return path


# -- the quality bars on generated worlds ----------------------------------------------------------------------

def test_biased_world_finds_the_planted_selection_bias_against_small_providers(biased):
    result = audit_json(biased)
    found = [d for d in result["dilemmas"] if d["id"] == "label_bias" and d["evidence"]["attribute"] == "size_band"]
    assert found, [d["id"] for d in result["dilemmas"]]
    assert {d["evidence"]["group"] for d in found} <= {"1", "2-4"}           # fewer than 5 staff, nobody else
    for d in found:
        assert d["evidence"]["investigated_ratio"] > 1.25
        if d["evidence"]["basis"] == "no_violation":                        # investigated more without reason
            assert d["evidence"]["ratio_ci"][0] > 1
    small = {r["group"]: r for r in result["history"]["size_band"]}
    by_route = {g: small[g]["no_violation_by_route"]["caseworker"] / small[g]["no_violation_n"] for g in small}
    assert min(by_route["1"], by_route["2-4"]) > max(by_route["5-19"], by_route["20+"])
    assert result["verdict"] != "no_blocking_findings"


def test_fair_world_raises_no_fail_and_no_selection_bias_against_small_providers(fair):
    result = audit_json(fair)
    assert [d for d in result["disparities"] if d["verdict"] == "fail"] == []
    assert not [d for d in result["dilemmas"] if d["id"] == "label_bias"
                and d["evidence"].get("attribute") in ("size_band", "legal_form")]
    metrics = json.loads((fair / "metrics" / "provider_audit.json").read_text(encoding="utf-8"))
    assert "fail" not in metrics["verdicts"] and metrics["verdict"] != "not_ready"


def test_the_report_counts_providers_suppresses_small_groups_and_says_what_it_skipped(biased):
    result = audit_json(biased)
    assert result["target"] == "providers" and result["label_source"] == "truth"
    meta = pd.read_parquet(biased / "data" / "processed_providers" / "meta.parquet")
    scores = pd.read_parquet(biased / "data" / "scores" / "provider_scores.parquet")
    quarters = meta.loc[scores["split"] == "test", "period"].nunique()
    assert result["selection"]["capacity_per_period"] == 10 and result["selection"]["selected"] == 10 * quarters
    assert {g["attribute"] for g in result["groups"]} >= {"size_band", "legal_form", "registration_age_band",
                                                          "district", "clients_non_western"}
    for group in result["groups"]:
        if group["suppressed"]:
            assert set(group) == {"attribute", "group", "suppressed"}
        else:
            assert group["n_units"] >= 10 and group["n"] >= group["n_units"]
    assert {g["group"] for g in result["groups"] if g["attribute"] == "clients_non_western"} <= {
        "mostly", "partly", "none", "no clients"}
    assert set(result["skipped"]) == {"data_proxies"} and "data_proxies" not in result
    assert {"proxies", "tradeoffs", "impossibility", "feedback", "clusters", "history", "stages"} <= set(result)
    page = (biased / "reports" / "provider_audit" / "report.html").read_text(encoding="utf-8")
    assert "Fairness-audit van het risicomodel voor zorgaanbieders" in page and "Niet gedaan, en waarom" in page
    metrics = json.loads((biased / "metrics" / "provider_audit.json").read_text(encoding="utf-8"))
    assert set(metrics) == {"verdict", "dilemmas", "verdicts", "key_disparities"}


def test_same_seed_gives_an_identical_audit_and_english_on_request(biased, tmp_path):
    assert audit(biased, tmp_path / "again") == 0
    assert ((tmp_path / "again" / "audit.json").read_bytes()
            == (biased / "reports" / "provider_audit" / "audit.json").read_bytes())
    english = with_params(biased, tmp_path, report__language="en", provider_audit__attributes=["size_band"])
    assert audit(biased, tmp_path / "en", params=english) == 0
    page = (tmp_path / "en" / "report.html").read_text(encoding="utf-8")
    assert "Fairness audit of the care-provider risk model" in page and "Summary" in page


# -- bad input: one line each, no report -----------------------------------------------------------------------

def test_a_missing_protected_column_is_one_line(biased, tmp_path, capsys):
    processed = tmp_path / "processed"
    shutil.copytree(biased / "data" / "processed_providers", processed)
    protected = pd.read_parquet(processed / "protected.parquet").drop(columns=["legal_form"])
    protected.to_parquet(processed / "protected.parquet")
    assert audit(biased, tmp_path / "out", processed=processed) == 2
    columns = ", ".join(c for c in protected.columns if c != "case_id")
    message = MISSING_PROTECTED.format(attribute="legal_form", section="provider_audit", column="legal_form",
                                       file=processed / "protected.parquet", columns=columns)
    assert capsys.readouterr().err == f"risico audit: error: {message}\n"
    assert not (tmp_path / "out").exists()


def test_a_capacity_above_every_quarter_is_one_line(biased, tmp_path, capsys):
    params = with_params(biased, tmp_path, provider_worklist__capacity=100_000)
    assert audit(biased, tmp_path / "out", params=params) == 2
    meta = pd.read_parquet(biased / "data" / "processed_providers" / "meta.parquet")
    split = pd.read_parquet(biased / "data" / "scores" / "provider_scores.parquet")["split"]
    most = int(meta.loc[split == "test", "period"].value_counts().max())
    message = CAPACITY_TOO_LARGE.format(section="provider_worklist", most=most, capacity=100_000)
    assert capsys.readouterr().err == f"risico audit: error: {message}\n"
    assert not (tmp_path / "out").exists()


def test_a_world_with_too_few_providers_is_one_line(biased, tmp_path, capsys):
    source = biased / "data" / "processed_providers"
    processed = tmp_path / "processed"
    shutil.copytree(source, processed)
    meta = pd.read_parquet(source / "meta.parquet")
    keep = meta["provider_id"].isin(sorted(meta["provider_id"].unique())[:8]).to_numpy()
    for name in ("meta", "labels", "protected", "X"):
        pd.read_parquet(source / f"{name}.parquet")[keep].to_parquet(processed / f"{name}.parquet")
    scores = tmp_path / "scores.parquet"
    pd.read_parquet(biased / "data" / "scores" / "provider_scores.parquet")[keep].to_parquet(scores)
    assert audit(biased, tmp_path / "out", processed=processed, scores=scores) == 2
    message = TOO_SMALL.format(need=20, unit="provider", file=processed, got=8,
                               hint="generate.n_persons, or a lower generate.providers.persons_per_provider")
    assert capsys.readouterr().err == f"risico audit: error: {message}\n"


def test_scores_of_other_rows_are_one_line(biased, tmp_path, capsys):
    scores = tmp_path / "scores.parquet"
    frame = pd.read_parquet(biased / "data" / "scores" / "provider_scores.parquet")
    frame.iloc[::-1].to_parquet(scores)
    assert audit(biased, tmp_path / "out", scores=scores) == 2
    message = NOT_ALIGNED.format(scores=scores, meta=biased / "data" / "processed_providers" / "meta.parquet",
                                 column="case_id", row=1)
    assert capsys.readouterr().err == f"risico audit: error: {message}\n"


@pytest.mark.parametrize(("values", "message"), [
    ({"attributes": ["size_band", "nationality_group"]},
     "The 'attributes' parameter of provider_audit must be a list of distinct values from "
     + ", ".join(PROVIDER_ATTRIBUTES) + ". Got 'nationality_group' instead."),
    ({"attributes": []}, "The 'attributes' parameter of provider_audit must be a non-empty list. Got [] instead."),
    ({"attributes": ["size_band"], "atributes": 1},
     "The 'atributes' parameter of provider_audit is unknown. Allowed keys: attributes."),
])
def test_provider_audit_params_are_checked(values, message):
    with pytest.raises(ParamError) as info:
        parse_provider_audit_params(values)
    assert str(info.value) == message


# -- the parts, on small tables ----------------------------------------------------------------------------------

def test_client_composition_bands():
    shares = pd.Series([0.75, 0.5, 0.49, 0.01, 0.0, np.nan])
    assert composition_band(shares).tolist() == ["mostly", "mostly", "partly", "partly", "none", "no clients"]


def test_groups_are_sized_in_distinct_providers_and_their_intervals_widen():
    rng = np.random.default_rng(1)
    provider = np.repeat(np.arange(60), 4)                                     # 60 providers x 4 quarters
    size = np.where(provider < 8, "small", "large")                          # 8 small providers, 32 rows
    sensitive = pd.DataFrame({"size_band": size})
    label = np.repeat(rng.random(60) < 0.3, 4).astype(int)
    selected = np.repeat(rng.random(60) < 0.2, 4)
    params = AuditParams(min_group_size=10, n_boot=200, seed=3)
    by_rows = group_table(selected, label, sensitive, params).set_index("group")
    by_units = group_table(selected, label, sensitive, params, units=provider).set_index("group")
    assert not by_rows.loc["small", "suppressed"] and by_units.loc["small", "suppressed"]
    assert by_units.loc["large", "n_units"] == 52 and by_units.loc["large", "n"] == 208
    width = lambda t: t.loc["large", "selection_rate_hi"] - t.loc["large", "selection_rate_lo"]  # noqa: E731
    assert width(by_units) > 1.5 * width(by_rows)
    table = ScoredTable(selected.astype(float), label.astype(float), sensitive, None, None, units=provider)
    result, _, _ = audit_table(table, params, selected=selected)
    assert [g for g in result["groups"] if g["group"] == "small"] == [
        {"attribute": "size_band", "group": "small", "suppressed": True}]
    assert {"group": "small", "suppressed": True} in result["funnel"]["size_band"]["stages"]


def funnel_world(caseworker_ratio: float, seed: int = 0) -> dict:
    """History of 8,000 rows in two groups; the caseworker route picks 'small' ``caseworker_ratio`` times as often."""
    rng = np.random.default_rng(seed)
    n = 8000
    group = np.where(rng.random(n) < 0.45, "small", "large")
    truth = (rng.random(n) < 0.12).astype(float)
    caseworker = rng.random(n) < 0.02 * np.where(group == "small", caseworker_ratio, 1.0)
    tip = rng.random(n) < np.where(truth == 1, 0.08, 0.004)
    rule = rng.random(n) < 0.06                       # a route that does not care: dilutes the total
    route = np.select([caseworker, tip, rule], ["caseworker", "tip", "risk_rule"], default=None)
    investigated = route != None  # noqa: E711
    labels = pd.DataFrame({"investigated": investigated,
                           "route": pd.Series(route, dtype="str").where(investigated),
                           "observed": np.where(investigated, truth * (rng.random(n) < 0.7), np.nan)})
    return history_funnel(pd.DataFrame({"size_band": group}), labels, truth, min_size=10)


def test_selection_bias_without_a_violation_is_found_per_route_and_not_in_a_fair_history():
    found = selection_bias_findings(funnel_world(2.0), "en")
    assert [(d["evidence"]["group"], d["evidence"]["basis"]) for d in found] == [("small", "no_violation")]
    assert found[0]["evidence"]["route"] == "caseworker" and found[0]["evidence"]["ratio_ci"][0] > 1
    assert "of those without a violation" in found[0]["text"] and "(caseworker)" in found[0]["text"]
    assert [d for seed in range(5) for d in selection_bias_findings(funnel_world(1.0, seed), "en")] == []


def provider_tables(selection: float, fpr: float, mostly_selection: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    groups = pd.DataFrame([
        {"attribute": a, "group": g, "suppressed": False, "base_rate": b}
        for a, g, b in [("registration_age_band", "<1y", 0.30), ("registration_age_band", "3y+", 0.15),
                        ("size_band", "1", 0.2), ("size_band", "5-19", 0.2),
                        ("clients_non_western", "mostly", 0.2), ("clients_non_western", "partly", 0.2)]])
    rows = []
    for attribute, group, reference, sel in [("registration_age_band", "<1y", "3y+", selection),
                                             ("size_band", "1", "5-19", 1.0),
                                             ("clients_non_western", "mostly", "partly", mostly_selection)]:
        for metric, ratio in (("selection_rate", sel), ("fpr", fpr)):
            rows.append({"attribute": attribute, "group": group, "reference": reference, "metric": metric,
                         "ratio": ratio, "ratio_lo": ratio / 2, "ratio_hi": ratio * 2, "verdict": "review",
                         "suppressed": False})
    return groups, pd.DataFrame(rows)


def test_market_access_and_client_composition_dilemmas_are_questions_in_both_languages():
    groups, disparities = provider_tables(selection=2.5, fpr=1.6, mostly_selection=1.5)
    proxies = pd.DataFrame({"feature": ["days_registered"], "attribute": ["registration_age_band"],
                            "group": ["<1y"], "auc": [0.99], "is_proxy": [True]})
    for language, words in (("nl", ("Markttoegang", "jong bedrijf = verdacht")),
                            ("en", ("Market access", "young company = suspicious"))):
        market = market_access_dilemma(groups, disparities, proxies, language, (0.8, 1.25))
        assert len(market) == 1 and words[0] in market[0]["title"] and words[1] in market[0]["text"]
        assert "days_registered" in market[0]["text"] and market[0]["text"].rstrip().endswith("?")
        assert {g["group"] for g in market[0]["evidence"]["groups"]} == {"<1y", "1"}
        clients = client_composition_dilemma(groups, disparities, proxies, language, (0.8, 1.25))
        assert len(clients) == 1 and clients[0]["evidence"]["selection_ratio"] == 1.5
        assert clients[0]["text"].rstrip().endswith("?")
    assert "migration background" in clients[0]["text"]
    calm_groups, calm = provider_tables(selection=1.1, fpr=1.0, mostly_selection=0.9)
    assert market_access_dilemma(calm_groups, calm, proxies, "en", (0.8, 1.25)) == []
    assert client_composition_dilemma(calm_groups, calm, proxies, "en", (0.8, 1.25)) == []
