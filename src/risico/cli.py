"""``python -m risico <command>``: one sub-command per pipeline stage or operational act."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from risico import __version__
from risico.errors import RisicoError
from risico.io import running

#: name -> module with HELP, add_arguments(parser) and run(args). Order = pipeline order.
COMMANDS: dict[str, str] = {
    "generate": "risico.synth.stage",
    "ingest": "risico.ingest.stage",
    "validate": "risico.validate.stage",
    "describe": "risico.describe",
    "features": "risico.features.stage",
    "provider-features": "risico.features.provider_stage",
    "train": "risico.train.stage",
    "evaluate": "risico.evaluate.stage",
    "audit": "risico.audit.stage",
    "audit-scores": "risico.audit.scores_cli",
    "approve": "risico.governance.approve",
    "worklist": "risico.governance.worklist",
    "feedback": "risico.governance.feedback",
    "verify-log": "risico.governance.verify_log",
    "register": "risico.governance.register",
    "where": "risico.where",
    "contract": "risico.contract",
    "expectations": "risico.validate.suites_cli",
    "export-csv": "risico.ingest.export",
}

log = logging.getLogger("risico")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="risico",
        description="Risk-based pre-award supervision with a fairness audit in front of every score.",
        epilog="Pipeline stages run in this order under `dvc repro`; see dvc.yaml.",
    )
    parser.add_argument("--version", action="version", version=f"risico {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the traceback on errors")
    parser.add_argument("--quiet", action="store_true", help="log warnings only")
    sub = parser.add_subparsers(dest="command", metavar="<command>", required=True)
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(module_name)
        command = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(command)
        command.set_defaults(_module=module)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    log.setLevel(logging.WARNING if args.quiet else logging.INFO)
    try:
        with running(args.command):      # names the command in output markers and locks
            args._module.run(args)
    except RisicoError as exc:
        if args.debug:
            raise
        print(f"risico {args.command}: error: {exc}", file=sys.stderr)
        return 2
    return 0
