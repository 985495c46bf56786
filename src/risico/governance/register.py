"""``python -m risico register``: a draft entry for the Dutch algorithm register (algoritmeregister.overheid.nl).

Dutch public bodies publish their high-impact algorithms in the national
algorithm register. This command drafts that entry from what the software
itself knows, so the published text cannot drift from the model that runs:

- ``params.yaml``: the sections ``train``, ``features``, ``worklist``,
  ``protected``, ``audit``, ``report`` (and ``data`` when present);
- the audit (``reports/audit/audit.json``): its verdict and dilemma titles;
- the model metrics (``metrics/model.json``): test metrics against the
  observed labels, and (synthetic world only) against the truth and the oracle;
- the model card (``reports/model/model_card.md``): its intended-use paragraph;
- the newest committee decision (``governance/decisions/``), after the gate's checks of the whole
  chain (:func:`risico.governance.decisions.read_chain`): an unsigned, re-sealed, wrongly signed,
  missing, inserted or future-dated record stops the command with one line, so a forged approval is
  never published.

``--target providers`` drafts the entry of the care-provider model instead (one
row per provider per quarter): ``provider_features``, ``provider_worklist`` and
``provider_audit`` take the place of ``features`` and ``worklist`` (and of
``audit.attributes``), and the inputs are ``reports/provider_audit/audit.json``,
``metrics/provider_model.json``, ``reports/provider_model/model_card.md`` and
``governance/decisions/providers/``. Every default path of a target comes from
:data:`risico.governance.decisions.DEFAULT_PATHS`; the texts of a target are the
``<key>.providers`` variants of :mod:`risico.texts.register` where the two differ.

It writes ``algorithm_register.json`` and ``algorithm_register.md`` to
``--out`` (default ``reports/register``; providers ``reports/provider_register``),
both or neither (every input is read and checked before anything is written).
The Markdown is meant for citizens: one heading per field.

Fields (JSON keys are the register's Dutch field names, in snake case)
-----------------------------------------------------------------------
``naam`` (name), ``korte_omschrijving`` (short description in plain
language), ``organisatie`` (organisation), ``status`` (``in gebruik`` / ``in
ontwikkeling``; in English ``in use`` / ``in development``), ``besluit`` (the
ethics committee's decision behind the status), ``doel_en_impact`` (purpose
and impact), ``afwegingen`` (considerations), ``menselijke_tussenkomst``
(human intervention), ``risicobeheer`` (risk management),
``wettelijke_basis`` (legal basis), ``impacttoetsen`` (impact assessments:
IAMA, DPIA), ``gegevens`` (data), ``technische_werking`` (technical
operation), ``broncode`` (source code), ``contactgegevens`` (contact).
Every value is text (Markdown: paragraphs and ``- `` bullet lists).

What the software cannot know is never invented: organisation, legal basis,
impact assessments, contact, and the source code link (unless given with
``--source-url``) are exactly ``in te vullen door de gemeente`` (English:
``to be filled in by the municipality``).

Status follows the decision: ``in gebruik`` only when the newest decision
approves, has not expired, and bound exactly the audit and parameters given
here (the model and training data are checked by the worklist's gate);
otherwise ``in ontwikkeling``, and ``besluit`` says why.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from risico.audit.providers import CLIENT_SHARES, parse_provider_audit_params
from risico.errors import RisicoError
from risico.features import FEATURE_GROUPS
from risico.features import GROUP_BUILDERS
from risico.features.providers import FEATURE_GROUPS as PROVIDER_FEATURE_GROUPS
from risico.features.providers import INPUT_TABLES as PROVIDER_INPUT_TABLES
from risico.governance.decisions import (TARGETS, artifact_hashes, default_path, fill_default_paths,
                                         latest_decision)
from risico.governance.worklist import FEATURE_SECTION
from risico.governance.worklist import SECTION as WORKLIST_SECTION
from risico.io import atomic_file, governance_lock
from risico.params import ParamError, SectionReader, load_section
from risico.texts import LANGUAGES, Language
from risico.texts.model import TEXTS as MODEL_TEXTS
from risico.texts.register import TEXTS, own_key, text
from risico.firewall import parse_protected_params

__all__ = ["HELP", "FIELDS", "PLACEHOLDER", "UNKNOWN_FIELDS", "DEFAULT_OUT", "RegisterInputs", "read_inputs",
           "decision_status", "variant", "build_register", "to_markdown", "write_register", "add_arguments", "run"]

HELP = "draft the entry for the Dutch algorithm register (algoritmeregister.overheid.nl) as JSON and Markdown"

#: The fields in register order (Dutch field names, snake case).
FIELDS = ("naam", "korte_omschrijving", "organisatie", "status", "besluit", "doel_en_impact", "afwegingen",
          "menselijke_tussenkomst", "risicobeheer", "wettelijke_basis", "impacttoetsen", "gegevens",
          "technische_werking", "broncode", "contactgegevens")
#: Fields only the municipality can fill in (``broncode`` unless ``--source-url`` is given).
UNKNOWN_FIELDS = ("organisatie", "wettelijke_basis", "impacttoetsen", "contactgegevens")
PLACEHOLDER: dict[str, str] = {"nl": "in te vullen door de gemeente", "en": "to be filled in by the municipality"}
JSON_NAME, MD_NAME = "algorithm_register.json", "algorithm_register.md"
#: Where each target's entry goes by default (distinct, so that one never overwrites the other).
DEFAULT_OUT: dict[str, Path] = {"applications": Path("reports/register"),
                                "providers": Path("reports/provider_register")}
#: The inputs whose default path depends on the target (see ``risico.governance.decisions.DEFAULT_PATHS``).
TARGET_INPUTS = ("model_card", "audit", "metrics", "decisions")
#: Feature groups (name -> feature columns) of each target.
TARGET_FEATURE_GROUPS: dict[str, Mapping[str, tuple[str, ...]]] = {"applications": FEATURE_GROUPS,
                                                                   "providers": PROVIDER_FEATURE_GROUPS}
#: Provider audit groups that are bands of a model feature (``docs/features.md``, fairness groups).
PROVIDER_GROUP_FEATURE: dict[str, str] = {"size_band": "n_staff", "registration_age_band": "days_registered",
                                          "legal_form": "legal_form"}

MISSING_INPUT = "The {what} {path} does not exist. Make it with `dvc repro`, or pass its path with {option}."
NOT_JSON = "The {what} {path} is not a valid JSON object. Make it again with `dvc repro`."
MISSING_KEY = "The {what} {path} has no '{key}'. Make it again with `dvc repro`."
NO_USE = ("The model card {path} has no section '## Beoogd gebruik' (or '## Intended use'). "
          "Make it again with `dvc repro`.")
STALE_METRICS = ("The model metrics file {path} is for model '{found}', but train.model in {params} is '{model}'. "
                 "Make it again with `dvc repro`.")
NOT_A_DIRECTORY = "The output folder {path} is a file. Pass a folder with --out."


def t(key: str, language: Language, **values: Any) -> str:
    """The text for ``key`` in ``language`` with ``{placeholders}`` filled in."""
    return text(key, language, **values)


def variant(key: str, target: str) -> str:
    """The key of ``target``'s own text (``<key>.<target>``) where it has one, else ``key`` (shared by both).

    >>> variant("naam", "providers"), variant("naam", "applications"), variant("status.in_use", "providers")
    ('naam.providers', 'naam', 'status.in_use')
    """
    return own_key(key, target)


# -- reading --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RegisterInputs:
    """Everything the register entry is made from, read and checked."""

    language: Language
    params: Mapping[str, Mapping[str, Any]]   # section name -> section
    intended_use: str
    audit: Mapping[str, Any]
    metrics: Mapping[str, Any]
    decision: Mapping[str, Any] | None
    current: Mapping[str, str]                # hashes of the audit and params given, as decisions bind them
    target: str = "applications"              # one of risico.governance.decisions.TARGETS


def _read_json(path: Path, what: str, option: str) -> dict[str, Any]:
    if not path.is_file():
        raise RisicoError(MISSING_INPUT.format(what=what, path=path, option=option))
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        content = None
    if not isinstance(content, dict):
        raise RisicoError(NOT_JSON.format(what=what, path=path))
    return content


def _require(content: Mapping[str, Any], keys: tuple[str, ...], what: str, path: Path) -> None:
    for key in keys:
        if key not in content:
            raise RisicoError(MISSING_KEY.format(what=what, path=path, key=key))


def intended_use(card: str, path: Path) -> str:
    """The paragraph(s) under the model card's '## Beoogd gebruik' (or '## Intended use') heading."""
    lines = card.splitlines()
    headings = {f"## {MODEL_TEXTS.text('card.use', language)}" for language in LANGUAGES}
    start = next((i for i, line in enumerate(lines) if line.strip() in headings), None)
    if start is None:
        raise RisicoError(NO_USE.format(path=path))
    body = []
    for line in lines[start + 1:]:
        if line.startswith("#"):
            break
        body.append(line.strip())
    text = "\n".join(body).strip()
    if not text:
        raise RisicoError(NO_USE.format(path=path))
    return "\n\n".join(" ".join(part.split("\n")) for part in text.split("\n\n") if part.strip())


