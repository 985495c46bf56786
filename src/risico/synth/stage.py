"""The ``generate`` stage: params.yaml in, ``data/raw`` and ``data/truth`` out."""

from __future__ import annotations

import argparse
import contextlib
import logging
from pathlib import Path

from risico.io import atomic_dir, write_parquet
from risico.params import load_section
from risico.synth.params import SECTION, parse_generate_params
from risico.synth.world import generate_world

log = logging.getLogger(__name__)

HELP = "generate the synthetic municipal world, its ground truth, and a current month of new applications"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--params", default="params.yaml", help="params file (reads its 'generate' section)")
    parser.add_argument("--raw", required=True, type=Path, help="output folder for the tables (data/raw)")
    parser.add_argument("--truth", required=True, type=Path, help="output folder for the ground truth (data/truth)")
    parser.add_argument("--batch", type=Path,
                        help="output folder for the current month's undecided applications (data/batch)")


def run(args: argparse.Namespace) -> None:
    params = parse_generate_params(load_section(args.params, SECTION))
    world = generate_world(params)
    with contextlib.ExitStack() as stack:
        raw, truth = stack.enter_context(atomic_dir(args.raw)), stack.enter_context(atomic_dir(args.truth))
        for name, frame in world.raw.items():
            write_parquet(frame, raw / f"{name}.parquet")
        for name, frame in world.truth.items():
            write_parquet(frame, truth / f"{name}.parquet")
        if args.batch is not None:
            write_parquet(world.batch, stack.enter_context(atomic_dir(args.batch)) / "applications.parquet")
    log.info("generated %s persons, %s applications into %s and %s", params.n_persons,
             len(world.raw["applications"]), args.raw, args.truth)
