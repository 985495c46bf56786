"""Benchmark of features + train (EBM) + evaluate, and scoring with reasons (figures, not a pass/fail test).

Generates the world once (not timed), splits off the protected columns as the
validate stage does (``interim/`` without them, ``protected/persons`` with
them), writes Parquet, then in a fresh child process times:

1. reading the interim tables and building the features;
2. training the EBM (``train.families = [ebm]``, ``train.model = ebm``);
3. evaluating: reading and aligning the truth, ``evaluate_scores``,
   ``per_split`` and ``calibration_frame``;
4. scoring every application with reasons (``predict_risk``,
   ``contributions``, ``reason_codes``), and separately rendering the reason
   texts for the top ``worklist.capacity`` x 12 applications (the worklist
   renders texts only for the cases it selects).

Peak resident memory of the child comes from ``wait4``.

    .venv/bin/python bench/bench_model.py                     # 1,000,000 persons
    .venv/bin/python bench/bench_model.py --persons 30000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from pathlib import Path

from _child import run_child  # noqa: E402 - a sibling module, run as a script

REPO = Path(__file__).resolve().parents[1]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(folder: Path) -> None:
    import numpy as np
    import pandas as pd
    import yaml

    from risico.evaluate.core import calibration_frame, evaluate_scores, per_split
    from risico.evaluate.reasons import reason_codes, render_reasons
    from risico.truth import aligned_truth
    from risico.features import build_application_features, parse_feature_params
    from risico.features.stage import read_inputs
    from risico.train.stage import select_features, train_models
    from risico.train_params import parse_train_params

    params = yaml.safe_load((REPO / "params.yaml").read_text())
    train_section = dict(params["train"], families=["ebm"], model="ebm")
    train = parse_train_params(train_section)
    capacity = int(params["worklist"]["capacity"])
    language = params["report"]["language"]
    times, peaks = {}, {}

    t = time.perf_counter()
    tables = read_inputs(folder / "interim", folder / "protected")
    features = build_application_features(tables, parse_feature_params(params["features"]))
    del tables
    times["features"] = time.perf_counter() - t
    peaks["features"] = _rss_mb()

    t = time.perf_counter()
    X = select_features(features.X, train.features)
    models, split, summary = train_models(X, features.meta, features.labels, train)
    model = models[train.model]
    scores = pd.DataFrame({"application_id": X.index, "split": split.to_numpy()})
    scores[f"score_{train.model}"] = model.predict_risk(X)
    times["train"] = time.perf_counter() - t
    peaks["train"] = _rss_mb()

    t = time.perf_counter()
    truth = aligned_truth(folder / "truth", features.meta["application_id"])
    result = evaluate_scores(scores, features.labels, features.meta, truth, train.families, train.model, capacity)
    per_split(scores, features.labels, truth, train.model)
    calibration_frame(scores, features.labels, truth, train.families)
    times["evaluate"] = time.perf_counter() - t
    peaks["evaluate"] = _rss_mb()

    t = time.perf_counter()
    score = model.predict_risk(X)
    times["score_predict_risk"] = time.perf_counter() - t
    t = time.perf_counter()
    contributions = model.contributions(X)
    times["score_contributions"] = time.perf_counter() - t
    t = time.perf_counter()
    codes, _ = reason_codes(contributions)
    times["score_reason_codes"] = time.perf_counter() - t
    peaks["scoring"] = _rss_mb()
    top = np.argsort(-score, kind="stable")[:capacity * 12]
    t = time.perf_counter()
    render_reasons(codes[top], X.iloc[top], language)
    times["render_texts"] = time.perf_counter() - t

    selected = result["families"][train.model]
    print(json.dumps({
        "applications": len(X), "features": X.shape[1], "fit_rows": summary["fit_rows"],
        "calibration_rows": summary["calibration_rows"], "rows": summary["rows"], "rendered": len(top),
        "capacity": capacity, "times": times, "peaks": peaks,
        "auc_observed": selected["observed"]["roc_auc"],
        "auc_truth": selected.get("truth", {}).get("roc_auc"),
        "auc_oracle": result.get("oracle", {}).get("truth", {}).get("roc_auc"),
        "auc_ratio": result.get("vs_oracle", {}).get("roc_auc_ratio"),
    }))


def write_inputs(n_persons: int, folder: Path) -> None:
    """The world, split the way the validate stage writes it: interim/, protected/, truth/."""
    import yaml

    from risico.contract import protected_columns
    from risico.io import write_parquet
    from risico.synth import generate_world, parse_generate_params

    values = yaml.safe_load((REPO / "params.yaml").read_text())["generate"]
    values["n_persons"] = n_persons
    world = generate_world(parse_generate_params(values))
    hidden = protected_columns()
    for sub in ("interim", "protected", "truth"):
        (folder / sub).mkdir()
    for name, frame in world.raw.items():
        if name in hidden:
            write_parquet(frame[[frame.columns[0], *hidden[name]]], folder / "protected" / f"{name}.parquet")
            frame = frame.drop(columns=list(hidden[name]))
        write_parquet(frame, folder / "interim" / f"{name}.parquet")
    for name, frame in world.truth.items():
        write_parquet(frame, folder / "truth" / f"{name}.parquet")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child))
        return
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        write_inputs(args.persons, Path(tmp))
        prepare = time.perf_counter() - t
        r = run_child(__file__, tmp)
    wall = r["wall_s"]
    s = r["times"]
    n = r["applications"]
    print(f"# features + train (EBM) + evaluate, {args.persons:,} persons, {n:,} applications x {r['features']} "
          f"features, {os.cpu_count()} cores")
    print(f"{'(untimed) generate + write':<32}{prepare:8.2f} s")
    print(f"{'1 read interim + features':<32}{s['features']:8.2f} s   peak so far {r['peaks']['features']:6.0f} MB")
    print(f"{'2 train EBM (+ score all)':<32}{s['train']:8.2f} s   peak so far {r['peaks']['train']:6.0f} MB   "
          f"fit rows {r['fit_rows']:,}, calibration rows {r['calibration_rows']:,}")
    print(f"{'3 evaluate':<32}{s['evaluate']:8.2f} s   peak so far {r['peaks']['evaluate']:6.0f} MB")
    print(f"{'total 1-3':<32}{s['features'] + s['train'] + s['evaluate']:8.2f} s   (target < 600 s on 2 cores)")
    print(f"{'child wall (incl. start, 4)':<32}{wall:8.2f} s")
    print(f"{'peak memory':<32}{r['peak_mb']:8.0f} MB   (target < 6144 MB)")
    print(f"  splits: " + ", ".join(f"{k}={v:,}" for k, v in r["rows"].items()))
    scoring = s["score_predict_risk"] + s["score_contributions"] + s["score_reason_codes"]
    print(f"4 scoring with reasons, all {n:,} applications:")
    print(f"  {'predict_risk':<30}{s['score_predict_risk']:8.2f} s")
    print(f"  {'contributions':<30}{s['score_contributions']:8.2f} s")
    print(f"  {'reason_codes':<30}{s['score_reason_codes']:8.2f} s")
    print(f"  {'together':<30}{scoring:8.2f} s   {n / scoring:12,.0f} applications/s   (target >= 100,000/s)")
    print(f"  {'render texts':<30}{s['render_texts']:8.2f} s   for the top {r['rendered']:,} = capacity "
          f"{r['capacity']} x 12 (the worklist renders texts only for the cases it selects)"
          f"   {r['rendered'] / s['render_texts']:,.0f} texts-rows/s")
    print(f"quality (test period): ROC AUC observed {r['auc_observed']:.4f}; against the truth: EBM "
          f"{r['auc_truth']:.4f}, oracle {r['auc_oracle']:.4f}, ratio {r['auc_ratio']:.4f}")


if __name__ == "__main__":
    main()