#: Sections checked on reading, with their parser (each raises a one-line ``ParamError``).
SECTION_CHECKS = {"protected": parse_protected_params, "provider_audit": parse_provider_audit_params}


def _section_names(target: str) -> tuple[str, ...]:
    """The params sections the entry of ``target`` is made from, in the order they are read."""
    own_audit = ("provider_audit",) if target == "providers" else ()
    return ("train", FEATURE_SECTION[target], WORKLIST_SECTION[target], "protected", "audit", *own_audit, "report")


def _read_params(path: Path, target: str = "applications") -> tuple[Language, dict[str, Mapping[str, Any]]]:
    sections = {name: load_section(path, name) for name in _section_names(target)}
    try:
        sections["data"] = load_section(path, "data")
    except ParamError:
        sections["data"] = {}
    language = SectionReader(sections["report"], "report").choice("language", LANGUAGES)
    for name, check in SECTION_CHECKS.items():
        if name in sections:
            check(sections[name])
    return language, sections  # type: ignore[return-value]


def read_inputs(params: Path, model_card: Path, audit: Path, metrics: Path, decisions: Path, *,
                target: str = "applications") -> RegisterInputs:
    """Read and check every input of ``target``'s entry; raise `RisicoError` naming the first missing or
    malformed one."""
    language, sections = _read_params(params, target)
    if not model_card.is_file():
        raise RisicoError(MISSING_INPUT.format(what="model card", path=model_card, option="--model-card"))
    use = intended_use(model_card.read_text(encoding="utf-8"), model_card)
    audit_content = _read_json(audit, "audit", "--audit")
    _require(audit_content, ("verdict", "dilemmas"), "audit", audit)
    metrics_content = _read_json(metrics, "model metrics file", "--metrics")
    _require(metrics_content, ("selected", "test_roc_auc_observed", "test_precision_at_capacity_observed"),
             "model metrics file", metrics)
    if metrics_content["selected"] != sections["train"].get("model"):
        raise RisicoError(STALE_METRICS.format(path=metrics, found=metrics_content["selected"], params=params,
                                               model=sections["train"].get("model")))
    return RegisterInputs(language=language, params=sections, intended_use=use, audit=audit_content,
                          metrics=metrics_content, decision=latest_decision(decisions),
                          current=artifact_hashes({"audit": audit, "params": params}), target=target)


