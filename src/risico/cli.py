"""``python -m risico <command>``: one sub-command per pipeline stage or operational act.

The parser is lazy: the registry below holds every command's name, module and
one-line help as data, so ``risico --help`` lists the commands without importing
any of them, and ``risico CMD ...`` imports only CMD's module (each of the DVC
stages pays for its own imports, not for all the others').
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from typing import NamedTuple

from risico import __version__
from risico.errors import RisicoError
from risico.io import running


class Command(NamedTuple):
    """One sub-command: its module has ``HELP``, ``add_arguments(parser)`` and ``run(args)``."""

    name: str
    module: str
    help: str  # equal to the module's HELP (tests/test_cli.py checks it)


#: Every command, in pipeline order.
REGISTRY: tuple[Command, ...] = (
    Command("generate", "risico.synth.stage",
            "generate the synthetic municipal world, its ground truth, and a current month of new applications"),
    Command("ingest", "risico.ingest.stage",
            "read the synthetic world or the municipality's files, type them, and stop on direct identifiers"),
    Command("validate", "risico.validate.stage",
            "check the tables against the data contract (Great Expectations), quarantine bad rows, "
            "split protected columns"),
    Command("describe", "risico.describe",
            "describe the world: group sizes, who was investigated, who really violated"),
    Command("features", "risico.features.stage",
            "build one feature row per application at its decision date (protected attributes kept apart)"),
    Command("provider-features", "risico.features.provider_stage",
            "build one feature row per care provider per quarter (protected attributes kept apart)"),
    Command("train", "risico.train.stage",
            "train the EBM, the scorecard and the gradient-boosting comparator on the earlier period"),
    Command("evaluate", "risico.evaluate.stage",
            "measure the models on the test period against observed labels and the truth; explain; "
            "write the model card"),
    Command("audit", "risico.audit.stage",
            "audit the selected model: group metrics, disparities, funnel, proxies, trade-offs, feedback, dilemmas"),
    Command("audit-scores", "risico.audit.scores_cli",
            "audit any scored table: group metrics with intervals, disparities, funnel, dilemmas, verdict"),
    Command("keys", "risico.governance.keys",
            "make a committee member's signing key: the private key outside the repository, the public key in "
            "governance/keys/"),
    Command("approve", "risico.governance.approve",
            "record the ethics committee's decision on this model (binds model, audit, params and data by hash)"),
    Command("worklist", "risico.governance.worklist",
            "score a batch of new applications and write the inspectors' worklist "
            "(only with an approving decision)"),
    Command("feedback", "risico.governance.feedback",
            "record what inspectors found per worklist case (CSV or XLSX), for the next audit"),
    Command("verify-log", "risico.governance.verify_log",
            "check the hash chain of the usage log of worklist runs (EU AI Act art. 12)"),
    Command("register", "risico.governance.register",
            "draft the entry for the Dutch algorithm register (algoritmeregister.overheid.nl) as JSON and Markdown"),
    Command("where", "risico.where",
            "list the reports and metrics the pipeline produced, and what to open first"),
    Command("contract", "risico.contract",
            "write the data contract as Markdown (docs/data-contract.md)"),
    Command("expectations", "risico.validate.suites_cli",
            "write the Great Expectations suites (expectations/) from the data contract and params.yaml's "
            "vocabularies"),
    Command("export-csv", "risico.ingest.export",
            "export the synthetic world as Dutch-style CSV files (';', decimal comma, dd-mm-yyyy)"),
)

#: name -> module, looked up when the command runs.
COMMANDS: dict[str, str] = {command.name: command.module for command in REGISTRY}
#: name -> one-line help, shown by ``risico --help`` without importing the module.
HELPS: dict[str, str] = {command.name: command.help for command in REGISTRY}

log = logging.getLogger("risico")


def command_module(name: str) -> str:
    """The module that runs command ``name`` (e.g. for a ``dvc.yaml`` stage's ``python -m risico <name>``)."""
    return COMMANDS[name]


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser listing every command; only ``command``'s module is imported, for its options and ``run``."""
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
        sub_parser = sub.add_parser(name, help=HELPS[name], description=HELPS[name])
        if name == command:
            module = importlib.import_module(module_name)
            module.add_arguments(sub_parser)
            sub_parser.set_defaults(_module=module)
    return parser


def command_in(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names: its first word that is not an option (top-level options take no value).

    >>> command_in(["--quiet", "where", "--language", "en"])
    'where'
    >>> command_in(["--help"]) is None
    True
    """
    return next((arg for arg in argv if not arg.startswith("-")), None)


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(command_in(argv))
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
