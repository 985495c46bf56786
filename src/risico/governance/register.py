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
- the newest intact committee decision (``governance/decisions/``).

It writes ``algorithm_register.json`` and ``algorithm_register.md`` to
``--out``, both or neither (every input is read and checked before anything is
written). The Markdown is meant for citizens: one heading per field.

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

from risico.errors import RisicoError
from risico.features import FEATURE_GROUPS
from risico.features._groups import GROUP_BUILDERS
from risico.governance.decisions import artifact_hashes, latest_decision
from risico.io import atomic_file
from risico.params import ParamError, SectionReader, load_section
from risico.texts import LANGUAGES, TEXTS, Language
from risico.train.firewall import parse_protected_params

__all__ = ["HELP", "FIELDS", "PLACEHOLDER", "UNKNOWN_FIELDS", "RegisterInputs", "read_inputs", "decision_status",
           "build_register", "to_markdown", "write_register", "add_arguments", "run"]

HELP = "draft the entry for the Dutch algorithm register (algoritmeregister.overheid.nl) as JSON and Markdown"

#: The fields in register order (Dutch field names, snake case).
FIELDS = ("naam", "korte_omschrijving", "organisatie", "status", "besluit", "doel_en_impact", "afwegingen",
          "menselijke_tussenkomst", "risicobeheer", "wettelijke_basis", "impacttoetsen", "gegevens",
          "technische_werking", "broncode", "contactgegevens")
#: Fields only the municipality can fill in (``broncode`` unless ``--source-url`` is given).
UNKNOWN_FIELDS = ("organisatie", "wettelijke_basis", "impacttoetsen", "contactgegevens")
PLACEHOLDER: dict[str, str] = {"nl": "in te vullen door de gemeente", "en": "to be filled in by the municipality"}
JSON_NAME, MD_NAME = "algorithm_register.json", "algorithm_register.md"

MISSING_INPUT = "The {what} {path} does not exist. Make it with `dvc repro`, or pass its path with {option}."
NOT_JSON = "The {what} {path} is not a valid JSON object. Make it again with `dvc repro`."
MISSING_KEY = "The {what} {path} has no '{key}'. Make it again with `dvc repro`."
NO_USE = ("The model card {path} has no section '## Beoogd gebruik' (or '## Intended use'). "
          "Make it again with `dvc repro`.")
STALE_METRICS = ("The model metrics file {path} is for model '{found}', but train.model in {params} is '{model}'. "
                 "Make it again with `dvc repro`.")
NOT_A_DIRECTORY = "The output folder {path} is a file. Pass a folder with --out."

