"""Benchmark of the inspectors' worklist on a batch of 1,000,000 new applications (figures, not a pass/fail test).

Issue 6: "Worklist for a batch of 1,000,000 applications (scoring, reasons for
the selected cases, Excel of the selected cases) in under 60 s on 2 cores".

Set-up (timed and reported, not part of the figure):

1. a temporary project like ``tests/conftest.py::small_project`` (dvc.yaml,
   params.yaml, expectations/, data/extracts/) with ``generate.n_persons =
   --persons`` and ``train.families = [ebm]`` (the selected model; every other
   parameter as in params.yaml); the dvc.yaml commands of generate, ingest,
   validate, features and train run in it, each timed;
2. ``reports/audit/audit.json`` is a BENCHMARK STAND-IN (the gate only hashes
   it; the audit stage itself is not run);
3. the batch: the population and providers are drawn again from the same
   params and seeds as the generate stage (checked against data/raw), then
   ``generate_applications`` draws the batch month (the month after the period,
   as ``generate_world`` does) with ``applications.per_household`` raised so
   that the month holds about 1% more than ``--batch-size`` applications; an
   ordered random subset of exactly ``--batch-size`` rows is kept, numbered on
   from the history (``first_id = len(data/raw/applications) + 1``) and
   finished like ``risico.synth.world._finish_batch``. Its columns and dtypes
   must equal those of the normal run's ``data/batch/applications.parquet``;
4. ``python -m risico approve --decision approve ... --yes`` records the decision.

Measured: ``python -m risico worklist --batch BATCH --out <new folder>`` in a
fresh child process, ``--runs`` times (median wall time and peak resident
memory from ``wait4``), run inside the project as an inspector would run it.
One extra run in a child that wraps the worklist's steps with timers gives the
phase breakdown (the wrappers only read the clock); one more under cProfile
gives the hotspots (``--profile auto``: only when the median misses the target).

    .venv/bin/python bench/bench_worklist.py                                 # 1,000,000 persons and applications
    .venv/bin/python bench/bench_worklist.py --persons 30000 --batch-size 50000 --runs 1
    .venv/bin/python bench/bench_worklist.py --keep /tmp/wl --json wl.json   # keep the project for --project
    .venv/bin/python bench/bench_worklist.py --project /tmp/wl               # reuse a kept project: no set-up
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_S = 60.0
SETUP_STAGES = ("generate", "ingest", "validate", "features", "train")
BATCH_NAME = "bench-batch/applications.parquet"
AUDIT_STAND_IN = {"verdict": "benchmark stand-in", "dilemmas": [],
                  "note": "Written by bench/bench_worklist.py instead of running the audit stage: the gate only "
                          "hashes this file. Not an audit."}
#: (key, label) of the phase breakdown, in the order of the worklist's work.
PHASES = (
    ("startup", "process start, imports, params"),
    ("gate", "committee gate (hash model, audit, params, data/interim)"),
    ("read", "read batch (read_table)"),
    ("privacy", "privacy gate (check_frames)"),
    ("gx_import", "import great_expectations"),
    ("validate", "validation (validate_table: GX suite, row rules, references)"),
    ("batch_rest", "rest of reading: suites, parent tables, id clash, batch SHA-256"),
    ("features", "features (history + batch)"),
    ("load_model", "load model"),
    ("scoring", "scoring (predict_risk, whole batch)"),
    ("select", "selection and other make_worklist work"),
    ("reasons", "reasons + table for the selected (_lines)"),
    ("xlsx", "worklist.xlsx"),
    ("csv", "worklist.csv (+ rejected.csv)"),
    ("routes_log", "sealed routes + usage log + receipt"),
)


def _env() -> dict[str, str]:
    return {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"],
            "RISICO_USER": "bench.worklist"}


def _measure(cmd: list[str], cwd: Path, stdout=subprocess.DEVNULL) -> tuple[float, float]:
    """Run ``cmd`` in ``cwd``; (wall seconds, peak resident MB of the child from ``wait4``)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=_env(), stdout=stdout, stderr=subprocess.PIPE, text=True)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"failed ({status}): {shlex.join(cmd)}\n{err[-3000:]}")
    return wall, usage.ru_maxrss / 1024


