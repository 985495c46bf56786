"""The ``evaluate`` stage: test-period metrics against labels and truth, explanations, reasons, model card."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from risico.errors import RisicoError
from risico.evaluate import card
from risico.evaluate.core import calibration_frame, evaluate_scores, gap_table, per_split
from risico.evaluate.reasons import reason_table
from risico.io import atomic_dir, atomic_file, write_json, write_parquet
from risico.models.store import load_model
from risico.params import SectionReader, load_section
from risico.tables import write_csv
from risico.texts import LANGUAGES
from risico.texts.model import text
from risico.target import read_target
from risico.truth import aligned_truth
from risico.firewall import parse_protected_params
from risico.train_params import parse_train_params


HELP = "measure the models on the test period against observed labels and the truth; explain; write the model card"
CAPACITY_TOO_LARGE = ("The 'capacity' parameter of {section} must be an int in [1, {most}] (the most cases "
                      "in any test period). Got {capacity} instead.")


def parse_capacity(values, section: str = "worklist") -> int:
    r = SectionReader(values, section)
    capacity = r.int("capacity", minimum=1)
    return capacity


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--params", default="params.yaml",
                        help="params file (sections 'train', 'worklist', 'protected', 'report')")
    parser.add_argument("--processed", required=True, type=Path, help="folder with X, meta, labels")
    parser.add_argument("--scores", required=True, type=Path, help="scores from the train stage")
    parser.add_argument("--models", required=True, type=Path, help="folder with the fitted models")
    parser.add_argument("--truth", type=Path, help="ground truth folder (synthetic world only)")
    parser.add_argument("--metrics", required=True, type=Path, help="output metrics JSON")
    parser.add_argument("--plots", required=True, type=Path, help="output CSV: calibration curves (dvc plots)")
    parser.add_argument("--report", required=True, type=Path, help="output folder: model card, figures, tables")
    parser.add_argument("--reasons", required=True, type=Path, help="output Parquet: reasons for test applications")


def run(args: argparse.Namespace) -> None:
    train = parse_train_params(load_section(args.params, "train"))
    protected = parse_protected_params(load_section(args.params, "protected"))
    target = read_target(args.processed)
    capacity = parse_capacity(load_section(args.params, target.capacity_section), target.capacity_section)
    language = SectionReader(load_section(args.params, "report"), "report").choice("language", LANGUAGES)
    meta = pd.read_parquet(args.processed / "meta.parquet")
    labels = pd.read_parquet(args.processed / "labels.parquet")
    X = pd.read_parquet(args.processed / "X.parquet").set_index(target.id)
    scores = pd.read_parquet(args.scores)
    truth = aligned_truth(args.truth, meta[target.truth_key], table=target.truth_table, key=target.truth_key,
                          label=target.truth_label, probability=target.truth_probability)
    test_months = meta.loc[(scores["split"] == "test").to_numpy(), "period"].value_counts()
    if test_months.empty or capacity > int(test_months.max()):
        raise RisicoError(CAPACITY_TOO_LARGE.format(most=int(test_months.max()) if len(test_months) else 0,
                                                    capacity=capacity, section=target.capacity_section))
    families = [c.removeprefix("score_") for c in scores.columns if c.startswith("score_")]
    result = evaluate_scores(scores, labels, meta, truth, families, train.model, capacity)
    splits = per_split(scores, labels, truth, train.model)
    training = json.loads((args.models / "training.json").read_text())
    model = load_model(args.models / f"{train.model}.pkl")
    features = training["features"]
    test = (scores["split"] == "test").to_numpy()
    reasons = reason_table(model, X.loc[test, features], language=language)
    groups = json.loads((args.processed / "feature_groups.json").read_text())
    with atomic_dir(args.report) as folder:
        figures = [Path(p) for p in model.figures(folder / "figures")]
        importance = model.global_importance().rename_axis("feature").reset_index(name="importance")
        write_csv(model.summary_table(), folder / f"{train.model}_summary.csv")
        write_csv(gap_table(result), folder / "observed_vs_truth.csv")
        sections = card.card_sections(result, splits, training, importance, figures, language=language,
                                      feature_groups={f: groups.get(f, "") for f in features},
                                      protected=protected.attributes,
                                      dates={"validation_start": str(train.validation_start),
                                             "test_start": str(train.test_start)}, target=target.name)
        title = text("card.title" if target.name == "applications" else f"card.title.{target.name}", language)
        (folder / "model_card.md").write_text(card.to_markdown(title, sections, folder), encoding="utf-8")
        (folder / "model_card.html").write_text(card.to_html(title, sections, language), encoding="utf-8")
    with atomic_file(args.plots) as tmp:
        write_csv(calibration_frame(scores, labels, truth, families), tmp)
    args.reasons.parent.mkdir(parents=True, exist_ok=True)
    write_parquet(reasons.reset_index(), args.reasons)
    write_json(_metrics(result), args.metrics)


def _metrics(result: dict) -> dict:
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
