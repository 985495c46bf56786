"""``python -m risico worklist --batch FILE --out DIR``: the inspectors' list, only behind the committee's gate.

The order of the work, and why
------------------------------
1. **The gate first.** The SHA-256 of the model file, the audit report, the
   params that made them and the validated training data must match the
   newest intact committee decision, which must approve and not have expired
   (:func:`risico.governance.decisions.check_gate`). Otherwise nothing is read
   or written and the message says what is missing. A demo decision
   (``approve --demo``) opens the gate only while ``data.source`` is
   ``synthetic``, and every output says it is a demo.
2. **The batch** (CSV or Parquet: the columns of ``applications`` without
   ``decision_date`` and ``awarded``, since nothing is decided yet) is read
   like any extract, passes the privacy gate, and is validated with the same
   suite as the training data, its references resolved in the validated
   history (``data/interim``). Rows that fail go to ``rejected.csv`` beside
   the list, with the reason (nothing is lost); above
   ``validate.max_quarantine_share`` the run stops.
3. **Features** are built at the as-of date (default: the batch's latest
   application date) from the history plus the batch, exactly as in training.
4. **Selection.** ``worklist.capacity`` cases in all: the
   ``capacity - round(capacity x random_share)`` highest scores (route
   ``risk``) and ``round(capacity x random_share)`` drawn uniformly from the
   rest (route ``random``) with a generator seeded by ``worklist.seed`` and
   the batch's hash (the same batch gives the same draw). The random cases
   keep tomorrow's labels honest: their hit rate is unbiased.
5. **The inspector's files** (``worklist.xlsx`` and ``worklist.csv``) list
   case id, rank, risk band (never a probability), three reasons in plain
   language and what to check first; never the route. Header lines say that
   a selection is a reason to look closer or to offer help, never proof.
   The route goes into a sealed file under ``governance/routes/``.
6. **The record.** One line is appended to the hash-chained usage log;
   ``receipt.json`` beside the list keeps that line's hash, so a truncated
   log is detectable (``python -m risico verify-log --expect-head``).

The random cases usually have low scores and so sit low on a list ordered by
risk: the list does not say which cases were drawn, but an attentive reader
can guess. A fully blind list would have to drop rank and band.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import getpass
import hashlib
import logging
import os
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from risico.contract import CONTRACT, Table, contract_for
from risico.errors import RisicoError
from risico.evaluate.reasons import N_REASONS
from risico.governance.decisions import TARGETS, check_gate, check_operating, default_path, fill_default_paths
from risico.governance.hashing import file_sha256
from risico.io import atomic_dir, governance_lock, write_json
from risico.params import MISSING_SECTION, ParamError, SectionReader
from risico.texts import LANGUAGES
from risico.texts.governance import text

__all__ = ["HELP", "add_arguments", "run", "WorklistParams", "parse_worklist_params", "select_cases",
           "risk_bands", "BATCH_TABLE", "make_worklist"]

log = logging.getLogger(__name__)

HELP = "score a batch of new applications and write the inspectors' worklist (only with an approving decision)"
#: The batch: an applications extract before any decision.
UNDECIDED = ("decision_date", "awarded")
BATCH_TABLE = Table("applications", "New applications, not yet decided (the worklist's batch).",
                    tuple(c for c in CONTRACT["applications"].columns if c.name not in UNDECIDED))
SECTION = {"applications": "worklist", "providers": "provider_worklist"}
FEATURE_SECTION = {"applications": "features", "providers": "provider_features"}
HISTORY_TABLES = ("persons", "households", "addresses", "providers", "applications", "declarations", "investigations",
                  "absences")
BANDS = ("low", "elevated", "high", "very_high")
OUTCOMES = ("nothing", "error_corrected", "help_offered", "fraud")

CAPACITY_TOO_LARGE = ("The 'capacity' parameter of {section} is {capacity}, but {batch} has only {n} "
                      "case(s) to score. Allowed: 1 to {n}.")
BAD_BANDS = ("The 'band_edges' parameter of {section} must be three increasing probabilities in (0, 1). "
             "Got {value!r} instead.")
AS_OF_TOO_EARLY = ("Option --as-of {as_of} is before the latest application date {latest} of the batch {batch}. "
                   "Allowed: that date or later.")
BAD_AS_OF = "Option --as-of must be a date as YYYY-MM-DD. Got {value!r} instead."
NO_REASONS = ("The approved model '{family}' gives no faithful local reasons, and a worklist line needs them. "
              "Approve a glass-box model (train.model: ebm or scorecard).")
OUT_NOT_EMPTY = ("Folder {out} already holds files ({files}). A worklist is never overwritten: choose a new --out "
                 "folder.")
OUT_CHANGED = ("Option --out '{out}' changed during the run ({files}); it was left untouched and nothing of this run "
               "was kept (no worklist, route file or log line). Choose a new --out folder and run again.")
DEMO_NOT_SYNTHETIC = ("Decision {record_id} is a demo and holds only for synthetic data, but data.source is "
                      "{source!r}. Record a real committee decision (python -m risico approve ...).")
NEEDS_BATCH = "The applications worklist needs --batch FILE (new applications as CSV or Parquet)."
NO_BATCH_FOR_PROVIDERS = ("The provider worklist takes no --batch: it scores the providers active in the quarter of "
                          "--as-of from the validated history (--training-data).")
ID_IN_HISTORY = "application_id already in the history"
BATCH_LIMIT = ("Validation stopped: {count:,} of {total:,} rows of the batch {batch} ({share:.2%}) break the "
               "rules (limit {limit:.2%}); most common: {reason}. Fix the batch and run again.")


@dataclasses.dataclass(frozen=True)
class WorklistParams:
    capacity: int
    random_share: float
    seed: int
    band_edges: tuple[float, float, float]

    @property
    def n_random(self) -> int:
        """Cases drawn at random: ``capacity x random_share``, rounded half up."""
        return int(np.floor(self.capacity * self.random_share + 0.5))


def parse_worklist_params(values: Any, section: str = "worklist") -> WorklistParams:
    r = SectionReader(values, section)
    capacity = r.int("capacity", minimum=1)
    share = r.float("random_share", 0.0, 0.5)
    seed = r.int("seed", minimum=0)
    edges = r.value("band_edges", "three increasing probabilities in (0, 1)")
    ok = (isinstance(edges, list) and len(edges) == 3
          and all(isinstance(e, (int, float)) and not isinstance(e, bool) and 0 < e < 1 for e in edges)
          and edges[0] < edges[1] < edges[2])
    if not ok:
        raise RisicoError(BAD_BANDS.format(value=edges, section=section))
    r.finish()
    return WorklistParams(capacity, share, seed, (float(edges[0]), float(edges[1]), float(edges[2])))


def select_cases(score: np.ndarray, case_id: np.ndarray, params: WorklistParams, rng: np.random.Generator,
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the risk-selected cases (best first) and of the random ones (drawn from the rest).

    Ties in the score are broken by case id, so the selection is deterministic.

    >>> p = WorklistParams(capacity=4, random_share=0.25, seed=0, band_edges=(0.1, 0.2, 0.3))
    >>> risk, rand = select_cases(np.array([.9, .1, .8, .2, .7, .3]), np.array(list("abcdef")), p,
    ...                           np.random.default_rng(0))
    >>> risk.tolist(), bool(set(rand) & set(risk)), len(rand)
    ([0, 2, 4], False, 1)
    """
    n_random = params.n_random
    n_risk = params.capacity - n_random
    order = np.lexsort((case_id, -score))
    risk = order[:n_risk]
    rest = np.sort(order[n_risk:])
    random = np.sort(rng.choice(rest, size=n_random, replace=False)) if n_random else np.array([], dtype=np.int64)
    return risk, random


