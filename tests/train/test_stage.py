"""The train and evaluate stages from the command line: outputs, determinism, and each bad input's message."""

import json
import shutil

import pandas as pd
import pytest
import yaml

from risico.cli import main
from risico.evaluate.stage import CAPACITY_TOO_LARGE
from risico.models import HGBModel, UnusableModel
from risico.models.base import WRONG_WAY_ROUND
from risico.firewall import PROTECTED_FEATURE
from risico.train.stage import EMPTY_PERIOD, ONE_CLASS, UNKNOWN_FEATURE
from tests.conftest import set_key


@pytest.fixture()
def project(pipeline_project, tmp_path):
    """A private copy of the processed data and params of the shared pipeline project."""
    shutil.copytree(pipeline_project / "data" / "processed", tmp_path / "processed")
    shutil.copytree(pipeline_project / "data" / "truth", tmp_path / "truth")
    shutil.copy(pipeline_project / "params.yaml", tmp_path / "params.yaml")
    return tmp_path


def set_params(root, **changes):
    values = yaml.safe_load((root / "params.yaml").read_text())
    for key, value in changes.items():
        values = set_key(values, key, value)
    (root / "params.yaml").write_text(yaml.safe_dump(values))


def train(root):
    return main(["--quiet", "train", "--params", str(root / "params.yaml"), "--processed", str(root / "processed"),
                 "--models", str(root / "models"), "--scores", str(root / "scores.parquet"),
                 "--metrics", str(root / "train.json")])


def evaluate(root):
    return main(["--quiet", "evaluate", "--params", str(root / "params.yaml"), "--processed", str(root / "processed"),
                 "--scores", str(root / "scores.parquet"), "--models", str(root / "models"),
                 "--truth", str(root / "truth"), "--metrics", str(root / "model.json"),
                 "--plots", str(root / "calibration.csv"), "--report", str(root / "report"),
                 "--reasons", str(root / "reasons.parquet")])


def test_pipeline_outputs_exist_and_metrics_compare_observed_and_truth(pipeline_project):
    metrics = json.loads((pipeline_project / "metrics" / "model.json").read_text())
    detail = metrics["detail"]
    assert set(detail["families"]) == {"ebm", "scorecard", "hgb", "ebm_ipw"}
    for family in detail["families"].values():
        assert set(family) == {"observed", "truth"}
        assert family["truth"]["n"] > family["observed"]["n"] > 0
    assert 0 < metrics["vs_oracle_roc_auc_ratio"] <= 1.2
    card = (pipeline_project / "reports" / "model" / "model_card.md").read_text()
    assert "nooit een bewijs" in card and "waargenomen" in card
    assert (pipeline_project / "reports" / "model" / "model_card.html").read_text().count("data:image/png") >= 3


def test_training_is_deterministic(project):
    set_params(project, **{"train.families": ["scorecard"], "train.model": "scorecard"})
    assert train(project) == 0
    first = (project / "scores.parquet").read_bytes()
    assert train(project) == 0
    assert (project / "scores.parquet").read_bytes() == first


def test_random_only_and_ipw_options_train(project):
    set_params(project, **{"train.families": ["scorecard"], "train.model": "scorecard", "train.ipw": True})
    assert train(project) == 0
    assert json.loads((project / "train.json").read_text())["ipw"] is True


@pytest.mark.parametrize(("changes", "message"), [
    ({"train.features": ["scheme", "no_such_feature"]},
     lambda X: UNKNOWN_FEATURE.format(feature="no_such_feature", some=", ".join(list(X.columns)[1:6]))),
    ({"train.features": ["scheme", "age"]}, lambda X: PROTECTED_FEATURE.format(feature="age", attribute="age")),
    ({"train.model": "xgboost"},
     lambda X: "The 'model' parameter of train must be one of 'ebm', 'scorecard', 'hgb'. Got 'xgboost' instead."),
    ({"train.validation_start": "2021-01-01", "train.test_start": "2021-06-01"},
     lambda X: EMPTY_PERIOD.format(split="train", validation="2021-01-01", test="2021-06-01",
                                   source="investigated")),
])
def test_bad_training_input_stops_with_one_line(project, capsys, changes, message):
    set_params(project, **changes)
    X = pd.read_parquet(project / "processed" / "X.parquet")
    assert train(project) == 2
    assert capsys.readouterr().err == f"risico train: error: {message(X)}\n"
    assert not (project / "models").exists()


def test_a_period_with_one_class_stops_training(project, capsys):
    labels = pd.read_parquet(project / "processed" / "labels.parquet")
    labels.loc[labels["observed"].notna(), "observed"] = 0.0
    labels.to_parquet(project / "processed" / "labels.parquet")
    assert train(project) == 2
    err = capsys.readouterr().err
    assert err.startswith("risico train: error: " + ONE_CLASS.split("{label}")[0].format(split="train"))
    assert "only negative labels" in err


def test_capacity_larger_than_a_test_month_stops_evaluation(project, capsys):
    set_params(project, **{"train.families": ["scorecard"], "train.model": "scorecard"})
    assert train(project) == 0
    set_params(project, **{"worklist.capacity": 100_000})
    assert evaluate(project) == 2
    meta = pd.read_parquet(project / "processed" / "meta.parquet")
    scores = pd.read_parquet(project / "scores.parquet")
    most = int(meta.loc[(scores["split"] == "test").to_numpy(), "period"].value_counts().max())
    assert capsys.readouterr().err == (
        f"risico evaluate: error: {CAPACITY_TOO_LARGE.format(most=most, capacity=100_000, section='worklist')}\n")


def _learns_nothing(self, *args, **kwargs):
    raise UnusableModel(WRONG_WAY_ROUND.format(model="hgb", slope=-0.5))


def test_a_comparator_that_learns_nothing_is_left_out_and_named(project, monkeypatch):
    monkeypatch.setattr(HGBModel, "fit", _learns_nothing)
    set_params(project, **{"train.families": ["scorecard", "hgb"], "train.model": "scorecard"})
    assert train(project) == 0
    summary = json.loads((project / "train.json").read_text())
    assert summary["unusable"] == {"hgb": WRONG_WAY_ROUND.format(model="hgb", slope=-0.5)}
    assert sorted(p.name for p in (project / "models").glob("*.pkl")) == ["scorecard.pkl", "scorecard_ipw.pkl"]
    assert [c for c in pd.read_parquet(project / "scores.parquet").columns if c.startswith("score_")] == [
        "score_scorecard", "score_scorecard_ipw"]
    assert evaluate(project) == 0
    assert "Weggelaten vergelijkingsmodel(len): hgb." in (project / "report" / "model_card.md").read_text()


def test_the_model_that_scores_must_learn_something(project, monkeypatch, capsys):
    monkeypatch.setattr(HGBModel, "fit", _learns_nothing)
    set_params(project, **{"train.families": ["scorecard", "hgb"], "train.model": "hgb"})
    assert train(project) == 2
    assert capsys.readouterr().err == "risico train: error: " + WRONG_WAY_ROUND.format(model="hgb", slope=-0.5) + "\n"
    assert not (project / "models").exists()
