"""``python -m risico expectations``: write the suites of the data contract with the municipality's vocabularies."""

from __future__ import annotations

import argparse
from pathlib import Path

from risico.contract import contract_for
from risico.params import load_section
from risico.validate.suites import write_suites
from risico.vocabularies import parse_vocabularies

HELP = "write the Great Expectations suites (expectations/) from the data contract and params.yaml's vocabularies"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--params", default="params.yaml", help="params file (section 'vocabularies')")
    parser.add_argument("--out", required=True, type=Path, help="folder for one <table>.json per table")


def run(args: argparse.Namespace) -> None:
    vocabularies = parse_vocabularies(load_section(args.params, "vocabularies"))
    write_suites(args.out, contract_for(vocabularies))