#: User-facing text (the lead may move it into risico.texts).
TEXT: dict[str, dict[str, str]] = {
    "title": {"nl": "Algoritmeregister", "en": "Algorithm register"},
    "intro": {
        "nl": "Concept voor het Algoritmeregister van de Nederlandse overheid (algoritmeregister.overheid.nl), "
              "gemaakt door de software zelf uit de modelkaart, de eerlijkheidsaudit, de parameters en het "
              "besluit van de ethische commissie. Velden met '{placeholder}' vult de gemeente zelf in.",
        "en": "Draft for the Dutch government's algorithm register (algoritmeregister.overheid.nl), made by the "
              "software itself from the model card, the fairness audit, the parameters and the ethics committee's "
              "decision. The municipality fills in the fields marked '{placeholder}'.",
    },
    # field headings
    "field.naam": {"nl": "Naam", "en": "Name"},
    "field.korte_omschrijving": {"nl": "Korte omschrijving", "en": "Short description"},
    "field.organisatie": {"nl": "Organisatie", "en": "Organisation"},
    "field.status": {"nl": "Status", "en": "Status"},
    "field.besluit": {"nl": "Besluit van de ethische commissie", "en": "Decision of the ethics committee"},
    "field.doel_en_impact": {"nl": "Doel en impact", "en": "Purpose and impact"},
    "field.afwegingen": {"nl": "Afwegingen", "en": "Considerations"},
    "field.menselijke_tussenkomst": {"nl": "Menselijke tussenkomst", "en": "Human intervention"},
    "field.risicobeheer": {"nl": "Risicobeheer", "en": "Risk management"},
    "field.wettelijke_basis": {"nl": "Wettelijke basis", "en": "Legal basis"},
    "field.impacttoetsen": {"nl": "Impacttoetsen", "en": "Impact assessments"},
    "field.gegevens": {"nl": "Gegevens", "en": "Data"},
    "field.technische_werking": {"nl": "Technische werking", "en": "Technical operation"},
    "field.broncode": {"nl": "Broncode", "en": "Source code"},
    "field.contactgegevens": {"nl": "Contactgegevens", "en": "Contact"},
    # naam, korte omschrijving, status
    "naam": {"nl": "Risicomodel voor toezicht aan de voorkant (bijstand, Wmo en jeugdhulp)",
             "en": "Risk model for pre-award supervision (social assistance, social support and youth care)"},
    "short": {
        "nl": "Als iemand bijstand, ondersteuning uit de Wmo of jeugdhulp aanvraagt, controleert de gemeente een "
              "deel van de aanvragen extra voordat zij worden toegekend. Dit algoritme zet nieuwe aanvragen op "
              "volgorde: bovenaan staan de aanvragen waarin een fout of overtreding waarschijnlijker is. Zo "
              "besteden toezichthouders hun beperkte tijd ({capacity} aanvragen per maand) gerichter.{random} "
              "Het algoritme beslist niets: een medewerker bekijkt elke geselecteerde aanvraag zelf, en een "
              "selectie is nooit een bewijs.",
        "en": "When someone applies for social assistance, social support (Wmo) or youth care, the municipality "
              "checks some applications more closely before they are granted. This algorithm puts new "
              "applications in order: at the top are those where an error or violation is more likely. This lets "
              "inspectors spend their limited time ({capacity} applications a month) where it matters most."
              "{random} The algorithm decides nothing: an employee looks at every selected application, and a "
              "selection is never proof.",
    },
    "short.random": {
        "nl": " Een deel van de werklijst ({share}) wordt door loting gekozen, zodat ook aanvragen buiten het "
              "beeld van het model gecontroleerd worden.",
        "en": " Part of the worklist ({share}) is drawn by lot, so that applications outside the model's view are "
              "checked too.",
    },
    "status.in_use": {"nl": "in gebruik", "en": "in use"},
    "status.in_development": {"nl": "in ontwikkeling", "en": "in development"},
    "status.demo": {"nl": "demonstratie op synthetische gegevens (niet in gebruik)",
                    "en": "demonstration on synthetic data (not in use)"},
    # besluit
    "decision.approved": {
        "nl": "Goedgekeurd door {committee} op {date} (besluit {record_id}){until}. Voorwaarden: {conditions}",
        "en": "Approved by {committee} on {date} (decision {record_id}){until}. Conditions: {conditions}",
    },
    "decision.until": {"nl": ", geldig tot en met {valid_until}", "en": ", valid until {valid_until}"},
    "decision.none": {
        "nl": "Er is nog geen besluit van de ethische commissie. Zonder goedkeuring maakt de software geen werklijst.",
        "en": "The ethics committee has not decided yet. Without its approval the software makes no worklist.",
    },
    "decision.rejected": {
        "nl": "Afgewezen door {committee} op {date} (besluit {record_id}): {conditions} Zonder een later besluit "
              "dat het model goedkeurt, maakt de software geen werklijst.",
        "en": "Rejected by {committee} on {date} (decision {record_id}): {conditions} Without a later decision "
              "that approves the model, the software makes no worklist.",
    },
    "decision.expired": {
        "nl": "Goedgekeurd door {committee} op {date} (besluit {record_id}), maar dit besluit is verlopen op "
              "{valid_until}. Zonder nieuw besluit maakt de software geen werklijst.",
        "en": "Approved by {committee} on {date} (decision {record_id}), but the decision expired on "
              "{valid_until}. Without a new decision the software makes no worklist.",
    },
    "decision.changed": {
        "nl": "Besluit {record_id} van {committee} op {date} keurde een andere versie goed van: {names}. De huidige "
              "versie wacht op een besluit; zonder goedkeuring maakt de software geen werklijst.",
        "en": "Decision {record_id} of {committee} on {date} approved another version of: {names}. The current "
              "version awaits a decision; without approval the software makes no worklist.",
    },
    "artifact.audit": {"nl": "de eerlijkheidsaudit", "en": "the fairness audit"},
    "artifact.params": {"nl": "de parameters", "en": "the parameters"},
    # doel en impact
    "impact": {
        "nl": "Wie geselecteerd wordt, krijgt vóór de toekenning een extra controle, bijvoorbeeld een vraag om "
              "bewijsstukken of een huisbezoek. Een terechte selectie voorkomt dat iemand te veel ontvangt en later "
              "moet terugbetalen; een onterechte selectie is een last voor de aanvrager. Daarom meet de "
              "eerlijkheidsaudit per groep hoe vaak mensen onterecht geselecteerd worden.",
        "en": "A selected applicant gets an extra check before the award, for example a request for documents or a "
              "home visit. A justified selection prevents someone from receiving too much and having to pay it "
              "back later; an unjustified selection is a burden on the applicant. That is why the fairness audit "
              "measures, per group, how often people are selected wrongly.",
    },
    # afwegingen
    "verdict": {"nl": "Oordeel van de eerlijkheidsaudit: {verdict}.",
                "en": "Verdict of the fairness audit: {verdict}."},
    "verdict.not_ready": {"nl": "niet klaar voor gebruik", "en": "not ready for use"},
    "verdict.committee_decision": {
        "nl": "alleen gebruiken na een besluit van de commissie over de dilemma's hieronder",
        "en": "use only after a committee decision on the dilemmas below"},
    "verdict.no_blocking_findings": {"nl": "geen blokkerende bevindingen", "en": "no blocking findings"},
    "dilemmas": {"nl": "Dilemma's die de ethische commissie moest afwegen:",
                 "en": "Dilemmas the ethics committee had to weigh:"},
    "no_dilemmas": {"nl": "De audit noemde geen dilemma's.", "en": "The audit listed no dilemmas."},
    "times": {"nl": " ({n} keer)", "en": " ({n} times)"},
    "performance": {
        "nl": "In de testperiode (aanvragen vanaf {test_start}) had het model bij een capaciteit van {capacity} "
              "aanvragen per maand een ROC AUC van {auc} tegen de uitkomsten van eerdere onderzoeken; van de "
              "geselecteerde aanvragen die onderzocht waren, had {precision} een bevinding. Deze uitkomsten zijn "
              "gekleurd door wie er vroeger gecontroleerd werd.",
        "en": "In the test period (applications from {test_start}) the model, at a capacity of {capacity} "
              "applications a month, had a ROC AUC of {auc} against the outcomes of earlier investigations; of the "
              "selected applications that had been investigated, {precision} had a finding. These outcomes are "
              "coloured by who was checked in the past.",
    },
    "performance.truth": {
        "nl": "Tegen de werkelijkheid van de synthetische gemeente: ROC AUC {auc}, en {precision} van de "
              "geselecteerde aanvragen bevatte echt een fout of overtreding.",
        "en": "Against the truth of the synthetic municipality: ROC AUC {auc}, and {precision} of the selected "
              "applications really contained an error or violation.",
    },
    "performance.oracle": {
        "nl": "Dat is {auc} van de ROC AUC en {precision} van de precisie van het orakel (de ware kans; beter kan "
              "geen model).",
        "en": "That is {auc} of the ROC AUC and {precision} of the precision of the oracle (the true probability; "
              "no model can do better).",
    },
    "random_tradeoff": {
        "nl": "Het aselecte deel van de werklijst kost controlecapaciteit, maar is de enige onbevooroordeelde meting "
              "van hoe vaak fouten en overtredingen echt voorkomen, en voorkomt dat het model alleen bevestigt wie "
              "het zelf al selecteerde.",
        "en": "The random part of the worklist costs inspection capacity, but it is the only unbiased measure of how "
              "often errors and violations really occur, and it keeps the model from only confirming whom it "
              "selected itself.",
    },
    # menselijke tussenkomst
    "human": {
        "nl": "Het algoritme neemt geen besluit over een aanvraag. Het maakt een werklijst van {capacity} aanvragen "
              "per maand; een toezichthouder beoordeelt elke aanvraag op die lijst zelf en besluit of er verder "
              "onderzoek of juist hulp nodig is. Bij elke aanvraag staan de drie sterkste redenen in gewone taal, "
              "zodat de toezichthouder de score kan controleren en kan tegenspreken.",
        "en": "The algorithm takes no decision on an application. It makes a worklist of {capacity} applications a "
              "month; an inspector assesses every application on that list and decides whether further "
              "investigation, or help, is needed. Every application comes with its three strongest reasons in "
              "plain language, so that the inspector can check the score and contradict it.",
    },
    "human.gate": {
        "nl": "De software maakt pas een werklijst na een goedkeurend besluit van de ethische commissie over precies "
              "deze versie van het model, de audit, de parameters en de trainingsgegevens.",
        "en": "The software makes a worklist only after an approving decision of the ethics committee on exactly "
              "this version of the model, the audit, the parameters and the training data.",
    },
    # risicobeheer
    "risk.audit": {
        "nl": "Vóór elk gebruik toetst een eerlijkheidsaudit het model per groep ({attributes}, en combinaties van "
              "tot {max_depth} kenmerken): hoe vaak mensen geselecteerd en onterecht geselecteerd worden, en hoe "
              "goed het model per groep werkt. Verhoudingen tussen groepen buiten de band {low}-{high} worden "
              "gemeld (correctie voor meervoudig toetsen: {correction}); groepen kleiner dan {min_group_size} "
              "worden niet getoond. De audit zoekt ook naar kenmerken die voor een beschermde grond staan.",
        "en": "Before any use a fairness audit tests the model per group ({attributes}, and combinations of up to "
              "{max_depth} attributes): how often people are selected and wrongly selected, and how well the model "
              "works per group. Ratios between groups outside the band {low}-{high} are reported (correction for "
              "multiple testing: {correction}); groups smaller than {min_group_size} are not shown. The audit also "
              "looks for features that stand in for a protected ground.",
    },
    "risk.gate": {
        "nl": "Een ethische commissie besluit over het gebruik. Het besluit is gebonden aan de hashes van model, "
              "audit, parameters en trainingsgegevens: na elke wijziging is een nieuw besluit nodig.",
        "en": "An ethics committee decides on the use. Its decision is bound to the hashes of the model, the audit, "
              "the parameters and the training data: every change needs a new decision.",
    },
    "risk.log": {
        "nl": "Elke werklijst wordt vastgelegd in een logboek (wie, wanneer, welk besluit, welk model, hoeveel "
              "aanvragen) dat als hashketen elke latere wijziging zichtbaar maakt (AI-verordening, artikel 12).",
        "en": "Every worklist is recorded in a log (who, when, which decision, which model, how many "
              "applications) kept as a hash chain that reveals any later change (AI Act, article 12).",
    },
    "risk.conditions": {"nl": "Voorwaarden van de commissie: {conditions}",
                        "en": "Conditions set by the committee: {conditions}"},
    # gegevens
    "data.tables": {
        "nl": "Het model gebruikt {n} tabellen uit de administratie van de gemeente: {tables}. Of er bij een "
              "aanvraag een fout of overtreding was, komt uit eerdere onderzoeken.",
        "en": "The model uses {n} tables from the municipality's records: {tables}. Whether an application had an "
              "error or violation comes from earlier investigations.",
    },
    "data.synthetic": {
        "nl": "Deze versie is gemaakt en getest op een synthetische gemeente: er staat geen echte persoon in.",
        "en": "This version was built and tested on a synthetic municipality: no real person appears in it.",
    },
    "data.groups": {"nl": "Kenmerkgroepen ({n} kenmerken in totaal):",
                    "en": "Feature groups ({n} features in all):"},
    "data.group": {"nl": "{label}: {n} kenmerken", "en": "{label}: {n} features"},
    "data.protected": {
        "nl": "Beschermde kenmerken ({attributes}) zijn nooit invoer van het model. Alleen de eerlijkheidsaudit "
              "leest ze, om te meten of groepen ongelijk behandeld worden.",
        "en": "Protected attributes ({attributes}) are never inputs of the model. Only the fairness audit reads "
              "them, to measure whether groups are treated unequally.",
    },
    "data.age": {
        "nl": "Leeftijd mag wel invoer van het model zijn. Rechtvaardiging: {text}",
        "en": "Age may be an input of the model. Justification: {text}",
    },
    "data.docs": {
        "nl": "Betekenis, bron en rechtvaardiging van elk kenmerk staan in docs/features.md.",
        "en": "The meaning, source and justification of every feature are in docs/features.md.",
    },
    "table.applications": {"nl": "aanvragen", "en": "applications"},
    "table.investigations": {"nl": "eerdere onderzoeken", "en": "earlier investigations"},
    "table.households": {"nl": "huishoudens (BRP)", "en": "households (BRP)"},
    "table.persons": {"nl": "personen (BRP)", "en": "persons (BRP)"},
    "table.addresses": {"nl": "adressen (BAG/BRP)", "en": "addresses (BAG/BRP)"},
    "table.providers": {"nl": "zorgaanbieders", "en": "care providers"},
    "table.declarations": {"nl": "declaraties van zorgaanbieders", "en": "care providers' billing"},
    "group.application": {"nl": "de aanvraag zelf", "en": "the application itself"},
    "group.small_triangle": {"nl": "andere voorzieningen van het huishouden", "en": "the household's other provisions"},
    "group.large_triangle": {"nl": "het adres en wie daar staat ingeschreven",
                             "en": "the address and who is registered there"},
    "group.provider": {"nl": "de zorgaanbieder", "en": "the care provider"},
    # technische werking
    "tech": {
        "nl": "Modelfamilie: {family}. Het model gebruikt {n_features} kenmerken. Het is getraind op aanvragen van "
              "vóór {validation_start}, gekalibreerd ({calibration}) op aanvragen van {validation_start} tot "
              "{test_start} en getest op aanvragen vanaf {test_start}; een huishouden zit nooit in twee van deze "
              "delen. Het leert van {labels}{ipw}. Ter vergelijking zijn ook getraind: {others}.",
        "en": "Model family: {family}. The model uses {n_features} features. It was trained on applications before "
              "{validation_start}, calibrated ({calibration}) on applications from {validation_start} to "
              "{test_start}, and tested on applications from {test_start}; a household is never in two of these "
              "parts. It learns from {labels}{ipw}. Also trained, for comparison: {others}.",
    },
    "tech.ipw": {"nl": ", gewogen met inverse kansweging", "en": ", weighted by inverse probability"},
    "tech.worklist": {"nl": "Werklijst: per maand de {capacity} aanvragen met de hoogste kans.",
                      "en": "Worklist: every month the {capacity} applications with the highest probability."},
    "tech.random": {"nl": "Aselect deel van de werklijst: {share}.", "en": "Random share of the worklist: {share}."},
    "tech.random_unknown": {"nl": "Aselect deel van de werklijst: niet vastgelegd in params.yaml "
                                  "(worklist.random_share).",
                            "en": "Random share of the worklist: not set in params.yaml (worklist.random_share)."},
    "labels.investigated": {"nl": "alle eerder onderzochte aanvragen",
                            "en": "all previously investigated applications"},
    "labels.random_only": {"nl": "alleen aselect onderzochte aanvragen",
                           "en": "randomly investigated applications only"},
    "family.ebm": {"nl": "Explainable Boosting Machine (ebm), een uitlegbaar model dat per kenmerk een eigen "
                         "bijdrage optelt",
                   "en": "Explainable Boosting Machine (ebm), an interpretable model that adds up one contribution "
                         "per feature"},
    "family.scorecard": {"nl": "scorekaart (scorecard): punten per kenmerk die worden opgeteld",
                         "en": "scorecard: points per feature that are added up"},
    "family.hgb": {"nl": "gradient boosting met beslisbomen (hgb), minder goed uitlegbaar",
                   "en": "gradient-boosted decision trees (hgb), less interpretable"},
}


