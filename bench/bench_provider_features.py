"""Benchmark of the provider-quarter features (figures, not a pass/fail test).

Each run is a fresh child process: it generates the world from the repository's params.yaml (with
``n_persons`` overridden; the generation is not timed), then times ``build_provider_features`` on the
raw tables (the validated tables of a synthetic world hold the same rows) with the repository's
``provider_features`` section. The parent reads the child's peak resident memory from ``wait4``.

    .venv/bin/python bench/bench_provider_features.py                  # 30,000 and 1,000,000 persons, 3 runs
    .venv/bin/python bench/bench_provider_features.py --persons 200000 --repeat 5
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

from _child import run_child  # noqa: E402 - a sibling module, run as a script

REPO = Path(__file__).resolve().parents[1]


def child(n_persons: int) -> None:
    import yaml

    from risico.features.providers import (INPUT_TABLES, OPTIONAL_TABLES, REQUIRED_COLUMNS, build_provider_features,
                                           parse_provider_feature_params)
    from risico.synth import generate_world, parse_generate_params

    params = yaml.safe_load((REPO / "params.yaml").read_text())
    values = {**params["generate"], "n_persons": n_persons}
    world = generate_world(parse_generate_params(values))
    tables = {name: world.raw[name] for name in (*INPUT_TABLES, *OPTIONAL_TABLES) if name in world.raw}
    tables["protected_persons"] = world.raw["persons"][list(REQUIRED_COLUMNS["protected_persons"])]
    feature_params = parse_provider_feature_params(params["provider_features"])
    start = time.perf_counter()
    features = build_provider_features(tables, feature_params)
    took = time.perf_counter() - start
    print(json.dumps({"features_s": took, "rows": len(features.X), "features": features.X.shape[1],
                      "providers": int(features.meta["provider_id"].nunique()),
                      "declarations": len(tables["declarations"]), "absences": len(tables.get("absences", ()))}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, nargs="+", default=[30_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(int(args.child[0]))
        return
    print(f"# provider-features benchmark on {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    print("persons     providers  declarations  absences   rows (provider-quarters)  features_s(median)  "
          "rows/s     peak_MB(max, generation included)")
    for n in args.persons:
        runs = [run_child(__file__, str(n)) for _ in range(args.repeat)]
        r, took = runs[0], statistics.median(run["features_s"] for run in runs)
        print(f"{n:<11,} {r['providers']:<10,} {r['declarations']:<13,} {r['absences']:<10,} "
              f"{r['rows']:<25,} {took:<19.2f} {r['rows'] / took:<10,.0f} {max(x['peak_mb'] for x in runs):,.0f}")
        print("  runs (s):", ", ".join(f"{run['features_s']:.2f}" for run in runs), f"; {r['features']} features")


if __name__ == "__main__":
    main()