def risk_bands(probability: np.ndarray, edges: tuple[float, float, float]) -> np.ndarray:
    """Band code per probability: ``low`` below the first edge, then ``elevated``, ``high``, ``very_high``.

    >>> risk_bands(np.array([0.05, 0.2, 0.35, 0.9]), (0.15, 0.3, 0.5)).tolist()
    ['low', 'elevated', 'high', 'very_high']
    """
    return np.array(BANDS, dtype=object)[np.searchsorted(np.asarray(edges), probability, side="right")]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", choices=TARGETS, default="applications",
                        help="applications (default; needs --batch) or care providers (the quarter of --as-of)")
    parser.add_argument("--batch", type=Path,
                        help="new applications: CSV or Parquet with the applications columns without "
                             "decision_date and awarded (data/batch/applications.parquet in the demo)")
    parser.add_argument("--out", required=True, type=Path, help="a new folder for the inspector's files")
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    parser.add_argument("--model", type=Path, help="default: models/<train.model>.pkl")
    parser.add_argument("--audit", type=Path, help="default: reports/audit/audit.json (providers: "
                                                       "reports/provider_audit/audit.json)")
    parser.add_argument("--training-data", type=Path,
                        help="the validated history the model was trained on, also the features' history "
                             "(default: data/interim)")
    parser.add_argument("--expectations", type=Path, default=Path("expectations"))
    parser.add_argument("--decisions", type=Path, help="default: governance/decisions (providers: "
                                                           "governance/decisions/providers)")
    parser.add_argument("--routes", type=Path, default=Path("governance/routes"), help="sealed route files")
    parser.add_argument("--log", type=Path, default=Path("governance/usage-log.jsonl"))
    parser.add_argument("--as-of", help="date the features are computed at, YYYY-MM-DD (default: the batch's "
                                        "latest application date; providers: the quarter after the history)")
    parser.add_argument("--user", help="who makes the list (default: the login name)")


