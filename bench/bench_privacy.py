"""Benchmark of the privacy gate: recall on the identifier catalogue, false alarms and scan time on a clean world.

Figures, not a pass/fail test. Generates the world from the repository's
params.yaml (``generate`` section, ``n_persons`` overridable; the default is
the pipeline's 30,000-person world), then prints:

* recall on the generated catalogue of identifier spellings
  (``tests/privacy_catalogue.py``) and the spellings it missed;
* false alarms on the catalogue's look-alikes and on every column of every
  table of the clean world (each finding listed);
* the time of one :func:`risico.privacy.scan_frame` pass over the world
  (median of ``--repeat`` runs).

    .venv/bin/python bench/bench_privacy.py                  # the default world (30,000 persons)
    .venv/bin/python bench/bench_privacy.py --persons 200000 --repeat 5
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # for tests.privacy_catalogue


def main() -> None:
    import yaml

    from risico.privacy import scan_frame
    from risico.synth import generate_world, parse_generate_params
    from tests.privacy_catalogue import LOOK_ALIKES, build_catalogue, look_alike_frame, recall

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=None, help="n_persons (default: params.yaml)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    catalogue = build_catalogue()
    share, missed = recall(catalogue)
    print(f"recall on the catalogue: {share:.1%} ({len(catalogue) - len(missed)} of {len(catalogue)} spellings)")
    for spelling in missed:
        print(f"  missed: {spelling.rule} in column {spelling.column!r}")
    alarms = [(c, v) for c, v in LOOK_ALIKES if scan_frame(look_alike_frame(c, v), "t")]
    print(f"false alarms on {len(LOOK_ALIKES)} look-alikes: {len(alarms)}")

    values = yaml.safe_load((REPO / "params.yaml").read_text(encoding="utf-8"))["generate"]
    if args.persons is not None:
        values["n_persons"] = args.persons
    world = generate_world(parse_generate_params(values))
    rows = sum(len(f) for f in world.raw.values())
    cells = sum(f.size for f in world.raw.values())
    times, findings = [], []
    for _ in range(args.repeat):
        start = time.perf_counter()
        findings = [f for name, frame in world.raw.items() for f in scan_frame(frame, name)]
        times.append(time.perf_counter() - start)
    print(f"false alarms on the clean world ({values['n_persons']:,} persons, {len(world.raw)} tables, "
          f"{rows:,} rows, {cells:,} cells): {len(findings)}")
    for finding in findings:
        print(f"  {finding}")
    print(f"scan time over the world: {statistics.median(times):.3f} s (median of {args.repeat})")


if __name__ == "__main__":
    main()