# -- building -------------------------------------------------------------------------------------------


def _pct(value: float) -> str:
    return f"{value:.0%}"


def decision_status(decision: Mapping[str, Any] | None, current: Mapping[str, str], language: Language,
                    today: dt.date) -> tuple[str, str]:
    """The register status and the sentence that explains it, from the newest committee decision.

    ``in gebruik`` only when the decision approves, has not expired on ``today`` and bound the
    ``current`` hashes (of the artifacts given, e.g. audit and params); a demo approval gives the demo
    status; ``in ontwikkeling`` otherwise.
    """
    in_development = t("status.in_development", language)
    if decision is None:
        return in_development, t("decision.none", language)
    if decision["decision"] != "approve":
        return in_development, t("decision.rejected", language, **decision)
    changed = [name for name in current if decision["hashes"].get(name) != current[name]]
    if changed:
        names = ", ".join(t(f"artifact.{name}", language) for name in changed)
        return in_development, t("decision.changed", language, names=names, **decision)
    if decision["valid_until"] is not None and dt.date.fromisoformat(decision["valid_until"]) < today:
        return in_development, t("decision.expired", language, **decision)
    until = t("decision.until", language, **decision) if decision["valid_until"] else ""
    if decision.get("demo"):
        return t("status.demo", language), t("decision.approved", language, until=until, **decision)
    return t("status.in_use", language), t("decision.approved", language, until=until, **decision)


def _t(inputs: RegisterInputs, key: str, **values: Any) -> str:
    """The target's text for ``key`` (its own variant, or the shared one) in the entry's language."""
    return t(variant(key, inputs.target), inputs.language, **values)


