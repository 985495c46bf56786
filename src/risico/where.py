"""The ``where`` command: after ``make run``, say what the pipeline produced and what to open first.

It reads the outputs from ``dvc.yaml`` itself, so it never goes stale when a
stage is added. The page to open first is the application audit's report
(the HTML report of the latest stage while that stage does not exist yet).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from risico.params import ParamError
from risico.texts import LANGUAGES
from risico.texts.governance import text

HELP = "list the reports and metrics the pipeline produced, and what to open first"


def stage_outputs(dvc_yaml: Path) -> list[tuple[str, str]]:
    """(stage, path) for every out, metric and plot declared in ``dvc.yaml``, in pipeline order."""
    try:
        stages = yaml.safe_load(dvc_yaml.read_text(encoding="utf-8"))["stages"]
    except (FileNotFoundError, KeyError, TypeError):
        raise ParamError(f"{dvc_yaml} is missing or has no 'stages'; run from the project folder.") from None
    found = []
    for name, stage in stages.items():
        for kind in ("outs", "metrics", "plots"):
            for entry in stage.get(kind, []) or []:
                found.append((name, next(iter(entry)) if isinstance(entry, dict) else entry))
    return found


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dvc-yaml", type=Path, default=Path("dvc.yaml"), help="the pipeline file")
    parser.add_argument("--language", choices=LANGUAGES, default="nl")


def run(args: argparse.Namespace) -> None:
    base = args.dvc_yaml.parent
    outputs = []
    for stage, path in stage_outputs(args.dvc_yaml):
        if not path.startswith(("reports/", "metrics/")) or not (base / path).exists():
            continue
        if (base / path).is_dir():
            outputs += [(stage, p.relative_to(base).as_posix()) for p in sorted((base / path).glob("*.html"))]
        else:
            outputs.append((stage, path))
    print(text("where.done", args.language))
    for stage, path in outputs:
        print(f"  {stage:<17} {path}")
    pages = [path for _, path in outputs if path.endswith(".html")]
    audit = [path for stage, path in outputs if stage == "audit" and path.endswith(".html")]
    if pages:
        print(text("where.open_first", args.language, path=(audit or pages)[-1]))
