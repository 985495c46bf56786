"""The data contract: every table, column, type, allowed values, meaning, and what is protected.

This module is the single source of truth. ``docs/data-contract.md`` is
rendered from it (``python -m risico contract --out docs/data-contract.md``; a
test keeps the two in sync), the generator's output is checked against it, and
the validation stage builds its expectations from it.

Coded columns (``district``, ``scheme``, ``household_type``,
``migration_background``) name a vocabulary instead of listing codes:
:func:`contract_for` fills in the municipality's vocabularies (the
``vocabularies`` section of ``params.yaml``, :mod:`risico.vocabularies`);
:data:`CONTRACT` holds the synthetic world's defaults. This module imports no
pipeline stage: the generator takes its codes from the contract, never the
other way round.

Protected columns (``protected=True``) may be read only by the fairness audit
(EU AI Act Art. 10(5)); they never become model inputs.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import pandas as pd

from risico.io import atomic_file
from risico.vocabularies import DEFAULT_VOCABULARIES, GENDERS, Vocabularies

__all__ = ["Column", "Table", "CONTRACT", "TRUTH_CONTRACT", "MANIFEST", "contract_for", "protected_columns",
           "conformance_problems", "render_markdown"]

#: The file ``ingest`` writes beside the typed tables (source, files read, encodings, set-aside columns);
#: ``validate`` reads it. Part of the contract between the two stages.
MANIFEST = "_manifest.json"

Kind = Literal["str", "int", "float", "bool", "datetime"]


@dataclasses.dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    meaning: str
    allowed: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    nullable: bool = False
    unique: bool = False
    protected: bool = False
    references: str | None = None      # "table.column"
    #: A coded column: the field of :class:`~risico.vocabularies.Vocabularies` that holds its codes.
    vocabulary: str | None = None
    #: A regular expression every value matches (instead of ``allowed``), e.g. the CBS wijkcode.
    pattern: str | None = None


@dataclasses.dataclass(frozen=True)
class Table:
    name: str
    meaning: str
    columns: tuple[Column, ...]
    #: A municipality may not hold this source: a file with only the header (zero rows) is valid.
    may_be_empty: bool = False

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


_ID = "pseudonymous id"
LANGUAGE = ("good", "moderate", "limited")
EDUCATION = ("low", "middle", "high", "in_school")
NATIONALITY = ("dutch", "eu", "non_eu")

# Coded columns name their vocabulary; contract_for fills in its codes.
_TABLES: tuple[Table, ...] = (
    Table("persons", "Every person registered in the municipality (BRP extract), children included.", (
        Column("person_id", "str", _ID, unique=True),
        Column("household_id", "str", "household the person belongs to", references="households.household_id"),
        Column("role", "str", "position in the household", allowed=("head", "partner", "child")),
        Column("age", "int", "age in years at the end of the period", minimum=0, maximum=120, protected=True),
        Column("gender", "str", "registered gender (x: neither)", allowed=GENDERS, protected=True),
        Column("migration_background", "str", "migration background (CBS definition)", vocabulary="migration_groups",
               protected=True),
        Column("nationality_group", "str", "nationality, grouped", allowed=NATIONALITY, protected=True),
        Column("language_proficiency", "str", "Dutch language proficiency (a known proxy for migration background)",
               allowed=LANGUAGE),
        Column("education_level", "str", "highest education level", allowed=EDUCATION),
        Column("years_in_municipality", "int", "years registered in the municipality", minimum=0, maximum=120),
    )),
    Table("households", "Households as registered, one address each.", (
        Column("household_id", "str", _ID, unique=True),
        Column("household_type", "str", "composition", vocabulary="household_types"),
        Column("n_adults", "int", "adults in the household", minimum=1, maximum=2),
        Column("n_children", "int", "children under 18 in the household", minimum=0, maximum=20),
        Column("address_id", "str", "registered address", references="addresses.address_id"),
        Column("district", "str", "district (wijk) of the address", vocabulary="districts"),
        Column("postcode4", "int", "4-digit postcode of the address", minimum=1000, maximum=9999),
    )),
    Table("addresses", "Residential addresses (BAG/BRP) with building and housing inspection signals.", (
        Column("address_id", "str", _ID, unique=True),
        Column("district", "str", "district (wijk)", vocabulary="districts"),
        Column("postcode4", "int", "4-digit postcode", minimum=1000, maximum=9999),
        Column("floor_area_m2", "int", "usable floor area in m2 (BAG)", minimum=10, maximum=2000),
        Column("persons_registered", "int", "persons registered at the address (BRP)", minimum=0, maximum=500),
        Column("households_registered", "int", "households registered at the address", minimum=0, maximum=200),
        Column("landlord_id", "str", "pseudonymous landlord; empty for owner-occupied", nullable=True),
        Column("room_rental_permit", "bool", "a room-rental (kamerverhuur) permit is in force"),
        Column("fire_safety_findings", "int", "fire-safety inspection findings in the last three years",
               minimum=0, maximum=100),
        Column("is_care_location", "bool", "registered as a care location (e.g. beschermd wonen)"),
    )),
    Table("providers", "Care providers (zorgaanbieders), including earlier ones that have ended.", (
        Column("provider_id", "str", _ID, unique=True),
        Column("kvk_registration_date", "datetime", "chamber of commerce (KvK) registration date"),
        Column("end_date", "datetime", "date the provider ended; empty while active", nullable=True),
        Column("end_reason", "str", "why it ended; empty while active", allowed=("failed", "sanctioned", "stopped"),
               nullable=True),
        Column("legal_form", "str", "sole trader, foundation or private company",
               allowed=("eenmanszaak", "stichting", "bv")),
        Column("n_staff", "int", "staff employed", minimum=1, maximum=100_000),
        Column("has_quality_certificate", "bool", "holds a recognised quality certificate"),
        Column("vog_coverage", "float", "share of staff with a certificate of conduct (VOG)", minimum=0, maximum=1),
        Column("bank_guarantee", "bool", "provided the bank guarantee the contract asks for"),
        Column("staff_trained_share", "float", "share of staff with the required training", minimum=0, maximum=1),
        Column("location_address_id", "str", "main care location", references="addresses.address_id"),
        Column("director_id", "str", "pseudonymous director; links providers run by the same person"),
    )),
    Table("applications", "Applications (aanvragen) for a provision, one per request.", (
        Column("application_id", "str", _ID, unique=True),
        Column("household_id", "str", "applying household", references="households.household_id"),
        Column("person_id", "str", "applicant", references="persons.person_id"),
        Column("address_id", "str", "applicant's address at the application date",
               references="addresses.address_id"),
        Column("scheme", "str", "Participatiewet bijstand, Wmo or Jeugdwet, in kind (zin) or as pgb",
               vocabulary="schemes"),
        Column("application_date", "datetime", "date the application was received"),
        Column("decision_date", "datetime", "date of the award decision (on or after the application date)"),
        Column("awarded", "bool", "the provision was awarded"),
        Column("previous_applications", "int", "earlier applications by the household", minimum=0, maximum=1000),
        Column("amount_monthly", "float", "monthly amount in EUR", minimum=0, maximum=100_000),
        Column("authorised_hours_month", "float", "authorised care hours per month (care schemes only)",
               minimum=0, maximum=1000, nullable=True),
        Column("declared_income_monthly", "float", "declared monthly income in EUR", minimum=0, maximum=1_000_000),
        Column("declared_assets", "float", "declared assets in EUR", minimum=0, maximum=100_000_000),
        Column("cost_sharers", "int", "declared cost-sharers (kostendelers) at the address", minimum=0, maximum=100),
        Column("days_since_relocation", "int", "days since the applicant last moved", minimum=0, maximum=50_000),
        Column("appointment_no_shows", "int", "missed appointments in the last 12 months", minimum=0, maximum=100),
        Column("income_changes_12m", "int", "reported income changes in the last 12 months", minimum=0, maximum=100),
        Column("intermediary_id", "str", "intermediary (bemiddelaar) that filed for the applicant, if any",
               nullable=True),
        Column("provider_id", "str", "care provider chosen (care schemes only)", nullable=True,
               references="providers.provider_id"),
    )),
    Table("declarations", "Monthly billing per client by care providers.", (
        Column("declaration_id", "str", _ID, unique=True),
        Column("provider_id", "str", "billing provider", references="providers.provider_id"),
        Column("application_id", "str", "the client's awarded application", references="applications.application_id"),
        Column("month", "datetime", "first day of the billed month"),
        Column("hours_billed", "float", "hours billed for the month", minimum=0, maximum=1000),
        Column("amount_billed", "float", "amount billed in EUR", minimum=0, maximum=1_000_000),
    )),
    Table("investigations", "Historical investigations of applications and providers, with how each was selected.", (
        Column("investigation_id", "str", _ID, unique=True),
        Column("subject_type", "str", "what was investigated", allowed=("application", "provider")),
        Column("application_id", "str", "investigated application", nullable=True,
               references="applications.application_id"),
        Column("provider_id", "str", "investigated provider", nullable=True, references="providers.provider_id"),
        Column("start_date", "datetime", "start of the investigation"),
        Column("route", "str", "how the case was selected: uniformly at random, by a risk rule, by a caseworker, "
               "or after a tip", allowed=("random", "risk_rule", "caseworker", "tip")),
        Column("outcome", "str", "what was found", allowed=("no_finding", "error", "fraud")),
        Column("amount_recovered", "float", "amount recovered or prevented in EUR", minimum=0, maximum=100_000_000),
    )),
    Table("absences", "Periods a care client was away: a hospital stay (health data, GDPR art. 9: only with a legal "
          "basis) or a stay abroad, as reported by the client or the SVB or health insurer. A municipality that "
          "does not hold this source supplies the header only (zero rows).", (
        Column("absence_id", "str", _ID, unique=True),
        Column("person_id", "str", "the client who was away", references="persons.person_id"),
        Column("kind", "str", "in hospital or abroad", allowed=("hospital", "abroad")),
        Column("start_date", "datetime", "first day away"),
        Column("end_date", "datetime", "last day away (inclusive; on or after the start date)"),
    ), may_be_empty=True),
)


def contract_for(vocabularies: Vocabularies) -> dict[str, Table]:
    """The contract of the tables the pipeline reads, with ``vocabularies`` for its coded columns.

    >>> from risico.vocabularies import CBS_DISTRICT_PATTERN, Vocabulary
    >>> own = dataclasses.replace(DEFAULT_VOCABULARIES, districts=Vocabulary(pattern=CBS_DISTRICT_PATTERN))
    >>> contract_for(own)["addresses"].column("district").pattern == CBS_DISTRICT_PATTERN
    True
    """
    return {t.name: dataclasses.replace(t, columns=tuple(_coded(c, vocabularies) for c in t.columns))
            for t in _TABLES}


def _coded(col: Column, vocabularies: Vocabularies) -> Column:
    if col.vocabulary is None:
        return col
    codes = getattr(vocabularies, col.vocabulary)
    return dataclasses.replace(col, allowed=codes.values or None, pattern=codes.pattern)


#: The contract with the synthetic world's vocabularies (the defaults).
CONTRACT: dict[str, Table] = contract_for(DEFAULT_VOCABULARIES)

TRUTH_CONTRACT: dict[str, Table] = {t.name: t for t in (
    Table("applications_truth", "Ground truth per application (synthetic world only; evaluation only).", (
        Column("application_id", "str", _ID, unique=True, references="applications.application_id"),
        Column("true_violation", "bool", "the application really broke the rules"),
        Column("true_probability", "float", "the generator's probability of a violation (the oracle score)",
               minimum=0, maximum=1),
        Column("violation_type", "str", "honest error or fraud", allowed=("none", "error", "fraud")),
        Column("investigation_probability", "float", "the probability that history investigated it",
               minimum=0, maximum=1),
    )),
    Table("providers_truth", "Ground truth per provider.", (
        Column("provider_id", "str", _ID, unique=True, references="providers.provider_id"),
        Column("true_violation", "bool", "the provider really broke the rules"),
        Column("true_probability", "float", "the generator's probability of a violation", minimum=0, maximum=1),
        Column("malafide_director", "bool", "run by a director on a malafide career path"),
    )),
    Table("intermediaries_truth", "Ground truth per intermediary.", (
        Column("intermediary_id", "str", _ID, unique=True),
        Column("malafide", "bool", "the intermediary recruits clients for malafide providers"),
    )),
    Table("batch_truth", "Ground truth of the current month's new applications (`data/batch/`).", (
        Column("application_id", "str", _ID, unique=True),
        Column("true_violation", "bool", "the application really breaks the rules"),
        Column("true_probability", "float", "the generator's probability of a violation (the oracle score)",
               minimum=0, maximum=1),
        Column("violation_type", "str", "honest error or fraud", allowed=("none", "error", "fraud")),
    )),
)}


def protected_columns(contract: Mapping[str, Table] = CONTRACT) -> dict[str, tuple[str, ...]]:
    """Protected columns per table (only tables that have any)."""
    out = {name: tuple(c.name for c in t.columns if c.protected) for name, t in contract.items()}
    return {name: cols for name, cols in out.items() if cols}


_DTYPE_CHECK = {
    "str": pd.api.types.is_string_dtype,
    "int": pd.api.types.is_integer_dtype,
    "float": pd.api.types.is_float_dtype,
    "bool": pd.api.types.is_bool_dtype,
    "datetime": pd.api.types.is_datetime64_any_dtype,
}


def conformance_problems(frame: pd.DataFrame, table: Table) -> list[str]:
    """Every way ``frame`` breaks the contract of ``table`` (empty when it conforms).

    Checks columns and their order, types, nulls, allowed values, ranges and
    uniqueness. Cross-table references are checked by the validation stage.
    """
    problems = []
    if tuple(frame.columns) != table.names:
        problems.append(f"{table.name}: columns {list(frame.columns)} differ from the contract {list(table.names)}")
        return problems
    for col in table.columns:
        values = frame[col.name]
        where = f"{table.name}.{col.name}"
        if not _DTYPE_CHECK[col.kind](values.dtype):
            problems.append(f"{where}: type {values.dtype} is not {col.kind}")
            continue
        if not col.nullable and values.isna().any():
            problems.append(f"{where}: {int(values.isna().sum())} empty values")
        present = values.dropna()
        if col.allowed is not None and not present.isin(col.allowed).all():
            problems.append(f"{where}: values outside {col.allowed}: {sorted(set(present) - set(col.allowed))[:5]}")
        if col.pattern is not None:
            outside = present[~present.astype("str").str.contains(col.pattern, regex=True)]
            if len(outside):
                problems.append(f"{where}: values not matching {col.pattern}: {sorted(set(outside))[:5]}")
        if col.minimum is not None and (present < col.minimum).any():
            problems.append(f"{where}: values below {col.minimum}")
        if col.maximum is not None and (present > col.maximum).any():
            problems.append(f"{where}: values above {col.maximum}")
        if col.unique and present.duplicated().any():
            problems.append(f"{where}: {int(present.duplicated().sum())} duplicate values")
    return problems


def render_markdown() -> str:
    """``docs/data-contract.md``."""
    lines = ["# Data contract", "",
             "Generated from `src/risico/contract.py` by `python -m risico contract --out docs/data-contract.md`;",
             "edit the code, not this file (a test keeps them in sync).", "",
             "Types: `str` (text), `int`, `float`, `bool`, `datetime` (a date; CSV input may write it as",
             "`dd-mm-yyyy` or ISO). **Protected** columns are read only by the fairness audit and never become",
             "model inputs (EU AI Act Art. 10(5)); the validation stage writes them to separate files.",
             "Coded columns take their codes from a vocabulary in the `vocabularies` section of `params.yaml`",
             "(see `docs/pipeline.md`); the tables show the synthetic world's codes, the defaults.", ""]
    for title, contract in (("Tables the pipeline reads (`data/raw/`)", CONTRACT),
                            ("Ground truth of the synthetic world (`data/truth/`, evaluation only)", TRUTH_CONTRACT)):
        lines += [f"## {title}", ""]
        for table in contract.values():
            lines += [f"### `{table.name}`", "", table.meaning, ""]
            if table.may_be_empty:
                lines += ["May have zero rows (a file with the header only); every other table needs at least one.",
                          ""]
            lines += ["| column | type | allowed | empty? | meaning |", "|---|---|---|---|---|"]
            for col in table.columns:
                lines.append(f"| `{col.name}`{' **protected**' if col.protected else ''} | {col.kind} | "
                             f"{_allowed_text(col)} | {'yes' if col.nullable else 'no'} | {col.meaning} |")
            lines.append("")
    return "\n".join(lines)


def _allowed_text(col: Column) -> str:
    parts = []
    codes = ", ".join(f"`{v}`" for v in col.allowed) if col.allowed is not None else None
    if col.pattern is not None:
        codes = f"matching `{col.pattern}`"
    if col.vocabulary is not None:
        codes = f"a code of `vocabularies.{col.vocabulary}` (default: {codes})"
    if codes is not None:
        parts.append(codes)
    if col.minimum is not None or col.maximum is not None:
        parts.append(f"{_num(col.minimum)} to {_num(col.maximum)}")
    if col.unique:
        parts.append("unique")
    if col.references:
        parts.append(f"refers to `{col.references}`")
    return "; ".join(parts)


def _num(value: float | None) -> str:
    return "..." if value is None else f"{value:,g}"


HELP = "write the data contract as Markdown (docs/data-contract.md)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, type=Path, help="Markdown file to write")


def run(args: argparse.Namespace) -> None:
    with atomic_file(args.out) as tmp:
        tmp.write_text(render_markdown(), encoding="utf-8")