def _known(inputs: RegisterInputs, key: str, fallback: str) -> str:
    """The target's text for ``key`` when there is one, else ``fallback`` (e.g. a name as params spell it)."""
    name = variant(key, inputs.target)
    return t(name, inputs.language) if name in TEXTS else fallback


def _worklist(inputs: RegisterInputs) -> Mapping[str, Any]:
    return inputs.params[WORKLIST_SECTION[inputs.target]]


def _random_share(worklist: Mapping[str, Any]) -> float | None:
    share = worklist.get("random_share")
    return float(share) if isinstance(share, (int, float)) and not isinstance(share, bool) else None


def _model_features(inputs: RegisterInputs) -> dict[str, list[str]]:
    """Per feature group the params build: the features of that group the model uses (``train.features``)."""
    catalogue = TARGET_FEATURE_GROUPS[inputs.target]
    groups = list(inputs.params[FEATURE_SECTION[inputs.target]].get("groups", catalogue))
    chosen = inputs.params["train"].get("features", "all")
    return {group: [name for name in catalogue.get(group, ()) if chosen == "all" or name in chosen]
            for group in groups}


def _tables(inputs: RegisterInputs, groups: list[str]) -> list[str]:
    """The tables the target's features (and labels) are made from."""
    if inputs.target == "providers":  # protected_persons feeds only the audit's aggregates, never the model
        return [table for table in PROVIDER_INPUT_TABLES if table != "protected_persons"]
    extra = sorted({table for group in groups for table in GROUP_BUILDERS.get(group, (None, ()))[1]})
    return ["applications", "investigations", *extra]


