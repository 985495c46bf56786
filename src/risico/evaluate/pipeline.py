"""The evaluation as one pure function: the stage's frames, model and parsed params in, every output in memory.

:func:`evaluate_pipeline` measures every family on the test period against the observed labels and the truth
(:mod:`risico.evaluate.core`), explains the selected model, writes the reasons for the test period's cases
(:mod:`risico.evaluate.reasons`) and renders the model card (:mod:`risico.evaluate.card`). Reading and writing
are in :mod:`risico.evaluate.stage`.

The card's figures are the one thing drawn through a folder: the model families save their charts as PNG
files. They are drawn into a private temporary folder that is removed before the function returns; the
result holds their bytes under the path they get inside the report folder (``figures/<name>.png``), and the
card's Markdown and HTML are rendered from them exactly as they would be in place.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from risico.errors import RisicoError
from risico.evaluate import card
from risico.evaluate.core import calibration_frame, evaluate_scores, gap_table, per_split
from risico.evaluate.reasons import reason_table
from risico.firewall import ProtectedParams
from risico.selection import CAPACITY_TOO_LARGE
from risico.tables import csv_text
from risico.target import Target
from risico.texts import Language
from risico.texts.model import text
from risico.train_params import TrainParams

__all__ = ["EvaluateSettings", "EvaluateInputs", "EvaluateResult", "evaluate_pipeline", "check_capacity",
           "evaluate_metrics", "CAPACITY_TOO_LARGE", "FIGURES"]

FIGURES = "figures"          # the card's figures, inside the report folder


@dataclasses.dataclass(frozen=True)
class EvaluateSettings:
    """The stage's parsed params: the ``train`` and ``protected`` sections, the capacity of the target's
    worklist section (``capacity_section``) and the report's language."""

    train: TrainParams
    protected: ProtectedParams
    capacity: int
    capacity_section: str
    language: Language


@dataclasses.dataclass(frozen=True)
class EvaluateInputs:
    """What the stage read. ``truth``: the world's truth aligned to ``meta`` (None without one); ``model``: the
    fitted model of ``train.model``; ``training``: the train stage's ``training.json``; ``feature_groups``:
    feature name -> group (``feature_groups.json``)."""

    target: Target
    meta: pd.DataFrame
    labels: pd.DataFrame
    X: pd.DataFrame
    scores: pd.DataFrame
    truth: pd.DataFrame | None
    training: Mapping[str, Any]
    model: Any
    feature_groups: Mapping[str, str]


@dataclasses.dataclass(frozen=True)
class EvaluateResult:
    """Every output of the stage. ``report_files``: the report folder's files by relative path (the model's
    summary, the observed-vs-truth table, the card as Markdown and HTML, the figures' PNG bytes); ``calibration``:
    the calibration curves (dvc plots); ``reasons``: the reasons per test case; ``metrics``: for dvc metrics diff."""

    report_files: dict[str, str | bytes]
    calibration: pd.DataFrame
    reasons: pd.DataFrame
    metrics: dict[str, Any]


def check_capacity(meta: pd.DataFrame, scores: pd.DataFrame, capacity: int, section: str) -> None:
    """A one-line error when ``capacity`` exceeds the cases of every test period."""
    test_months = meta.loc[(scores["split"] == "test").to_numpy(), "period"].value_counts()
    if test_months.empty or capacity > int(test_months.max()):
        raise RisicoError(CAPACITY_TOO_LARGE.format(most=int(test_months.max()) if len(test_months) else 0,
                                                    capacity=capacity, section=section))


def evaluate_pipeline(inputs: EvaluateInputs, settings: EvaluateSettings) -> EvaluateResult:
    """The test-period metrics, the reasons, the model card and the calibration curves of ``inputs``."""
    scores, labels, truth, train = inputs.scores, inputs.labels, inputs.truth, settings.train
    check_capacity(inputs.meta, scores, settings.capacity, settings.capacity_section)
    families = [c.removeprefix("score_") for c in scores.columns if c.startswith("score_")]
    result = evaluate_scores(scores, labels, inputs.meta, truth, families, train.model, settings.capacity)
    splits = per_split(scores, labels, truth, train.model)
    features = inputs.training["features"]
    test = (scores["split"] == "test").to_numpy()
    reasons = reason_table(inputs.model, inputs.X.loc[test, features], language=settings.language)
    files: dict[str, str | bytes] = {
        f"{train.model}_summary.csv": csv_text(inputs.model.summary_table()),
        "observed_vs_truth.csv": csv_text(gap_table(result)),
    }
    files.update(_model_card(inputs, settings, result, splits, features))
    return EvaluateResult(report_files=files, calibration=calibration_frame(scores, labels, truth, families),
                          reasons=reasons, metrics=evaluate_metrics(result))


def _model_card(inputs: EvaluateInputs, settings: EvaluateSettings, result: dict, splits: dict,
                features: list[str]) -> dict[str, str | bytes]:
    """``model_card.md``, ``model_card.html`` and the figures' bytes, drawn in a temporary folder laid out like
    the report folder (so the Markdown's relative figure paths are the report's)."""
    model, train, target = inputs.model, settings.train, inputs.target
    with tempfile.TemporaryDirectory(prefix="risico-card-") as tmp:
        folder = Path(tmp)
        figures = [Path(p) for p in model.figures(folder / FIGURES)]
        importance = model.global_importance().rename_axis("feature").reset_index(name="importance")
        sections = card.card_sections(result, splits, inputs.training, importance, figures,
                                      language=settings.language,
                                      feature_groups={f: inputs.feature_groups.get(f, "") for f in features},
                                      protected=settings.protected.attributes,
                                      dates={"validation_start": str(train.validation_start),
                                             "test_start": str(train.test_start)}, target=target.name)
        title = text("card.title" if target.name == "applications" else f"card.title.{target.name}",
                     settings.language)
        files: dict[str, str | bytes] = {f.relative_to(folder).as_posix(): f.read_bytes() for f in figures}
        files["model_card.md"] = card.to_markdown(title, sections, folder)
        files["model_card.html"] = card.to_html(title, sections, settings.language)
    return files


def evaluate_metrics(result: dict) -> dict:
    """The selected model's headline figures first, then everything (for dvc metrics diff)."""
    selected = result["families"][result["selected"]]
    head = {"selected": result["selected"],
            "test_roc_auc_observed": selected["observed"]["roc_auc"],
            "test_precision_at_capacity_observed": selected["observed"]["precision_at_capacity"]}
    if "truth" in selected:
        head.update(test_roc_auc_truth=selected["truth"]["roc_auc"],
                    test_precision_at_capacity_truth=selected["truth"]["precision_at_capacity"],
                    **{f"vs_oracle_{k}": v for k, v in result.get("vs_oracle", {}).items()})
    return {**head, "detail": result}
