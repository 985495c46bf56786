"""Learning curve of the risk model against the oracle: is the default world's label count the limit?

Issue 4's quality bar asks, on the default world (``generate.n_persons`` from
params.yaml), for the selected model's test ROC AUC against the ground truth to
reach >= 0.95 x the oracle's (the generator's own true probability), and its
precision at capacity (``worklist.capacity`` per month) >= 0.9 x the oracle's.
This benchmark measures both ratios as the world grows (figures, not a
pass/fail test):

1. For each size in ``--sizes``, in a fresh temporary project (the files
   ``tests/conftest.py`` copies: dvc.yaml, expectations/, data/extracts/, and
   params.yaml with only ``generate.n_persons`` changed), it runs the commands
   of the dvc.yaml stages generate, ingest, validate, features, train and
   evaluate exactly as written (not audit), then reads metrics/train.json and
   metrics/model.json: applications, fit rows, the selected model's and the
   oracle's test ROC AUC and precision at capacity against the truth, their
   ratios, the best family's ratios, and the wall time per stage.
2. For the first size only, the "truth-label ceiling": in a fresh child
   process, from that project's features outputs (data/processed) and truth
   (data/truth), the selected family (``make_model`` with the options the
   train stage uses, calibrated on the validation rows as ``train_models``
   does) is fitted on

   a. the observed labels of the training rows (what train does; it
      reproduces the train stage's score),
   b. the TRUE labels of the same training rows,
   c. the true labels of every training-period row, investigated or not,
   d. the true labels of every pre-test application (train + validation +
      excluded periods),

   and scored on the test period against the truth, relative to the oracle.
   (a) and (b) calibrate on the labelled validation rows, (c) and (d) on every
   validation row, with the same kind of label they were fitted on; the
   calibrator is non-decreasing, so it does not change the ranking metrics.

Every seed comes from params.yaml, so a rerun gives the same figures (times aside).

    .venv/bin/python bench/bench_learning_curve.py                          # 30,000, 100,000, 200,000 persons
    .venv/bin/python bench/bench_learning_curve.py --sizes 30000 --json /tmp/curve.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _child import run_child  # noqa: E402 - a sibling module, run as a script

REPO = Path(__file__).resolve().parents[1]
STAGES = ("generate", "ingest", "validate", "features", "train", "evaluate")
AUC_BAR, PRECISION_BAR = 0.95, 0.90
VARIANTS = {
    "a": "observed labels, investigated training rows (= train stage)",
    "b": "TRUE labels, the same training rows",
    "c": "true labels, every training-period row",
    "d": "true labels, every pre-test application",
}


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or not b or a != a or b != b:
        return None
    return round(a / b, 4)


# -- the pipeline in a temporary project ----------------------------------------------------------------------


def make_project(root: Path, n_persons: int) -> None:
    """A copy of the project's pipeline files with ``generate.n_persons`` changed (as tests/conftest.py does)."""
    import yaml

    shutil.copy(REPO / "dvc.yaml", root / "dvc.yaml")
    shutil.copytree(REPO / "expectations", root / "expectations")
    shutil.copytree(REPO / "data" / "extracts", root / "data" / "extracts")
    params = yaml.safe_load((REPO / "params.yaml").read_text(encoding="utf-8"))
    params["generate"]["n_persons"] = n_persons
    (root / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")


def run_stages(root: Path) -> dict[str, float]:
    """Run the dvc.yaml commands of STAGES in ``root`` (without DVC); return the wall time of each."""
    import yaml

    dvc = yaml.safe_load((root / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
    env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]}
    times = {}
    for name in STAGES:
        start = time.perf_counter()
        result = subprocess.run(shlex.split(dvc[name]["cmd"]), cwd=root, env=env, capture_output=True, text=True)
        times[name] = round(time.perf_counter() - start, 2)
        if result.returncode != 0:
            raise SystemExit(f"stage {name} failed in {root}:\n{result.stderr[-3000:]}")
    return times


def read_metrics(root: Path) -> dict:
    """Per size: counts from metrics/train.json, the selected and the best family against truth and oracle."""
    train = json.loads((root / "metrics" / "train.json").read_text())
    model = json.loads((root / "metrics" / "model.json").read_text())["detail"]
    oracle = model["oracle"]["truth"]
    families = {}
    for family, targets in model["families"].items():
        truth = targets["truth"]
        families[family] = {
            "roc_auc": truth["roc_auc"], "precision_at_capacity": truth["precision_at_capacity"],
            "roc_auc_ratio": _ratio(truth["roc_auc"], oracle["roc_auc"]),
            "precision_at_capacity_ratio": _ratio(truth["precision_at_capacity"], oracle["precision_at_capacity"]),
        }
    selected = model["selected"]
    best = max(families, key=lambda f: (families[f]["roc_auc_ratio"] or 0.0))
    return {
        "applications": sum(train["rows"].values()), "rows": train["rows"], "fit_rows": train["fit_rows"],
        "calibration_rows": train["calibration_rows"], "test_applications": model["test_applications"],
        "test_true_positives": oracle["positives"], "capacity_per_month": model["capacity_per_month"],
        "selected": selected, "selected_metrics": families[selected],
        "oracle": {"roc_auc": oracle["roc_auc"], "precision_at_capacity": oracle["precision_at_capacity"]},
        "best_family": best, "best_metrics": families[best], "families": families,
    }


# -- the truth-label ceiling (child process) ------------------------------------------------------------------


def child(root: Path) -> None:
    """Fit the selected family on variants a-d of the labels; print test metrics against the truth as JSON."""
    import numpy as np
    import pandas as pd
    import yaml

    from risico.evaluate.metrics import at_capacity, ranking_metrics
    from risico.models import make_model
    from risico.train.split import temporal_split
    from risico.train.stage import ipw_weights, select_features, training_rows
    from risico.train_params import parse_train_params
    from risico.truth import aligned_truth

    params = yaml.safe_load((root / "params.yaml").read_text(encoding="utf-8"))
    train = parse_train_params(params["train"])
    capacity = int(params["worklist"]["capacity"])
    processed = root / "data" / "processed"
    X = select_features(pd.read_parquet(processed / "X.parquet").set_index("application_id"), train.features)
    meta = pd.read_parquet(processed / "meta.parquet")
    labels = pd.read_parquet(processed / "labels.parquet")
    truth = aligned_truth(root / "data" / "truth", meta["application_id"])
    if truth is None:
        raise SystemExit("the truth does not cover every application")

    # as train_models does
    split = temporal_split(meta, train.validation_start, train.test_start).to_numpy()
    fit_rows = training_rows(pd.Series(split), labels, "train", train.label_source)
    cal_rows = training_rows(pd.Series(split), labels, "validation", train.label_source)
    observed = labels["observed"].to_numpy()
    true = truth["true_violation"].to_numpy().astype(int)
    period_rows = split == "train"
    weight = None
    if train.ipw:
        weight = ipw_weights(X[period_rows], labels["investigated"].to_numpy()[period_rows],
                             fit_rows[period_rows], train.seed)
    monotone = {k: v for k, v in train.monotone.items() if k in X.columns}
    options = ({"interactions": train.ebm_interactions, "outer_bags": train.ebm_outer_bags}
               if train.model == "ebm" else {})

    validation = split == "validation"
    plans = {  # fit rows, fit labels, weights, calibration rows, calibration labels
        "a": (fit_rows, observed, weight, cal_rows, observed),
        "b": (fit_rows, true, weight, cal_rows, true),
        "c": (period_rows, true, None, validation, true),
        "d": (split != "test", true, None, validation, true),
    }
    test = split == "test"
    period = meta["period"].to_numpy()[test]
    tiebreak = np.arange(test.sum())
    y_test = true[test].astype(float)

    def metrics(score: np.ndarray) -> dict:
        return {"roc_auc": ranking_metrics(y_test, score)["roc_auc"],
                "precision_at_capacity": at_capacity(y_test, score, period, capacity, tiebreak)["precision"]}

    oracle = metrics(truth["true_probability"].to_numpy()[test])
    out = {"model": train.model, "options": options, "oracle": oracle, "variants": {}}
    for key, (rows, y, w, calib, y_calib) in plans.items():
        start = time.perf_counter()
        model = make_model(train.model, random_state=train.seed, monotone=monotone, **options)
        model.fit(X[rows], y[rows].astype(int), sample_weight=w, X_calib=X[calib], y_calib=y_calib[calib].astype(int))
        result = metrics(model.predict_risk(X[test]))
        result.update(fit_rows=int(rows.sum()), fit_positives=int(y[rows].sum()), calibration_rows=int(calib.sum()),
                      roc_auc_ratio=_ratio(result["roc_auc"], oracle["roc_auc"]),
                      precision_at_capacity_ratio=_ratio(result["precision_at_capacity"],
                                                         oracle["precision_at_capacity"]),
                      fit_s=round(time.perf_counter() - start, 2))
        out["variants"][key] = result
    print(json.dumps(out))


# -- report ---------------------------------------------------------------------------------------------------


def _f(value: float | None, digits: int = 4) -> str:
    return "-" if value is None or value != value else f"{value:.{digits}f}"


def curve_table(results: list[dict]) -> list[str]:
    lines = [
        "| persons | applications | fit rows | model | ROC AUC vs truth | oracle | ratio (>= 0.95) "
        "| precision@cap vs truth | oracle | ratio (>= 0.9) | best family: AUC ratio, prec. ratio | wall s |",
        "|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for r in results:
        s, o, b = r["selected_metrics"], r["oracle"], r["best_metrics"]
        lines.append(
            f"| {r['n_persons']:,} | {r['applications']:,} | {r['fit_rows']:,} | {r['selected']} "
            f"| {_f(s['roc_auc'])} | {_f(o['roc_auc'])} | **{_f(s['roc_auc_ratio'])}** "
            f"| {_f(s['precision_at_capacity'])} | {_f(o['precision_at_capacity'])} "
            f"| **{_f(s['precision_at_capacity_ratio'])}** "
            f"| {r['best_family']}: {_f(b['roc_auc_ratio'])}, {_f(b['precision_at_capacity_ratio'])} "
            f"| {r['wall_s']:.0f} |")
    return lines


def ceiling_table(ceiling: dict) -> list[str]:
    o = ceiling["oracle"]
    lines = [
        f"| {ceiling['model']} fitted on | fit rows | positives | ROC AUC vs truth | ratio (>= 0.95) "
        "| precision@cap vs truth | ratio (>= 0.9) | fit s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, v in ceiling["variants"].items():
        lines.append(
            f"| ({key}) {VARIANTS[key]} | {v['fit_rows']:,} | {v['fit_positives']:,} | {_f(v['roc_auc'])} "
            f"| **{_f(v['roc_auc_ratio'])}** | {_f(v['precision_at_capacity'])} "
            f"| **{_f(v['precision_at_capacity_ratio'])}** | {v['fit_s']:.0f} |")
    lines.append(f"| oracle (true probability) | | | {_f(o['roc_auc'])} | 1 | {_f(o['precision_at_capacity'])} | 1 | |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="30000,100000,200000",
                        help="comma-separated generate.n_persons values; the first gets the truth-label ceiling")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child))
        return
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    if not sizes:
        raise SystemExit("--sizes names no world size")
    command = f".venv/bin/python bench/bench_learning_curve.py --sizes {','.join(map(str, sizes))}"
    started = time.perf_counter()
    results, ceiling = [], None
    for i, n in enumerate(sizes):
        with tempfile.TemporaryDirectory(prefix=f"risico-curve-{n}-") as tmp:
            root = Path(tmp)
            make_project(root, n)
            t = time.perf_counter()
            stage_s = run_stages(root)
            wall = time.perf_counter() - t
            result = {"n_persons": n, **read_metrics(root), "stage_s": stage_s, "wall_s": round(wall, 2)}
            print(f"# {n:,} persons: {wall:.0f} s, {result['selected']} AUC ratio "
                  f"{_f(result['selected_metrics']['roc_auc_ratio'])}", file=sys.stderr, flush=True)
            if i == 0:
                ceiling = run_child(__file__, str(root))
                ceiling["wall_s"] = round(ceiling.pop("wall_s"), 2)
                ceiling["peak_mb"] = round(ceiling.pop("peak_mb"))
                ceiling["n_persons"] = n
                reproduced = ceiling["variants"]["a"]["roc_auc"] == result["selected_metrics"]["roc_auc"]
                ceiling["a_reproduces_train_stage"] = reproduced
            results.append(result)
    total = time.perf_counter() - started

    lines = [f"## Learning curve vs the oracle ({os.cpu_count()} cores, Python {platform.python_version()}, "
             f"capacity {results[0]['capacity_per_month']} per month, test period, against the truth)", ""]
    lines += curve_table(results)
    lines += ["", "wall s = generate + ingest + validate + features + train + evaluate, run from dvc.yaml's commands.",
              "Per stage (s): " + "; ".join(f"{r['n_persons']:,}: " + ", ".join(f"{k} {v:.0f}" for k, v in
                                                                                   r["stage_s"].items())
                                            for r in results)]
    if ceiling is not None:
        lines += ["", f"## Truth-label ceiling, {ceiling['n_persons']:,} persons (the default world is the first "
                  f"size; test period, against the truth)", ""]
        lines += ceiling_table(ceiling)
        lines += ["", f"(a) reproduces the train stage's selected-model ROC AUC: "
                  f"{'yes' if ceiling['a_reproduces_train_stage'] else 'NO'}; ceiling child "
                  f"{ceiling['wall_s']:.0f} s, peak {ceiling['peak_mb']} MB."]
    lines += ["", f"Total {total:.0f} s. Repeat with:", "", f"    {command}"]
    print("\n".join(lines))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {"command": command, "cores": os.cpu_count(), "python": platform.python_version(),
                   "bars": {"roc_auc_ratio": AUC_BAR, "precision_at_capacity_ratio": PRECISION_BAR},
                   "sizes": results, "ceiling": ceiling, "total_s": round(total, 2)}
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