def _bullets(items: list[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def _paragraphs(*parts: str) -> str:
    return "\n\n".join(part for part in parts if part)


def _short(inputs: RegisterInputs) -> str:
    worklist = _worklist(inputs)
    share = _random_share(worklist)
    random = _t(inputs, "short.random", share=_pct(share)) if share else ""
    return _t(inputs, "short", capacity=worklist.get("capacity"), random=random)


def _dilemmas(inputs: RegisterInputs) -> str:
    lang = inputs.language
    titles: dict[str, int] = {}
    for dilemma in inputs.audit["dilemmas"]:
        titles[dilemma.get("title", "?")] = titles.get(dilemma.get("title", "?"), 0) + 1
    if not titles:
        return t("no_dilemmas", lang)
    return _paragraphs(t("dilemmas", lang), _bullets([title + (t("times", lang, n=n) if n > 1 else "")
                                                      for title, n in titles.items()]))


def _dig(content: Any, *keys: str) -> Any:
    """``content[k1][k2]...``, or None where a level is missing or not a mapping."""
    for key in keys:
        content = content.get(key) if isinstance(content, Mapping) else None
    return content


def _labelled(inputs: RegisterInputs) -> str:
    """How many investigated test cases the observed figures rest on, where the target says so (providers)."""
    key = variant("performance.labelled", inputs.target)
    observed = _dig(inputs.metrics, "detail", "families", str(inputs.metrics["selected"]), "observed")
    if key not in TEXTS or not isinstance(observed, Mapping) or not {"n", "selected_labelled"} <= set(observed):
        return ""
    return t(key, inputs.language, n=observed["n"], selected=observed["selected_labelled"])


def _performance(inputs: RegisterInputs) -> str:
    metrics = inputs.metrics
    parts = [_t(inputs, "performance", test_start=inputs.params["train"].get("test_start"),
                capacity=_worklist(inputs).get("capacity"), auc=f"{metrics['test_roc_auc_observed']:.2f}",
                precision=_pct(metrics["test_precision_at_capacity_observed"])), _labelled(inputs)]
    if "test_roc_auc_truth" in metrics and "test_precision_at_capacity_truth" in metrics:
        parts.append(_t(inputs, "performance.truth", auc=f"{metrics['test_roc_auc_truth']:.2f}",
                        precision=_pct(metrics["test_precision_at_capacity_truth"])))
    if "vs_oracle_roc_auc_ratio" in metrics and "vs_oracle_precision_at_capacity_ratio" in metrics:
        parts.append(_t(inputs, "performance.oracle", auc=_pct(metrics["vs_oracle_roc_auc_ratio"]),
                        precision=_pct(metrics["vs_oracle_precision_at_capacity_ratio"])))
    return " ".join(part for part in parts if part)


def _considerations(inputs: RegisterInputs) -> str:
    verdict = str(inputs.audit["verdict"])
    tradeoff = _t(inputs, "random_tradeoff") if _random_share(_worklist(inputs)) else ""
    return _paragraphs(t("verdict", inputs.language, verdict=_known(inputs, f"verdict.{verdict}", verdict)),
                       _dilemmas(inputs), _performance(inputs), tradeoff)


def _provider_group(attribute: str, language: Language) -> str:
    """A provider audit group in words (``provider_audit.attributes``)."""
    if attribute in CLIENT_SHARES:
        return t("provider_group.clients", language, ground=t(f"provider_audit.ground.{attribute}", language))
    key = f"provider_group.{attribute}"
    return t(key, language) if key in TEXTS else attribute


def _audited(inputs: RegisterInputs) -> list[str]:
    """The groups the target's audit compares: ``audit.attributes``, or for providers ``provider_audit``'s."""
    if inputs.target == "providers":
        return [_provider_group(attribute, inputs.language)
                for attribute in parse_provider_audit_params(inputs.params["provider_audit"])]
    return list(inputs.params["audit"].get("attributes", []))


def _risk_management(inputs: RegisterInputs) -> str:
    lang, audit = inputs.language, inputs.params["audit"]
    low, high = (audit.get("tolerance") or ["?", "?"])[:2]
    audit_text = _t(inputs, "risk.audit", attributes=", ".join(_audited(inputs)), max_depth=audit.get("max_depth"),
                    low=low, high=high, correction=audit.get("correction"),
                    min_group_size=audit.get("min_group_size"))
    decision = inputs.decision
    conditions = (t("risk.conditions", lang, conditions=decision["conditions"])
                  if decision and decision["decision"] == "approve" else "")
    return _paragraphs(audit_text, t("risk.gate", lang), _t(inputs, "risk.log"), conditions)


def _provider_audit_groups(inputs: RegisterInputs) -> str:
    """The provider audit's groups, and which of them the model sees as a feature (size, age, legal form)."""
    lang = inputs.language
    attributes = parse_provider_audit_params(inputs.params["provider_audit"])
    used = {name for names in _model_features(inputs).values() for name in names}
    seen = [attribute for attribute in attributes if PROVIDER_GROUP_FEATURE.get(attribute) in used]
    unseen = [attribute for attribute in attributes if attribute not in seen]

    def words(names: list[str]) -> str:
        return ", ".join(_provider_group(name, lang) for name in names)

    return " ".join(part for part in (
        t("data.audit_groups.providers", lang, groups=words(list(attributes))),
        t("data.audit_inputs.providers", lang, groups=words(seen),
          features=", ".join(PROVIDER_GROUP_FEATURE[name] for name in seen)) if seen else "",
        t("data.audit_not_inputs.providers", lang, groups=words(unseen)) if unseen else "",
    ) if part)


def _protected(inputs: RegisterInputs) -> str:
    protected = parse_protected_params(inputs.params["protected"])
    age = t("data.age", inputs.language, text=protected.age_justification) if protected.age_allowed else ""
    groups = _provider_audit_groups(inputs) if inputs.target == "providers" else ""
    return _paragraphs(_t(inputs, "data.protected", attributes=", ".join(protected.attributes)), age, groups)


def _data(inputs: RegisterInputs) -> str:
    lang = inputs.language
    per_group = {group: len(names) for group, names in _model_features(inputs).items()}
    tables = [_known(inputs, f"table.{name}", name) for name in _tables(inputs, list(per_group))]
    groups = _bullets([t("data.group", lang, label=_known(inputs, f"group.{group}", group), n=n)
                       for group, n in per_group.items()])
    return _paragraphs(
        _t(inputs, "data.tables", n=len(tables), tables=", ".join(tables)),
        _t(inputs, "data.synthetic") if inputs.params["data"].get("source") == "synthetic" else "",
        _paragraphs(t("data.groups", lang, n=sum(per_group.values())), groups),
        _protected(inputs),
        _t(inputs, "data.docs"),
    )


def _technical(inputs: RegisterInputs) -> str:
    train, worklist = inputs.params["train"], _worklist(inputs)
    model = str(train.get("model"))
    others = [name for name in train.get("families", []) if name != model]
    options = train.get(model) if isinstance(train.get(model), Mapping) else {}
    share = _random_share(worklist)
    random = (t("tech.random", inputs.language, share=_pct(share)) if share is not None
              else _t(inputs, "tech.random_unknown"))
    return _paragraphs(
        _t(inputs, "tech", family=_known(inputs, f"family.{model}", model),
           n_features=sum(len(names) for names in _model_features(inputs).values()),
           validation_start=train.get("validation_start"), test_start=train.get("test_start"),
           calibration=options.get("calibration", "sigmoid"),  # the default of risico.models.base
           labels=_known(inputs, f"labels.{train.get('label_source')}", str(train.get("label_source"))),
           ipw=t("tech.ipw", inputs.language) if train.get("ipw") else "", others=", ".join(others) or "-"),
        _t(inputs, "tech.worklist", capacity=worklist.get("capacity")) + " " + random,
    )


def build_register(inputs: RegisterInputs, *, today: dt.date, source_url: str | None = None) -> dict[str, str]:
    """The register entry: one text per field of ``FIELDS``, in the report language, about ``inputs.target``.

    Parameters
    ----------
    inputs : RegisterInputs
        From :func:`read_inputs`.
    today : date
        To tell whether the committee's approval has expired.
    source_url : str, optional
        Link to the source code; without it ``broncode`` is the placeholder.
    """
    lang = inputs.language
    status, decision = decision_status(inputs.decision, inputs.current, lang, today)
    entry = {
        "naam": _t(inputs, "naam"),
        "korte_omschrijving": _short(inputs),
        "status": status,
        "besluit": decision,
        "doel_en_impact": _paragraphs(inputs.intended_use, _t(inputs, "impact")),
        "afwegingen": _considerations(inputs),
        "menselijke_tussenkomst": _paragraphs(_t(inputs, "human", capacity=_worklist(inputs).get("capacity")),
                                              t("human.gate", lang)),
        "risicobeheer": _risk_management(inputs),
        "gegevens": _data(inputs),
        "technische_werking": _technical(inputs),
        "broncode": source_url.strip() if source_url and source_url.strip() else PLACEHOLDER[lang],
    }
    entry.update({name: PLACEHOLDER[lang] for name in UNKNOWN_FIELDS})
    return {name: entry[name] for name in FIELDS}


def to_markdown(entry: Mapping[str, str], language: Language) -> str:
    """The entry for citizens: a title, a note on the draft, and one heading per field."""
    lines = [f"# {t('title', language)}: {entry['naam']}", "",
             t("intro", language, placeholder=PLACEHOLDER[language]), ""]
    for name in FIELDS:
        lines += [f"## {t(f'field.{name}', language)}", "", entry[name], ""]
    return "\n".join(lines)


def write_register(entry: Mapping[str, str], language: Language, out: Path) -> tuple[Path, Path]:
    """Write ``algorithm_register.json`` and ``.md`` to ``out``: both, or (on any error) neither."""
    if out.exists() and not out.is_dir():
        raise RisicoError(NOT_A_DIRECTORY.format(path=out))
    json_path, md_path = out / JSON_NAME, out / MD_NAME
    json_text = json.dumps(dict(entry), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    md_text = to_markdown(entry, language)
    with atomic_file(json_path) as json_tmp, atomic_file(md_path) as md_tmp:
        json_tmp.write_text(json_text, encoding="utf-8")
        md_tmp.write_text(md_text, encoding="utf-8")
    return json_path, md_path


# -- command --------------------------------------------------------------------------------------------


def _default_help(name: str) -> str:
    paths = {target: DEFAULT_OUT[target] if name == "out" else default_path(target, name) for target in TARGETS}
    return f"default: {paths['applications']} (providers: {paths['providers']})"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", choices=TARGETS, default="applications",
                        help="the model the entry is about: applications (default) or care providers")
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    parser.add_argument("--model-card", type=Path, help=_default_help("model_card"))
    parser.add_argument("--audit", type=Path, help=_default_help("audit"))
    parser.add_argument("--metrics", type=Path, help=_default_help("metrics"))
    parser.add_argument("--decisions", type=Path, help=_default_help("decisions"))
    parser.add_argument("--out", type=Path, help=_default_help("out"))
    parser.add_argument("--source-url", help="link to the source code, published in the 'broncode' field")


def run(args: argparse.Namespace) -> None:
    fill_default_paths(args, args.target, TARGET_INPUTS)
    out = args.out or DEFAULT_OUT[args.target]
    inputs = read_inputs(args.params, args.model_card, args.audit, args.metrics, args.decisions, target=args.target)
    entry = build_register(inputs, today=dt.date.today(), source_url=args.source_url)
    with governance_lock(out):
        json_path, md_path = write_register(entry, inputs.language, out)
    print(f"Wrote {json_path} and {md_path} (status: {entry['status']})")
