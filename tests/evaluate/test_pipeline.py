"""The evaluate stage's pure core: the capacity check's table, and a result that holds every byte the stage writes."""

import argparse

import pandas as pd
import pytest

from risico.errors import RisicoError
from risico.evaluate.pipeline import CAPACITY_TOO_LARGE, check_capacity, evaluate_pipeline
from risico.evaluate.stage import read_inputs
from risico.io import MARKER


def stage_args(root):
    """The ``evaluate`` stage's arguments on the shared project, as in ``dvc.yaml``."""
    return argparse.Namespace(params=root / "params.yaml", processed=root / "data" / "processed",
                              scores=root / "data" / "scores" / "scores.parquet", models=root / "models",
                              truth=root / "data" / "truth")


@pytest.mark.parametrize("splits, capacity, most", [
    (["train", "test", "test", "test"], 2, None),            # test cases: two in period a, one in b
    (["train", "test", "test", "test"], 3, 2),
    (["test", "test", "test", "test"], 3, None),             # three in period a
    (["train", "train", "validation", "validation"], 1, 0),  # no test period at all
])
def test_capacity_must_fit_the_largest_test_period(splits, capacity, most):
    meta = pd.DataFrame({"period": ["a", "a", "a", "b"]})
    scores = pd.DataFrame({"split": splits})
    if most is None:
        check_capacity(meta, scores, capacity, "worklist")
        return
    with pytest.raises(RisicoError) as error:
        check_capacity(meta, scores, capacity, "provider_worklist")
    assert str(error.value) == CAPACITY_TOO_LARGE.format(section="provider_worklist", most=most, capacity=capacity)


def test_the_pipeline_result_is_every_byte_the_stage_wrote_and_leaves_its_inputs_alone(pipeline_project):
    inputs, settings = read_inputs(stage_args(pipeline_project))
    scores, X = inputs.scores.copy(), inputs.X.copy()
    result = evaluate_pipeline(inputs, settings)
    pd.testing.assert_frame_equal(inputs.scores, scores)
    pd.testing.assert_frame_equal(inputs.X, X)
    report = pipeline_project / "reports" / "model"
    written = {p.relative_to(report).as_posix() for p in report.rglob("*") if p.is_file() and p.name != MARKER}
    assert set(result.report_files) == written
    figures = [name for name in written if name.startswith("figures/") and name.endswith(".png")]
    assert len(figures) >= 3
    for name, content in result.report_files.items():
        on_disk = (report / name).read_bytes()
        assert on_disk == (content if isinstance(content, bytes) else content.encode("utf-8")), name
    for name in figures:
        assert f"]({name})" in result.report_files["model_card.md"]
    calibration = (pipeline_project / "metrics" / "calibration.csv").read_text(encoding="utf-8")
    assert result.calibration.to_csv(index=False, lineterminator="\n") == calibration
    reasons = pd.read_parquet(pipeline_project / "data" / "scores" / "reasons_test.parquet")
    pd.testing.assert_frame_equal(result.reasons.reset_index(), reasons)
    assert result.metrics["selected"] == settings.train.model