def run(args: argparse.Namespace) -> None:
    if args.target == "applications" and args.batch is None:
        raise RisicoError(NEEDS_BATCH)
    if args.target == "providers" and args.batch is not None:
        raise RisicoError(NO_BATCH_FOR_PROVIDERS)
    summary = make_worklist(args)
    print(f"Worklist {summary['run_id']}: {summary['n_selected']['risk']} by risk + "
          f"{summary['n_selected']['random']} at random of {summary['n_scored']:,} scored "
          f"({summary['n_rejected']} rejected) -> {args.out / 'worklist.xlsx'}")


def make_worklist(args: argparse.Namespace) -> dict[str, Any]:
    """Everything :func:`run` does; returns the usage-log line."""
    from risico.governance.artifacts import read_artifacts
    from risico.governance.sheets import write_csv, write_xlsx
    from risico.models.store import load_model_bytes

    created = dt.datetime.now(dt.timezone.utc)
    target = args.target
    section = SECTION[target]
    fill_default_paths(args, target)
    params = read_artifacts({"params": args.params})["params"]      # read once: hashed, then parsed
    params_all = _sections(params.yaml(), args.params, (section, "report", "data", "ingest", "validate",
                                                        "vocabularies", FEATURE_SECTION[target], "train"))
    wl = parse_worklist_params(params_all[section], section)
    language = SectionReader(params_all["report"], "report").choice("language", LANGUAGES)
    model_path = args.model or default_path(target, "models") / f"{params_all['train']['model']}.pkl"
    artifacts = {"params": params, **read_artifacts({"model": model_path, "audit": args.audit,
                                                     "training_data": args.training_data})}
    hashes = {name: artifact.sha256 for name, artifact in artifacts.items()}
    decision = check_gate(args.decisions, hashes, today=created.date())
    check_operating(decision, {"capacity": wl.capacity, "random_share": wl.random_share}, section=section)
    source = params_all["data"].get("source")
    if decision.get("demo") and source != "synthetic":
        raise RisicoError(DEMO_NOT_SYNTHETIC.format(record_id=decision["record_id"], source=source))
    _check_out(args.out)

    # read once: validation, features, network; from the bytes the gate hashed
    history = {name: artifacts["training_data"].parquet(f"{name}.parquet") for name in HISTORY_TABLES}
    if target == "providers":
        X, rejected, as_of, input_hash, source_name = _provider_cases(args, params_all, history,
                                                                      hashes["training_data"])
    else:
        batch, rejected, as_of, input_hash = _read_batch(args, params_all, history)
        X, source_name = _batch_features(batch, history, params_all["features"]), str(args.batch)
    model = load_model_bytes(artifacts["model"].data, source=str(model_path))     # the approved bytes
    probability = model.predict_risk(X[list(model.schema_.names)] if set(model.schema_.names) <= set(X) else X)
    ids = X.index.to_numpy().astype(str)
    n = len(ids)
    if wl.capacity > n:
        raise RisicoError(CAPACITY_TOO_LARGE.format(section=section, capacity=wl.capacity, batch=source_name, n=n))
    rng = np.random.default_rng([wl.seed, int(input_hash[:16], 16)])
    risk, random = select_cases(probability, ids, wl, rng)
    chosen = np.concatenate([risk, random])
    chosen = chosen[np.lexsort((ids[chosen], -probability[chosen]))]       # the list: by risk, then id
    table, routes = _lines(model, X.iloc[chosen], probability[chosen], set(ids[random]), wl, language, target)
    header = _header(decision, model, as_of, n, len(table), len(rejected), language, target)

    def write_files(folder: Path) -> None:
        write_xlsx(table, header, folder / "worklist.xlsx", sheet=text("worklist.sheet", language), date=as_of,
                   widths=["medium", "narrow", "narrow", "wide", "wide", "wide", "wide", "medium", "wide"],
                   choices={text("worklist.col.outcome", language): [text(f"outcome.{o}", language)
                                                                     for o in OUTCOMES]},
                   warning=bool(decision.get("demo")),
                   extra=_network_sheet(ids[chosen], history, as_of, language, folder)
                   if target == "providers" else None)
        write_csv(table, header, folder / "worklist.csv")
        if len(rejected):
            write_csv(rejected, header[:1], folder / "rejected.csv")

    run_id = f"W-{created:%Y%m%dT%H%M%S%fZ}-{input_hash[:8]}"    # sorts by time
    entry = {"user": args.user or _login(), "run_id": run_id, "target": target, "started": created.isoformat(),
             "decision_id": decision["record_id"], "demo": bool(decision.get("demo")), "model_hash": hashes["model"],
             "batch_hash": input_hash, "batch_file": source_name, "as_of": as_of.isoformat(),
             "n_scored": n, "n_rejected": len(rejected),
             "n_selected": {"risk": int(risk.size), "random": int(random.size)},
             "capacity": wl.capacity, "random_share": wl.random_share, "seed": wl.seed}
    inputs = {"--batch": args.batch, "--model": model_path, "--audit": args.audit, "--params": args.params,
              "--training-data": args.training_data, "--expectations": args.expectations,
              "--decisions": args.decisions, "--routes": args.routes, "--log": args.log}
    return _publish(args, inputs, write_files, routes, entry)


