"""``python -m risico approve``: the ethics committee's decision, bound to the exact model, audit, params and data.

It shows the audit's verdict and open dilemmas first and asks for confirmation
(``--yes`` for scripted use); then it appends one sealed record, signed with the
member's key (``--member NAME`` or ``--key FILE``; see ``risico keys new``) and
chained to the decision before it, to ``governance/decisions/`` (and stages it in
git where the folder is in a work tree). No worklist can be made without an
approving, unexpired record whose hashes match the current artifacts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

from risico.errors import RisicoError
from risico.governance.artifacts import audited_operating_point, read_artifacts
from risico.governance.decisions import (TARGETS, default_model_path, fill_default_paths, latest_decision,
                                         make_decision, stage_in_git, write_decision)
from risico.governance.keys import (SigningKey, demo_signing_key, keys_folder, load_signing_key, private_key_path,
                                    read_public_keys, sign_record, verify_record)
from risico.io import governance_lock
from risico.params import SectionReader, load_section
from risico.texts import LANGUAGES
from risico.texts.governance import text

HELP = "record the ethics committee's decision on this model (binds model, audit, params and data by hash)"
DEMO_NOT_SYNTHETIC = ("approve --demo is only for the synthetic demo world, but data.source in {params} is {source!r}. "
                      "A real extract needs a real committee decision: approve --decision ... --committee ...")
DEMO_WITH_DECISION = "approve --demo records its own demo decision; leave out {options}."
MISSING_OPTION = "approve needs {options} (or --demo on the synthetic world)."
NO_SIGNER = ("approve needs the signing member: --member NAME (key in $RISICO_KEY_DIR or ~/.config/risico/keys/, "
             "or $RISICO_MEMBER) or --key FILE; make a key with `python -m risico keys new --member NAME`.")
FUTURE_DATE = "Option --date {value} is after today ({today}): a decision is recorded on or after the day it is taken."
NOT_CONFIRMED = "Decision not recorded: the committee did not confirm. Run again and answer 'ja' (or pass --yes)."
BAD_DATE = "Option {option} must be a date as YYYY-MM-DD. Got {value!r} instead."


def _date(option: str, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise RisicoError(BAD_DATE.format(option=option, value=value)) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--decision", choices=("approve", "reject"))
    parser.add_argument("--committee", help="name of the ethics committee")
    parser.add_argument("--date", help="date of the decision, YYYY-MM-DD")
    parser.add_argument("--conditions", help="the conditions of use (or the reasons to reject)")
    parser.add_argument("--demo", action="store_true",
                        help="record a demo approval (synthetic data only; every output is watermarked as a demo)")
    parser.add_argument("--valid-until", help="last day the decision holds, YYYY-MM-DD")
    parser.add_argument("--member", default=os.environ.get("RISICO_MEMBER") or None,
                        help="the committee member who signs, with the key made by `risico keys new --member NAME` "
                             "(default: $RISICO_MEMBER)")
    parser.add_argument("--key", type=Path, help="the member's private key file (instead of --member)")
    parser.add_argument("--yes", action="store_true", help="confirm without asking (scripted use)")
    parser.add_argument("--target", choices=TARGETS, default="applications",
                        help="the model decided on: applications (default) or care providers")
    parser.add_argument("--model", type=Path,
                        help="the model file approved (default: models/<train.model>.pkl, for providers "
                             "provider_models/<train.model>.pkl)")
    parser.add_argument("--audit", type=Path,
                        help="the audit decided on (default: reports/audit/audit.json; reports/provider_audit/...)")
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    parser.add_argument("--training-data", type=Path, help="default: data/interim")
    parser.add_argument("--decisions", type=Path,
                        help="default: governance/decisions (providers: governance/decisions/providers)")


def _demo_defaults(args: argparse.Namespace) -> None:
    """Fill in a demo decision, or check that a real one has every option."""
    options = {"--decision": args.decision, "--committee": args.committee, "--date": args.date,
               "--conditions": args.conditions}
    if not args.demo:
        missing = [name for name, value in options.items() if value is None]
        if missing:
            raise RisicoError(MISSING_OPTION.format(options=", ".join(missing)))
        return
    given = [name for name, value in options.items() if value is not None]
    if given:
        raise RisicoError(DEMO_WITH_DECISION.format(options=", ".join(given)))
    source = load_section(args.params, "data").get("source")
    if source != "synthetic":
        raise RisicoError(DEMO_NOT_SYNTHETIC.format(params=args.params, source=source))
    language = SectionReader(load_section(args.params, "report"), "report").choice("language", LANGUAGES)
    args.decision = "approve"
    args.committee, args.conditions = text("demo.committee", language), text("demo.conditions", language)
    args.date = dt.date.today().isoformat()
    args.yes = True


def _signer(args: argparse.Namespace) -> SigningKey:
    """The key that signs: the project's demo key for --demo, else the member's (checked against governance/keys)."""
    keys = keys_folder(args.decisions)
    if args.demo:
        return demo_signing_key(keys)
    if args.key is None and args.member is None:
        raise RisicoError(NO_SIGNER)
    return load_signing_key(args.key or private_key_path(args.member), keys)


def run(args: argparse.Namespace) -> None:
    fill_default_paths(args, args.target)
    _demo_defaults(args)
    date, valid_until = _date("--date", args.date), _date("--valid-until", args.valid_until)
    today = dt.date.today()
    if date > today:
        raise RisicoError(FUTURE_DATE.format(value=args.date, today=today.isoformat()))
    signer = _signer(args)                           # before the committee is asked: no key, no question
    model = args.model or default_model_path(args.params, args.target)
    artifacts = read_artifacts({"model": model, "audit": args.audit, "params": args.params,
                                "training_data": args.training_data})
    hashes = {name: artifact.sha256 for name, artifact in artifacts.items()}
    audit = artifacts["audit"].json()        # what the committee sees is what is bound
    operating = audited_operating_point(artifacts["audit"], artifacts["params"], args.target)
    dilemmas = [d["title"] + ": " + d["text"] for d in audit.get("dilemmas", [])]
    print(f"Audit verdict: {audit.get('verdict')}")
    for number, dilemma in enumerate(dilemmas, 1):
        print(f"  {number}. {dilemma}")
    if not args.yes:
        print(f"Record the decision '{args.decision}' of {args.committee} on {date}? [ja/nee] ", end="", flush=True)
        if sys.stdin.readline().strip().lower() not in ("ja", "j", "yes", "y"):
            raise RisicoError(NOT_CONFIRMED)
    with governance_lock(args.decisions):            # the previous decision and the new one, no one in between
        previous = latest_decision(args.decisions, today=today)      # the whole chain checked before it grows
        record = make_decision(decision=args.decision, committee=args.committee, date=date,
                               conditions=args.conditions, valid_until=valid_until, hashes=hashes,
                               verdict=str(audit.get("verdict")), dilemmas=dilemmas, previous=previous,
                               demo=args.demo, target=args.target, operating=operating)
        record = _signed(record, signer, args.decisions)
        args.decisions.mkdir(parents=True, exist_ok=True)
        path = write_decision(record, args.decisions)
        stage_in_git(path)
    print(f"Recorded {record['record_id']} in {path}" + (" (DEMO: synthetic data only)" if args.demo else ""))


def _signed(record: dict[str, Any], signer: SigningKey, decisions: Path) -> dict[str, Any]:
    """``record`` signed by ``signer``, and checked as the gate will check it (a `SigningError` otherwise)."""
    signed = sign_record(record, signer)
    keys = keys_folder(decisions)
    verify_record(signed, read_public_keys(keys), file=decisions / f"{record['record_id']}.json", keys=keys)
    return signed
