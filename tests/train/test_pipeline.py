"""The train stage's pure core: the firewall first, and a result that is exactly what the stage wrote."""

import argparse
import json

import pandas as pd
import pytest

from risico.firewall import PROTECTED_FEATURE, FirewallError
from risico.train.pipeline import TrainInputs, train_pipeline
from risico.train.stage import read_inputs


@pytest.fixture()
def read(pipeline_project):
    root = pipeline_project
    return read_inputs(argparse.Namespace(params=root / "params.yaml", processed=root / "data" / "processed"))


def test_a_protected_column_in_X_stops_the_pure_function_before_any_fit(read):
    inputs, settings = read
    X = inputs.X.assign(gender="female")
    with pytest.raises(FirewallError) as error:
        train_pipeline(TrainInputs(inputs.target, X, inputs.meta, inputs.labels), settings)
    assert str(error.value) == PROTECTED_FEATURE.format(feature="gender", attribute="gender")


def test_the_pipeline_result_is_what_the_stage_wrote_and_leaves_its_inputs_alone(read, pipeline_project):
    inputs, settings = read
    X, labels = inputs.X.copy(), inputs.labels.copy()
    result = train_pipeline(inputs, settings)
    pd.testing.assert_frame_equal(inputs.X, X)
    pd.testing.assert_frame_equal(inputs.labels, labels)
    pd.testing.assert_frame_equal(result.scores, pd.read_parquet(pipeline_project / "data" / "scores" / "scores.parquet"))
    training = json.loads((pipeline_project / "models" / "training.json").read_text())
    assert json.loads(json.dumps(result.summary)) == training
    assert set(result.models) == {p.stem for p in (pipeline_project / "models").glob("*.pkl")}
    assert result.metrics == {k: v for k, v in training.items() if k != "features"}
