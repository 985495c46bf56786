"""A municipality's own codes: an extract with real CBS wijkcodes validates once params.yaml's vocabularies say so."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml

from risico.cli import main
from risico.validate.core import QUARANTINE_LIMIT
from risico.validate.suites import STALE_VOCABULARY
from risico.vocabularies import DISTRICTS
from tests.conftest import REPO, repo_params, set_key
from tests.validate.test_stage import run_pipeline

#: Amsterdam (municipality code 0363): W01 -> WK036301, ..., W12 -> WK036312.
WIJKCODES = {code: f"WK0363{code[1:]}" for code in DISTRICTS}
OWN = {"vocabularies.districts": "cbs:0363"}


@pytest.fixture(scope="module")
def cbs_extract(make_params):
    """The tables of a small world with CBS wijkcodes as districts."""
    from risico.synth import generate_world

    raw = {name: frame.copy() for name, frame in generate_world(make_params(n_persons=1500)).raw.items()}
    for name in ("households", "addresses"):
        raw[name]["district"] = raw[name]["district"].map(WIJKCODES).astype("str")
    return raw


def own_expectations(root):
    """The suites written by ``risico expectations`` from a params file with the municipality's vocabularies."""
    values = repo_params()
    for key, value in OWN.items():
        values = set_key(values, key, value)
    params = root / "own-params.yaml"
    params.write_text(yaml.safe_dump(values), encoding="utf-8")
    assert main(["--quiet", "expectations", "--params", str(params), "--out", str(root / "expectations")]) == 0
    return root / "expectations"


def test_cbs_wijkcodes_validate_with_the_municipalitys_vocabulary(tmp_path, cbs_extract):
    expectations = own_expectations(tmp_path)
    assert run_pipeline(tmp_path, cbs_extract, expectations=expectations, **OWN) == 0
    assert json.loads((tmp_path / "metrics.json").read_text())["rows_quarantined"] == 0
    for name in ("households", "addresses"):
        interim = pd.read_parquet(tmp_path / "interim" / f"{name}.parquet")
        assert len(interim) == len(cbs_extract[name])
        assert set(interim["district"]) == set(WIJKCODES.values()) == set(cbs_extract[name]["district"])
    changed = sorted(p.name for p in expectations.glob("*.json")
                     if p.read_bytes() != (REPO / "expectations" / p.name).read_bytes())
    assert changed == ["addresses.json", "households.json"]
    assert r'"regex": "^WK0363\\d{2}$"' in (expectations / "households.json").read_text(encoding="utf-8")


def test_a_code_of_another_municipality_is_quarantined(tmp_path, cbs_extract):
    raw = {**cbs_extract, "addresses": cbs_extract["addresses"].copy()}
    raw["addresses"].loc[0, "district"] = "WK059901"                      # Rotterdam's
    assert run_pipeline(tmp_path, raw, expectations=own_expectations(tmp_path), **OWN) == 0
    quarantine = pd.read_parquet(tmp_path / "quarantine" / "addresses.parquet")
    assert quarantine["district"].tolist() == ["WK059901"]
    assert quarantine["reason"].tolist() == [r"district matches ^WK0363\d{2}$"]


def test_the_default_vocabulary_rejects_cbs_wijkcodes(tmp_path, capsys, cbs_extract):
    assert run_pipeline(tmp_path, cbs_extract) == 2
    total = len(cbs_extract["addresses"])
    expected = QUARANTINE_LIMIT.format(count=total, total=total, table="addresses", share=1.0, limit=0.05,
                                       reason="district in " + ", ".join(DISTRICTS))
    assert capsys.readouterr().err == f"risico validate: error: {expected}\n"
    assert not (tmp_path / "interim").exists()


def test_suites_stale_for_the_vocabulary_stop_before_validating(tmp_path, capsys, cbs_extract):
    assert run_pipeline(tmp_path, cbs_extract, **OWN) == 2
    expected = STALE_VOCABULARY.format(table="households", column="district", params=tmp_path / "params.yaml",
                                       found="'district in " + ", ".join(DISTRICTS) + "'",
                                       wanted=r"'district matches ^WK0363\d{2}$'")
    assert capsys.readouterr().err == f"risico validate: error: {expected}\n"
    assert not (tmp_path / "interim").exists()
