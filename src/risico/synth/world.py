"""Assemble the synthetic world: the tables the pipeline may learn from, and the truth it may not."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd

from risico.synth._common import day_number, to_datetime
from risico.synth.absences import draw_absences
from risico.synth.applications import generate_applications
from risico.synth.doorstarts import plant_doorstarts
from risico.synth.investigations import declarations, investigate_applications, investigate_providers
from risico.synth.params import GenerateParams
from risico.synth.population import generate_population
from risico.synth.providers import generate_providers

__all__ = ["World", "generate_world", "seed_streams", "STREAMS", "RAW_TABLES", "TRUTH_TABLES", "batch_month"]

RAW_TABLES = ("persons", "households", "addresses", "providers", "applications", "declarations", "investigations",
              "absences")
TRUTH_TABLES = ("applications_truth", "providers_truth", "intermediaries_truth", "batch_truth")
#: A batch holds new applications: not yet decided, so without ``decision_date`` and ``awarded``.
UNDECIDED = ("decision_date", "awarded")
#: The world's random streams, one child of ``SeedSequence(params.seed)`` each, in spawn order. A new part of
#: the world appends its stream, so the streams before it, and the tables they draw, stay the same.
STREAMS = ("population", "providers", "applications", "investigations", "provider_investigations", "declarations",
           "batch", "absences", "doorstarts")


@dataclasses.dataclass(frozen=True)
class World:
    """A generated municipality.

    Attributes
    ----------
    raw : dict of DataFrame
        What a municipality would hold (``RAW_TABLES``); written to ``data/raw/``.
    truth : dict of DataFrame
        What only a synthetic world knows (``TRUTH_TABLES``); written to
        ``data/truth/`` and used for evaluation only.
    batch : DataFrame
        The "current month": applications received in the month after the
        period, not yet decided or investigated (the worklist's input);
        written to ``data/batch/applications.parquet``.
    """

    raw: dict[str, pd.DataFrame]
    truth: dict[str, pd.DataFrame]
    batch: pd.DataFrame


def generate_world(params: GenerateParams) -> World:
    """Generate a world from checked parameters; the same parameters give the same world.

    Each part draws from its own child of ``SeedSequence(params.seed)``, so
    changing, say, the provider parameters leaves the population unchanged.
    The absences (child 7) change only ``absences`` and the hours of
    declarations for months in which a client was away. The doorstarts
    (child 8, added last) draw from their own child, so with
    ``providers.doorstart_share: 0`` the world is the one without them.
    """
    rng_pop, rng_prov, rng_app, rng_inv, rng_pinv, rng_decl, rng_batch, rng_abs, rng_door = (
        seed_streams(params).values())
    pop = generate_population(rng_pop, params)
    prov = plant_doorstarts(rng_door, params, generate_providers(rng_prov, params, pop.addresses), pop.addresses)
    apps = generate_applications(rng_app, params, pop, prov, follow_rng=rng_door)
    inv_apps, decision_day, awarded, inv_probability = investigate_applications(rng_inv, params, apps)
    inv_prov = investigate_providers(rng_pinv, params, prov)
    person_ids = pop.persons["person_id"]
    absences = draw_absences(rng_abs, params, apps, awarded, person_ids)
    decl = declarations(rng_decl, params, apps, decision_day, awarded, prov, absences, person_ids)
    applications = _finish_applications(apps.table, decision_day, awarded)
    investigations = pd.concat([inv_apps, inv_prov], ignore_index=True)
    investigations = investigations.sort_values(["start_date", "subject_type"], kind="stable", ignore_index=True)
    investigations.insert(0, "investigation_id", "INV" + pd.Series(np.arange(1, len(investigations) + 1))
                          .astype("str").str.zfill(7))
    truth_apps = apps.truth.assign(investigation_probability=inv_probability)
    intermediaries = pd.DataFrame({"intermediary_id": prov.intermediary_ids,
                                   "malafide": prov.intermediary_malafide})
    raw = {
        "persons": pop.persons,
        "households": pop.households,
        "addresses": pop.addresses,
        "providers": prov.providers,
        "applications": applications,
        "declarations": decl,
        "investigations": investigations,
        "absences": absences.table,
    }
    first, end = batch_month(params)
    batch = generate_applications(rng_batch, params, pop, prov, follow_rng=rng_door,
                                  window=(day_number(first), day_number(end)), first_id=len(applications) + 1)
    batch_table = _finish_batch(batch.table, applications)
    truth = {"applications_truth": truth_apps, "providers_truth": prov.truth,
             "intermediaries_truth": intermediaries, "batch_truth": batch.truth}
    return World(raw=raw, truth=truth, batch=batch_table)


def seed_streams(params: GenerateParams) -> dict[str, np.random.Generator]:
    """The random generator of each part of the world (:data:`STREAMS`), as :func:`generate_world` uses them."""
    children = np.random.SeedSequence(params.seed).spawn(len(STREAMS))
    return {name: np.random.default_rng(child) for name, child in zip(STREAMS, children)}


def batch_month(params: GenerateParams) -> tuple[dt.date, dt.date]:
    """First day of the month after the period, and the first day of the month after that."""
    first = params.end_date.replace(day=1)
    if first < params.end_date:
        first = (first + dt.timedelta(days=32)).replace(day=1)
    return first, (first + dt.timedelta(days=32)).replace(day=1)


def _finish_batch(table: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """The batch as the applications table without the decision columns; earlier applications include history."""
    finished = _finish_applications(table, np.zeros(len(table), dtype=np.int64), np.zeros(len(table), dtype=bool))
    before = history["household_id"].value_counts()
    finished["previous_applications"] += finished["household_id"].map(before).fillna(0).to_numpy(dtype=np.int64)
    return finished.drop(columns=list(UNDECIDED))


def _finish_applications(table: pd.DataFrame, decision_day: np.ndarray, awarded: np.ndarray) -> pd.DataFrame:
    """Dates as datetimes, the award, and the household's earlier applications."""
    day = table["_application_day"].to_numpy()
    household = table["household_id"]
    earlier = (table.groupby(household, sort=False).cumcount()
               - table.groupby([household, table["_application_day"]], sort=False).cumcount())
    out = table.drop(columns="_application_day")
    out.insert(5, "application_date", to_datetime(day))
    out.insert(6, "decision_date", to_datetime(decision_day))
    out.insert(7, "awarded", awarded)
    out.insert(8, "previous_applications", earlier.to_numpy().astype(np.int64))
    return out