def t(key: str, language: Language, **values: Any) -> str:
    """The text for ``key`` in ``language`` with ``{placeholders}`` filled in."""
    template = TEXT[key][language]
    return template.format(**values) if values else template


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
    headings = {f"## {TEXTS['card.use'][language]}" for language in LANGUAGES}
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


def _read_params(path: Path) -> tuple[Language, dict[str, Mapping[str, Any]]]:
    sections = {name: load_section(path, name)
                for name in ("train", "features", "worklist", "protected", "audit", "report")}
    try:
        sections["data"] = load_section(path, "data")
    except ParamError:
        sections["data"] = {}
    language = SectionReader(sections["report"], "report").choice("language", LANGUAGES)
    parse_protected_params(sections["protected"])
    return language, sections  # type: ignore[return-value]


def read_inputs(params: Path, model_card: Path, audit: Path, metrics: Path, decisions: Path) -> RegisterInputs:
    """Read and check every input; raise `RisicoError` naming the first missing or malformed one."""
    language, sections = _read_params(params)
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
                          current=artifact_hashes({"audit": audit, "params": params}))


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


def _random_share(worklist: Mapping[str, Any]) -> float | None:
    share = worklist.get("random_share")
    return float(share) if isinstance(share, (int, float)) and not isinstance(share, bool) else None