def _sections(content: dict[str, Any], path: Path, names: tuple[str, ...]) -> dict[str, Any]:
    """The named sections of the params read once (the same message as :func:`risico.params.load_section`)."""
    missing = [name for name in names if not isinstance(content.get(name), dict)]
    if missing:
        raise ParamError(MISSING_SECTION.format(path=path, section=missing[0]))
    return {name: content[name] for name in names}


def _publish(args: argparse.Namespace, inputs: Mapping[str, Path | None], write_files: Callable[[Path], None],
             routes: pd.DataFrame, entry: dict[str, Any]) -> dict[str, Any]:
    """Worklist folder, receipt, sealed route file and log line: all of them, or none.

    Under the governance lock: the files go to the temporary folder of :func:`atomic_dir`, the route file to a
    temporary beside its name; the log line is appended last, then the receipt (which holds the line's hash)
    is written, the route file published and the folder renamed into place. On any failure everything this
    run made is removed again (:func:`_undo`) and nothing else.
    """
    from risico.governance.routes import stage_routes
    from risico.governance.usage_log import append_usage

    made: dict[str, Any] = {"log": args.log.exists(), "routes": args.routes.exists()}
    with governance_lock(args.log):
        try:
            with atomic_dir(args.out, option="--out", inputs=inputs, replace=False) as folder:
                made["folder"] = folder
                write_files(folder)
                outputs = {p.relative_to(folder).as_posix(): file_sha256(p)
                           for p in sorted(folder.rglob("*")) if p.is_file()}
                made["staged"] = staged = stage_routes(routes, run_id=entry["run_id"],
                                                       decision_id=entry["decision_id"], created=entry["started"],
                                                       folder=args.routes)
                made["line"] = line = append_usage(args.log, {
                    **entry, "timestamp": dt.datetime.now(dt.timezone.utc).isoformat(), "outputs": outputs,
                    "routes_file": staged.path.as_posix(), "routes_sha256": staged.sha256})
                write_json({"run_id": entry["run_id"], "log": str(args.log), "log_line_hash": line["hash"],
                            "seq": line["seq"], "decision_id": entry["decision_id"], "demo": entry["demo"],
                            "outputs": outputs}, folder / "receipt.json")
                staged.publish()
        except BaseException as exc:
            kept = _undo(args, made)
            if kept and isinstance(exc, RisicoError) and str(exc).startswith(_changed_prefix(args.out)):
                raise RisicoError(OUT_CHANGED.format(out=args.out, files=_listing(args.out))) from None
            raise
    return line