# -- set-up --------------------------------------------------------------------------------------------------------

def make_project(root: Path, n_persons: int) -> None:
    import yaml

    shutil.copy(REPO / "dvc.yaml", root / "dvc.yaml")
    shutil.copytree(REPO / "expectations", root / "expectations")
    shutil.copytree(REPO / "data" / "extracts", root / "data" / "extracts")
    params = yaml.safe_load((REPO / "params.yaml").read_text(encoding="utf-8"))
    params["generate"]["n_persons"] = n_persons
    params["train"]["families"] = ["ebm"]
    params["train"]["model"] = "ebm"
    (root / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")


def run_stages(root: Path) -> dict[str, tuple[float, float]]:
    """The dvc.yaml commands of the set-up stages, without DVC: {stage: (seconds, peak MB)}."""
    import yaml

    stages = yaml.safe_load((root / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
    out = {}
    for name in SETUP_STAGES:
        out[name] = _measure(shlex.split(stages[name]["cmd"]), root)
        print(f"  setup: {name:<9} {out[name][0]:7.1f} s   peak {out[name][1]:6.0f} MB", file=sys.stderr, flush=True)
    return out


def build_batch(root: Path, batch_size: int) -> dict:
    """Write ``root/BATCH_NAME``: ``batch_size`` new applications for the month after the period; its checks."""
    import numpy as np
    import pandas as pd
    import yaml

    from risico.io import write_parquet
    from risico.synth import parse_generate_params
    from risico.synth._common import day_number, make_ids
    from risico.synth.applications import generate_applications
    from risico.synth.doorstarts import plant_doorstarts
    from risico.synth.population import generate_population
    from risico.synth.providers import generate_providers
    from risico.synth.world import _finish_batch, batch_month, seed_streams

    params = parse_generate_params(yaml.safe_load((root / "params.yaml").read_text(encoding="utf-8"))["generate"])
    rng = seed_streams(params)                       # the same streams as generate_world
    pop = generate_population(rng["population"], params)
    prov = plant_doorstarts(rng["doorstarts"], params, generate_providers(rng["providers"], params, pop.addresses),
                            pop.addresses)
    raw = root / "data" / "raw"
    for table, frame, key in (("households", pop.households, "household_id"),
                              ("providers", prov.providers, "provider_id")):
        stored = pd.read_parquet(raw / f"{table}.parquet", columns=[key])[key]
        if not np.array_equal(stored.to_numpy(dtype=str), frame[key].to_numpy(dtype=str)):
            raise SystemExit(f"the regenerated {table} differ from data/raw/{table}.parquet")
    history = pd.read_parquet(raw / "applications.parquet", columns=["application_id", "household_id"])
    first, end = batch_month(params)
    window = day_number(first), day_number(end)
    period = day_number(params.start_date), day_number(params.end_date)
    n_households = len(pop.households)
    # per_household is per period; one window of (end - start) days draws that share of it
    per_household = 1.01 * batch_size * (period[1] - period[0]) / (n_households * (window[1] - window[0]))
    boosted = dataclasses.replace(params, applications=dataclasses.replace(params.applications,
                                                                           per_household=per_household))
    first_id = len(history) + 1
    draw = generate_applications(rng["batch"], boosted, pop, prov, follow_rng=rng["doorstarts"], window=window,
                                 first_id=first_id)
    drawn = len(draw.table)
    if drawn < batch_size:
        raise SystemExit(f"drew only {drawn:,} applications for a batch of {batch_size:,}")
    keep = np.sort(np.random.default_rng(0).choice(drawn, size=batch_size, replace=False))
    table = draw.table.iloc[keep].reset_index(drop=True)
    table["application_id"] = make_ids("AV", first_id - 1 + batch_size, 8).iloc[first_id - 1:].to_numpy()
    batch = _finish_batch(table, history)
    del draw, table, pop, prov

    normal = pd.read_parquet(root / "data" / "batch" / "applications.parquet")
    if list(batch.columns) != list(normal.columns):
        raise SystemExit(f"batch columns {list(batch.columns)} != data/batch columns {list(normal.columns)}")
    if not batch.dtypes.equals(normal.dtypes):
        raise SystemExit(f"batch dtypes differ from data/batch:\n{batch.dtypes}\n{normal.dtypes}")
    if len(batch) != batch_size or batch["application_id"].duplicated().any():
        raise SystemExit("batch has the wrong number of rows or duplicate ids")
    if batch["application_id"].isin(history["application_id"]).any():
        raise SystemExit("batch ids clash with the history")
    path = root / BATCH_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    write_parquet(batch, path)
    return {"rows": len(batch), "drawn": drawn, "per_household": per_household, "households": n_households,
            "normal_batch_rows": len(normal), "month": f"{first:%Y-%m}", "first_id": batch["application_id"].iloc[0],
            "last_id": batch["application_id"].iloc[-1], "columns": len(batch.columns),
            "applications_per_household_in_month": len(batch) / n_households, "file_mb": path.stat().st_size / 2**20}


def approve(root: Path) -> float:
    cmd = [sys.executable, "-m", "risico", "approve", "--decision", "approve", "--committee",
           "Benchmark (bench/bench_worklist.py; not a committee)", "--date", time.strftime("%Y-%m-%d"),
           "--conditions", "Benchmark only: synthetic data, audit stand-in.", "--yes"]
    return _measure(cmd, root)[0]


def setup(root: Path, n_persons: int, batch_size: int) -> dict:
    t0 = time.perf_counter()
    make_project(root, n_persons)
    stages = run_stages(root)
    audit = root / "reports" / "audit" / "audit.json"
    audit.parent.mkdir(parents=True, exist_ok=True)
    audit.write_text(json.dumps(AUDIT_STAND_IN, indent=2) + "\n", encoding="utf-8")
    t = time.perf_counter()
    batch = build_batch(root, batch_size)
    batch_s = time.perf_counter() - t
    print(f"  setup: batch     {batch_s:7.1f} s   {batch['rows']:,} rows", file=sys.stderr, flush=True)
    approve_s = approve(root)
    info = {"stages": {k: {"s": v[0], "peak_mb": v[1]} for k, v in stages.items()}, "batch_s": batch_s,
            "approve_s": approve_s, "batch": batch, "total_s": time.perf_counter() - t0, "audit": "stand-in"}
    (root / "bench-batch" / "setup.json").write_text(json.dumps(info, indent=2), encoding="utf-8")
    return info


# -- measurement ---------------------------------------------------------------------------------------------------

def worklist_cmd(out: str) -> list[str]:
    return [sys.executable, "-m", "risico", "worklist", "--batch", BATCH_NAME, "--out", out]


def last_log_line(root: Path) -> dict:
    lines = (root / "governance" / "usage-log.jsonl").read_text(encoding="utf-8").splitlines()
    return json.loads(lines[-1])


def next_out(root: Path, tag: str) -> str:
    i = 1
    while (root / "bench-out" / f"{tag}-{i}").exists():
        i += 1
    return f"bench-out/{tag}-{i}"


def timed_runs(root: Path, runs: int) -> list[dict]:
    out = []
    for _ in range(runs):
        folder = next_out(root, "run")
        wall, peak = _measure(worklist_cmd(folder), root)
        line = last_log_line(root)
        out.append({"wall_s": wall, "peak_mb": peak, "out": folder, "n_scored": line["n_scored"],
                    "n_rejected": line["n_rejected"], "n_selected": line["n_selected"]})
        print(f"  worklist run: {wall:7.1f} s   peak {peak:6.0f} MB", file=sys.stderr, flush=True)
    return out


def child_phases(result_path: Path, out: str) -> None:
    """In the project folder: the worklist with timers around its steps (``PHASES``); JSON to ``result_path``."""
    started = time.perf_counter()
    import contextlib

    import risico.governance.artifacts as artifacts
    import risico.governance.routes as routes
    import risico.governance.sheets as sheets
    import risico.governance.usage_log as usage_log
    import risico.governance.worklist as wl
    import risico.ingest.readers as readers
    import risico.models.store as store
    import risico.privacy as privacy
    import risico.validate.core as vcore
    from risico.cli import main

    raw: dict[str, float] = {}
    state = {"in_lines": False}

    def wrap(module, name, key, before=None):
        original = getattr(module, name)

        def wrapper(*args, **kwargs):
            if before:
                before()
            t = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                raw[key] = raw.get(key, 0.0) + time.perf_counter() - t
        setattr(module, name, wrapper)

    def gx_import():
        if "great_expectations" not in sys.modules:
            t = time.perf_counter()
            import great_expectations  # noqa: F401
            from great_expectations.data_context.types.base import DataContextConfig  # noqa: F401
            raw["gx_import"] = time.perf_counter() - t

    load = store.load_model_bytes

    def timed_load(data, **kwargs):
        t = time.perf_counter()
        model = load(data, **kwargs)
        raw["load_model"] = time.perf_counter() - t
        predict = model.predict_risk

        def predict_risk(X):
            t = time.perf_counter()
            try:
                return predict(X)
            finally:
                if not state["in_lines"]:
                    raw["scoring"] = raw.get("scoring", 0.0) + time.perf_counter() - t
        model.predict_risk = predict_risk
        return model

    lines = wl._lines

    def timed_lines(*args, **kwargs):
        state["in_lines"] = True
        t = time.perf_counter()
        try:
            return lines(*args, **kwargs)
        finally:
            raw["reasons"] = time.perf_counter() - t
            state["in_lines"] = False

    store.load_model_bytes, wl._lines = timed_load, timed_lines
    wrap(artifacts, "read_artifacts", "gate")
    wrap(wl, "check_gate", "gate")
    wrap(wl, "make_worklist", "make_worklist")
    wrap(wl, "_read_batch", "read_batch")
    wrap(wl, "_batch_features", "features")
    wrap(readers, "read_table", "read")
    wrap(privacy, "check_frames", "privacy")
    wrap(vcore, "validate_table", "validate", before=gx_import)
    wrap(sheets, "write_xlsx", "xlsx")
    wrap(sheets, "write_csv", "csv")
    wrap(routes, "stage_routes", "routes_log")
    wrap(usage_log, "append_usage", "routes_log")
    wrap(wl, "write_json", "routes_log")
    t = time.perf_counter()
    with contextlib.redirect_stdout(sys.stderr):
        code = main(["worklist", "--batch", BATCH_NAME, "--out", out])
    end = time.perf_counter()
    if code:
        raise SystemExit(f"worklist failed with {code}")
    phases = {k: raw.get(k, 0.0) for k in ("gate", "read", "privacy", "gx_import", "validate", "features",
                                           "load_model", "scoring", "reasons", "xlsx", "csv", "routes_log")}
    phases["batch_rest"] = raw["read_batch"] - raw["read"] - raw["privacy"] - raw.get("gx_import", 0.0) - raw["validate"]
    phases["select"] = raw["make_worklist"] - sum(v for k, v in phases.items())
    phases["startup"] = (t - started) + (end - t - raw["make_worklist"])   # imports here + parser/main outside
    result_path.write_text(json.dumps({"phases": phases, "in_process_s": end - started,
                                       "module_import_before_main_s": t - started}), encoding="utf-8")


def phase_run(root: Path) -> dict:
    result = root / "bench-out" / "phases.json"
    result.parent.mkdir(exist_ok=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child-phases", str(result), next_out(root, "phases")]
    wall, peak = _measure(cmd, root)
    data = json.loads(result.read_text(encoding="utf-8"))
    data["phases"]["startup"] += wall - data["in_process_s"]     # interpreter start before the script ran
    data.update(wall_s=wall, peak_mb=peak)
    return data


def profile_run(root: Path, top: int) -> dict:
    import pstats

    prof = root / "bench-out" / "worklist.prof"
    cmd = [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "risico", *worklist_cmd(next_out(root, "prof"))[3:]]
    wall, _ = _measure(cmd, root)
    stats = pstats.Stats(str(prof))
    rows = []
    for (file, line, func), (cc, nc, tt, ct, _callers) in stats.stats.items():
        rows.append({"where": f"{_short(file)}:{line}({func})", "calls": nc, "tottime": tt, "cumtime": ct})
    by_tot = sorted(rows, key=lambda r: -r["tottime"])[:top]
    by_cum = sorted((r for r in rows if "risico" in r["where"] or "bench" in r["where"]),
                    key=lambda r: -r["cumtime"])[:top]
    return {"wall_s": wall, "file": str(prof), "tottime": by_tot, "cumtime_risico": by_cum}


def _short(file: str) -> str:
    for marker in ("site-packages/", "/src/", "/lib/python"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file


# -- report --------------------------------------------------------------------------------------------------------

def report(args, root: Path, setup_info: dict | None, runs: list[dict], phases: dict | None,
           profile: dict | None) -> dict:
    walls = [r["wall_s"] for r in runs]
    peaks = [r["peak_mb"] for r in runs]
    median = statistics.median(walls)
    last = runs[-1]
    listed = last["n_selected"]["risk"] + last["n_selected"]["random"]
    out = []
    p = out.append
    p(f"# Worklist benchmark (issue 6): {last['n_scored'] + last['n_rejected']:,} applications in the batch, "
      f"{args.persons:,} persons in the history")
    p("")
    p(f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}; "
      f"target < {TARGET_S:.0f} s on 2 cores.")
    p("")
    p("| measure | value |")
    p("| --- | --- |")
    if setup_info:
        st = setup_info["stages"]
        p(f"| set-up, total (not timed in the figure) | {setup_info['total_s']:.0f} s |")
        p("| set-up stages (dvc.yaml commands) | "
          + ", ".join(f"{k} {v['s']:.0f} s" for k, v in st.items()) + " |")
        p(f"| set-up peak memory (largest stage) | {max(v['peak_mb'] for v in st.values()):,.0f} MB "
          f"({max(st, key=lambda k: st[k]['peak_mb'])}) |")
        b = setup_info["batch"]
        p(f"| batch build (generator, not timed) | {setup_info['batch_s']:.0f} s: {b['rows']:,} rows "
          f"(of {b['drawn']:,} drawn; per_household {b['per_household']:.1f}, "
          f"{b['applications_per_household_in_month']:.2f} per household in {b['month']}; normal batch "
          f"{b['normal_batch_rows']:,}), ids {b['first_id']}..{b['last_id']}, {b['file_mb']:.0f} MB Parquet |")
        p("| audit | **benchmark stand-in** reports/audit/audit.json (audit stage not run) |")
    p(f"| history (data/interim) | {args.persons:,} persons |")
    p(f"| worklist runs | {len(runs)}: " + ", ".join(f"{w:.1f} s" for w in walls) + " |")
    p(f"| **median worklist wall time** | **{median:.1f} s** ({'meets' if median < TARGET_S else 'MISSES'} "
      f"< {TARGET_S:.0f} s) |")
    p(f"| peak memory (max of runs) | {max(peaks):,.0f} MB (median {statistics.median(peaks):,.0f} MB) |")
    p(f"| scored / rejected / on the list | {last['n_scored']:,} / {last['n_rejected']:,} / {listed} "
      f"({last['n_selected']['risk']} risk + {last['n_selected']['random']} random) |")
    p(f"| throughput | {(last['n_scored'] + last['n_rejected']) / median:,.0f} applications/s end to end |")
    if phases:
        p("")
        p(f"Phase breakdown (one extra run with timers around the steps: {phases['wall_s']:.1f} s wall, "
          f"peak {phases['peak_mb']:,.0f} MB):")
        p("")
        p("| phase | s | share |")
        p("| --- | ---: | ---: |")
        total = phases["wall_s"]
        for key, label in PHASES:
            value = phases["phases"].get(key, 0.0)
            p(f"| {label} | {value:.2f} | {value / total:.0%} |")
        p(f"| total (child wall) | {total:.2f} | 100% |")
    if profile:
        p("")
        p(f"Hotspots (cProfile run, {profile['wall_s']:.1f} s wall with the profiler's overhead; "
          f"{profile['file']}):")
        p("")
        p("| function (own time) | calls | tottime s | cumtime s |")
        p("| --- | ---: | ---: | ---: |")
        for r in profile["tottime"]:
            p(f"| `{r['where']}` | {r['calls']:,} | {r['tottime']:.2f} | {r['cumtime']:.2f} |")
        p("")
        p("| risico function (cumulative) | calls | tottime s | cumtime s |")
        p("| --- | ---: | ---: | ---: |")
        for r in profile["cumtime_risico"]:
            p(f"| `{r['where']}` | {r['calls']:,} | {r['tottime']:.2f} | {r['cumtime']:.2f} |")
    p("")
    repeat = f".venv/bin/python bench/bench_worklist.py --persons {args.persons} --batch-size {args.batch_size}"
    p(f"Repeat: `{repeat}` (add `--keep DIR` to keep the project, then `--project DIR` to rerun without set-up).")
    print("\n".join(out))
    return {"persons": args.persons, "batch_size": args.batch_size, "cores": os.cpu_count(), "target_s": TARGET_S,
            "setup": setup_info, "runs": runs, "median_s": median, "peak_mb": max(peaks),
            "n_scored": last["n_scored"], "n_rejected": last["n_rejected"], "n_listed": listed,
            "phases": phases, "profile": profile, "project": str(root)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=1_000_000, help="generate.n_persons of the history")
    parser.add_argument("--batch-size", type=int, default=1_000_000, help="applications in the batch")
    parser.add_argument("--runs", type=int, default=3, help="timed worklist runs (median reported)")
    parser.add_argument("--profile", choices=("auto", "always", "never"), default="auto",
                        help="cProfile run for hotspots: auto = only when the median misses the target")
    parser.add_argument("--top", type=int, default=15, help="hotspot rows per profile table")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--keep", type=Path, help="build the project in this (new) folder and keep it")
    parser.add_argument("--project", type=Path, help="reuse a project kept with --keep (skips the set-up)")
    parser.add_argument("--child-phases", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_phases:
        child_phases(Path(args.child_phases[0]), args.child_phases[1])
        return
    with tempfile.TemporaryDirectory(prefix="bench-worklist-") as tmp:
        setup_info = None
        if args.project:
            root = args.project.resolve()
            saved = root / "bench-batch" / "setup.json"
            setup_info = json.loads(saved.read_text(encoding="utf-8")) if saved.exists() else None
            if setup_info:
                args.batch_size = setup_info["batch"]["rows"]
            import yaml
            args.persons = yaml.safe_load((root / "params.yaml").read_text())["generate"]["n_persons"]
        else:
            root = (args.keep or Path(tmp)).resolve()
            root.mkdir(parents=True, exist_ok=True)
            if any(root.iterdir()):
                raise SystemExit(f"{root} is not empty")
            setup_info = setup(root, args.persons, args.batch_size)
        runs = timed_runs(root, args.runs)
        phases = phase_run(root)
        median = statistics.median(r["wall_s"] for r in runs)
        profile = profile_run(root, args.top) if args.profile == "always" or (
            args.profile == "auto" and median >= TARGET_S) else None
        result = report(args, root, setup_info, runs, phases, profile)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