def _features_per_group(params: Mapping[str, Mapping[str, Any]]) -> dict[str, int]:
    groups = list(params["features"].get("groups", FEATURE_GROUPS))
    chosen = params["train"].get("features", "all")
    return {group: sum(1 for name in FEATURE_GROUPS.get(group, ()) if chosen == "all" or name in chosen)
            for group in groups}


def _tables(groups: list[str]) -> list[str]:
    extra = sorted({table for group in groups for table in GROUP_BUILDERS.get(group, (None, ()))[1]})
    return ["applications", "investigations", *extra]


def _bullets(items: list[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def _paragraphs(*parts: str) -> str:
    return "\n\n".join(part for part in parts if part)


def _short(inputs: RegisterInputs) -> str:
    lang, worklist = inputs.language, inputs.params["worklist"]
    share = _random_share(worklist)
    random = t("short.random", lang, share=_pct(share)) if share else ""
    return t("short", lang, capacity=worklist.get("capacity"), random=random)


def _considerations(inputs: RegisterInputs) -> str:
    lang, metrics = inputs.language, inputs.metrics
    verdict = str(inputs.audit["verdict"])
    verdict_text = t(f"verdict.{verdict}", lang) if f"verdict.{verdict}" in TEXT else verdict
    titles: dict[str, int] = {}
    for dilemma in inputs.audit["dilemmas"]:
        titles[dilemma.get("title", "?")] = titles.get(dilemma.get("title", "?"), 0) + 1
    dilemmas = (_paragraphs(t("dilemmas", lang), _bullets([title + (t("times", lang, n=n) if n > 1 else "")
                                                           for title, n in titles.items()]))
                if titles else t("no_dilemmas", lang))
    train, worklist = inputs.params["train"], inputs.params["worklist"]
    performance = t("performance", lang, test_start=train.get("test_start"), capacity=worklist.get("capacity"),
                    auc=f"{metrics['test_roc_auc_observed']:.2f}",
                    precision=_pct(metrics["test_precision_at_capacity_observed"]))
    if "test_roc_auc_truth" in metrics and "test_precision_at_capacity_truth" in metrics:
        performance += " " + t("performance.truth", lang, auc=f"{metrics['test_roc_auc_truth']:.2f}",
                               precision=_pct(metrics["test_precision_at_capacity_truth"]))
    if "vs_oracle_roc_auc_ratio" in metrics and "vs_oracle_precision_at_capacity_ratio" in metrics:
        performance += " " + t("performance.oracle", lang, auc=_pct(metrics["vs_oracle_roc_auc_ratio"]),
                               precision=_pct(metrics["vs_oracle_precision_at_capacity_ratio"]))
    tradeoff = t("random_tradeoff", lang) if _random_share(worklist) else ""
    return _paragraphs(t("verdict", lang, verdict=verdict_text), dilemmas, performance, tradeoff)


def _risk_management(inputs: RegisterInputs) -> str:
    lang, audit = inputs.language, inputs.params["audit"]
    low, high = (audit.get("tolerance") or ["?", "?"])[:2]
    audit_text = t("risk.audit", lang, attributes=", ".join(audit.get("attributes", [])),
                   max_depth=audit.get("max_depth"), low=low, high=high, correction=audit.get("correction"),
                   min_group_size=audit.get("min_group_size"))
    decision = inputs.decision
    conditions = (t("risk.conditions", lang, conditions=decision["conditions"])
                  if decision and decision["decision"] == "approve" else "")
    return _paragraphs(audit_text, t("risk.gate", lang), t("risk.log", lang), conditions)


def _data(inputs: RegisterInputs) -> str:
    lang, params = inputs.language, inputs.params
    per_group = _features_per_group(params)
    tables = [t(f"table.{name}", lang) if f"table.{name}" in TEXT else name for name in _tables(list(per_group))]
    protected = parse_protected_params(params["protected"])
    age = (t("data.age", lang, text=protected.age_justification) if protected.age_allowed else "")
    groups = _bullets([t("data.group", lang, label=t(f"group.{group}", lang) if f"group.{group}" in TEXT else group,
                         n=n) for group, n in per_group.items()])
    return _paragraphs(
        t("data.tables", lang, n=len(tables), tables=", ".join(tables)),
        t("data.synthetic", lang) if params["data"].get("source") == "synthetic" else "",
        _paragraphs(t("data.groups", lang, n=sum(per_group.values())), groups),
        _paragraphs(t("data.protected", lang, attributes=", ".join(protected.attributes)), age),
        t("data.docs", lang),
    )


def _technical(inputs: RegisterInputs) -> str:
    lang, train, worklist = inputs.language, inputs.params["train"], inputs.params["worklist"]
    model = str(train.get("model"))
    family = t(f"family.{model}", lang) if f"family.{model}" in TEXT else model
    others = [name for name in train.get("families", []) if name != model]
    options = train.get(model) if isinstance(train.get(model), Mapping) else {}
    calibration = options.get("calibration", "sigmoid")  # the default of risico.models.base
    labels_key = f"labels.{train.get('label_source')}"
    share = _random_share(worklist)
    random = (t("tech.random", lang, share=_pct(share)) if share is not None
              else t("tech.random_unknown", lang))
    return _paragraphs(
        t("tech", lang, family=family, n_features=sum(_features_per_group(inputs.params).values()),
          validation_start=train.get("validation_start"), test_start=train.get("test_start"),
          calibration=calibration, labels=t(labels_key, lang) if labels_key in TEXT else train.get("label_source"),
          ipw=t("tech.ipw", lang) if train.get("ipw") else "", others=", ".join(others) or "-"),
        t("tech.worklist", lang, capacity=worklist.get("capacity")) + " " + random,
    )


def build_register(inputs: RegisterInputs, *, today: dt.date, source_url: str | None = None) -> dict[str, str]:
    """The register entry: one text per field of ``FIELDS``, in the report language.

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
        "naam": t("naam", lang),
        "korte_omschrijving": _short(inputs),
        "status": status,
        "besluit": decision,
        "doel_en_impact": _paragraphs(inputs.intended_use, t("impact", lang)),
        "afwegingen": _considerations(inputs),
        "menselijke_tussenkomst": _paragraphs(t("human", lang, capacity=inputs.params["worklist"].get("capacity")),
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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    parser.add_argument("--model-card", type=Path, default=Path("reports/model/model_card.md"))
    parser.add_argument("--audit", type=Path, default=Path("reports/audit/audit.json"))
    parser.add_argument("--metrics", type=Path, default=Path("metrics/model.json"))
    parser.add_argument("--decisions", type=Path, default=Path("governance/decisions"))
    parser.add_argument("--out", type=Path, default=Path("reports/register"))
    parser.add_argument("--source-url", help="link to the source code, published in the 'broncode' field")


def run(args: argparse.Namespace) -> None:
    inputs = read_inputs(args.params, args.model_card, args.audit, args.metrics, args.decisions)
    entry = build_register(inputs, today=dt.date.today(), source_url=args.source_url)
    json_path, md_path = write_register(entry, inputs.language, args.out)
    print(f"Wrote {json_path} and {md_path} (status: {entry['status']})")