def _undo(args: argparse.Namespace, made: Mapping[str, Any]) -> bool:
    """Remove what a failed run made (route file, log line, temporary folder, folders it created); True when
    the temporary folder was still there (the swap into ``--out`` was refused)."""
    from risico.governance.usage_log import UsageLogError, retract_usage

    if "staged" in made:
        made["staged"].discard()
    if "line" in made:
        try:
            retract_usage(args.log, made["line"])
        except (UsageLogError, OSError) as exc:
            log.error("the log line of this failed run could not be removed: %s", exc)
    if not made["log"] and args.log.is_file() and args.log.stat().st_size == 0:
        args.log.unlink()                     # the log this run created (append_usage opens it to append)
    if not made["routes"] and args.routes.is_dir() and not any(args.routes.iterdir()):
        args.routes.rmdir()
    kept = "folder" in made and made["folder"].is_dir()
    if kept:
        shutil.rmtree(made["folder"])         # atomic_dir's own temporary (mkdtemp), never a folder a user named
    return kept


def _changed_prefix(out: Path) -> str:
    """How :func:`atomic_dir` starts its message when ``--out`` changed during the run (it keeps its temporary)."""
    from risico.io import CHANGED

    return CHANGED.split(" ({files})")[0].format(what="Option --out", path=out)


def _listing(out: Path) -> str:
    names = sorted(p.name for p in out.iterdir()) if out.is_dir() and not out.is_symlink() else [out.name]
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _provider_cases(args: argparse.Namespace, params_all: dict[str, Any], history: dict[str, pd.DataFrame],
                    history_hash: str) -> tuple[pd.DataFrame, pd.DataFrame, dt.date, str, str]:
    """Provider-quarter features of every provider active in the quarter of ``--as-of`` (default: the quarter
    after the history), from the validated history; nothing to reject (the history passed validation)."""
    from risico.features.providers import (INPUT_TABLES, OPTIONAL_TABLES, parse_provider_feature_params,
                                           provider_feature_matrix)

    tables = {name: history[name] for name in (*INPUT_TABLES, *OPTIONAL_TABLES) if name != "protected_persons"}
    latest = tables["applications"]["application_date"].max().date()
    after = dt.date(latest.year + (latest.month > 9), (((latest.month - 1) // 3 + 1) % 4) * 3 + 1, 1)
    as_of = _as_of(args.as_of, after, args.training_data) if args.as_of else after
    X, meta = provider_feature_matrix(tables, parse_provider_feature_params(params_all["provider_features"]), as_of)
    X.index = pd.Index(meta["provider_id"].astype(str), name="provider_id")       # the case id is the provider
    digest = hashlib.sha256(f"{history_hash}:{as_of.isoformat()}".encode()).hexdigest()
    return X, pd.DataFrame(), as_of, digest, f"{args.training_data} ({meta['period'].iloc[0] if len(meta) else as_of})"


def _network_sheet(provider_ids: np.ndarray, history: dict[str, pd.DataFrame], as_of: dt.date, language: str,
                   folder: Path) -> tuple[str, pd.DataFrame]:
    """The linked providers, directors, addresses and intermediaries of every listed provider (a second sheet),
    and a figure per provider with a career-path link (same director or address) in ``netwerk/``."""
    from risico.network import network_figure, provider_network, relation_labels

    labels = relation_labels(language)
    frames = []
    for provider in provider_ids:
        network = provider_network(str(provider), history, as_of)
        if network["relation"].isin(["same_director", "same_address"]).any():
            (folder / "netwerk").mkdir(exist_ok=True)
            network_figure(str(provider), network[network["relation"].isin(["same_director", "same_address"])],
                           folder / "netwerk" / f"{provider}.png", labels=labels)
        frames.append(network.assign(listed=str(provider)))
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["listed"])
    col = lambda key: text(key, language)  # noqa: E731
    out = pd.DataFrame({
        col("network.col.listed"): table["listed"].astype(str),
        col("network.col.relation"): table["relation"].map(labels).astype(str),
        col("network.col.linked"): table["provider_id"].astype(str),
        col("network.col.director"): table["director_id"].fillna("").astype(str),
        col("network.col.address"): table["location_address_id"].fillna("").astype(str),
        col("network.col.registered"): table["registered"].dt.strftime("%Y-%m-%d").fillna("").astype(str),
        col("network.col.ended"): table["ended"].dt.strftime("%Y-%m-%d").fillna("").astype(str),
        col("network.col.end_reason"): table["end_reason"].fillna("").astype(str),
        col("network.col.shared"): table["shared"].fillna(0).astype(int).where(table["shared"].notna(), None),
    })
    return text("network.sheet", language), out


def _check_out(out: Path) -> None:
    if out.exists():
        files = sorted(p.name for p in out.iterdir()) if out.is_dir() else [out.name]
        if files:
            raise RisicoError(OUT_NOT_EMPTY.format(out=out, files=", ".join(files[:3])))


def _as_of(value: str | None, latest: dt.date, batch: Path) -> dt.date:
    if value is None:
        return latest
    try:
        as_of = dt.date.fromisoformat(value)
    except ValueError:
        raise RisicoError(BAD_AS_OF.format(value=value)) from None
    if as_of < latest:
        raise RisicoError(AS_OF_TOO_EARLY.format(as_of=as_of, latest=latest, batch=batch))
    return as_of


def _read_batch(args: argparse.Namespace, params_all: dict[str, Any], history: dict[str, pd.DataFrame]
                ) -> tuple[pd.DataFrame, pd.DataFrame, dt.date, str]:
    """(accepted batch rows with decision columns, rejected rows with a reason, as-of date, batch SHA-256)."""
    from risico.ingest.readers import read_table
    from risico.privacy import check_frames
    from risico.validate.core import PROBLEM_COLUMN, ValidationError, parse_validate_params, validate_table
    from risico.validate.suites import check_vocabularies, load_suites
    from risico.vocabularies import parse_vocabularies

    max_mb = SectionReader(params_all["ingest"], "ingest").float("max_file_mb", 0.0, exclusive_minimum=True)
    result = read_table(args.batch, BATCH_TABLE, max_file_mb=max_mb)
    for warning in result.warnings:
        log.warning("%s", warning)
    frame = result.frame
    check_frames({"batch": frame.drop(columns=PROBLEM_COLUMN, errors="ignore"),
                  **({"batch extra columns": result.extra} if result.extra is not None else {})})
    latest = frame["application_date"].max()
    as_of = _as_of(args.as_of, latest.date() if pd.notna(latest) else dt.date.today(), args.batch)
    position = list(frame.columns).index("previous_applications")
    frame.insert(position, "awarded", pd.array([False] * len(frame), dtype="boolean"))
    frame.insert(position, "decision_date", pd.Series(pd.Timestamp(as_of), index=frame.index,
                                                      dtype=frame["application_date"].dtype))
    vparams = parse_validate_params(params_all["validate"])
    contract = contract_for(parse_vocabularies(params_all["vocabularies"]))
    suite = load_suites(args.expectations)["applications"]
    check_vocabularies({"applications": suite}, contract, params=str(args.params))
    parents = {name: history[name] for name in ("households", "persons", "addresses", "providers")}
    try:
        accepted, rejected = validate_table(frame, suite, contract["applications"], parents, vparams,
                                            today=dt.date.today())
    except ValidationError as exc:
        raise ValidationError(f"Batch {args.batch}: {exc}") from None
    clash = accepted["application_id"].isin(history["applications"]["application_id"]).to_numpy()
    if clash.any():
        rejected = pd.concat([rejected, accepted[clash].assign(reason=ID_IN_HISTORY)], ignore_index=True)
        accepted = accepted[~clash].reset_index(drop=True)
    total = len(frame)
    if total and len(rejected) / total > vparams.max_quarantine_share:
        common = rejected["reason"].str.split("; ").explode().value_counts().index[0]
        raise RisicoError(BATCH_LIMIT.format(count=len(rejected), total=total, batch=args.batch,
                                             share=len(rejected) / total, limit=vparams.max_quarantine_share,
                                             reason=common))
    return accepted, rejected.drop(columns=list(UNDECIDED)), as_of, file_sha256(args.batch)


def _batch_features(batch: pd.DataFrame, history: dict[str, pd.DataFrame], feature_values: Any) -> pd.DataFrame:
    from risico.features.applications import feature_matrix, parse_feature_params

    params = parse_feature_params(feature_values)
    tables = dict(history)
    applications = tables["applications"]
    tables["applications"] = pd.concat([applications, batch.astype(applications.dtypes.to_dict())],
                                       ignore_index=True)
    X = feature_matrix(tables, params)
    return X.iloc[len(applications):]


def _lines(model, X: pd.DataFrame, probability: np.ndarray, random_ids: set[str], wl: WorklistParams,
           language: str, target: str = "applications") -> tuple[pd.DataFrame, pd.DataFrame]:
    """The inspector's table (no route) and the sealed routes of the same cases."""
    from risico.evaluate.reasons import reason_table

    reasons = reason_table(model, X, language=language, k=2 * N_REASONS)
    if (reasons["code_1"] == "").all() and model.contributions(X.iloc[:1]) is None:
        raise RisicoError(NO_REASONS.format(family=model.name))
    texts, first = _distinct_reasons(reasons, text("worklist.no_reason", language))
    ids = X.index.astype(str)
    col = lambda key: text(key, language)  # noqa: E731
    table = pd.DataFrame({
        col("worklist.col.case_id" if target == "applications" else "worklist.col.provider_id"): ids,
        col("worklist.col.rank"): np.arange(1, len(X) + 1),
        col("worklist.col.band"): [text(f"band.{b}", language) for b in risk_bands(probability, wl.band_edges)],
        **{col(f"worklist.col.reason_{j + 1}"): texts[:, j] for j in range(N_REASONS)},
        col("worklist.col.check"): [text(f"check.{code}" if code else "check.none", language) for code in first],
        col("worklist.col.outcome"): "",
        col("worklist.col.notes"): "",
    })
    routes = pd.DataFrame({"case_id": ids, "route": ["random" if i in random_ids else "risk" for i in ids],
                           "rank": np.arange(1, len(X) + 1), "score": np.round(probability, 6)})
    return table, routes


def _distinct_reasons(reasons: pd.DataFrame, none: str) -> tuple[np.ndarray, np.ndarray]:
    """The first ``N_REASONS`` distinct reason texts per row (two features can read the same, e.g. crowding),
    ``none`` where there are fewer; and the feature code behind each row's first reason."""
    k = sum(1 for c in reasons.columns if c.startswith("reason_"))
    texts = np.full((len(reasons), N_REASONS), none, dtype=object)
    first = reasons["code_1"].to_numpy()
    for i, row in enumerate(reasons[[f"reason_{j}" for j in range(1, k + 1)]].itertuples(index=False)):
        distinct = list(dict.fromkeys(t for t in row if t))[:N_REASONS]
        texts[i, :len(distinct)] = distinct
    return texts, first


def _header(decision: dict[str, Any], model, as_of: dt.date, n_scored: int, n_listed: int, n_rejected: int,
            language: str, target: str = "applications") -> list[str]:
    valid = decision.get("valid_until") or text("worklist.no_end", language)
    lines = [text("worklist.demo", language)] if decision.get("demo") else []
    lines += [
        text("worklist.title", language, month=f"{as_of:%Y-%m}") if target == "applications"
        else text("worklist.title.providers", language, quarter=f"{as_of.year}-Q{(as_of.month - 1) // 3 + 1}"),
        text("worklist.disclaimer", language),
        text("worklist.random_note", language),
        text("worklist.basis", language, model=model.name, committee=decision["committee"], date=decision["date"],
             decision_id=decision["record_id"], valid=valid),
        text("worklist.counts" if target == "applications" else "worklist.counts.providers", language,
             scored=f"{n_scored:,}".replace(",", "."), listed=n_listed, rejected=n_rejected,
             rejected_file="rejected.csv"),
        text("worklist.outcome_hint", language),
    ]
    return lines


def _login() -> str:
    for name in ("RISICO_USER", "USER", "USERNAME"):
        if os.environ.get(name):
            return os.environ[name]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"

