"""Periods a care client was away (in hospital or abroad), and how providers bill for them.

Every person with an awarded care application naming a provider is a **client** for the whole
period. Each client has Poisson(``hospital_rate`` × years) hospital stays and
Poisson(``abroad_rate`` × years, × ``abroad_ratio_non_western`` for non-western clients) stays
abroad, starting on uniform days of the period, each lasting a geometric number of days with
mean ``hospital_mean_days`` or ``abroad_mean_days`` (cut at the period end).

In a billed month with absent days an **honest** provider bills its hours × present days /
days in the month, except with probability ``honest_error_rate`` (it bills the full month by
mistake); a **violating** provider bills as if the client had been there with probability
``violating_share``, and pro-rates otherwise.

All randomness comes from the generator handed in (the world's own child of its seed), so the
other tables do not change when these parameters do.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from risico.absences import absent_days_by_month, absent_days_of, days_in_month
from risico.synth._common import day_number, make_ids, to_datetime
from risico.synth.applications import ApplicationDraw
from risico.synth.params import GenerateParams

__all__ = ["KINDS", "Absences", "draw_absences"]

KINDS: tuple[str, ...] = ("hospital", "abroad")


@dataclasses.dataclass(frozen=True)
class Absences:
    """The ``absences`` table and what the billing needs from it."""

    table: pd.DataFrame
    #: Person positions (in the persons table), months and absent days, from ``absent_days_by_month``.
    by_month: tuple[np.ndarray, np.ndarray, np.ndarray]
    rng: np.random.Generator
    honest_error_rate: float
    violating_share: float

    def billed_share(self, person: np.ndarray, month: np.ndarray, violating: np.ndarray) -> np.ndarray:
        """Per declaration: the share of the month's hours billed (1.0 without absent days).

        ``person`` holds person positions, ``month`` month numbers, ``violating`` whether the
        billing provider violates. Draws one number per declaration with absent days.
        """
        absent = absent_days_of(person, month, self.by_month)
        share = np.ones(person.size)
        away = np.flatnonzero(absent > 0)
        full = self.rng.random(away.size) < np.where(violating[away], self.violating_share, self.honest_error_rate)
        n_days = days_in_month(month[away])
        share[away] = np.where(full, 1.0, (n_days - absent[away]) / n_days)
        return share


def draw_absences(rng: np.random.Generator, params: GenerateParams, apps: ApplicationDraw, awarded: np.ndarray,
                  person_ids: pd.Series) -> Absences:
    """Hospital stays and stays abroad of every client over the period.

    ``person_ids`` is the persons table's ``person_id`` (person positions refer to it).
    """
    ab = params.effective().absences
    t = apps.table
    client = t["provider_id"].notna().to_numpy() & awarded
    position = pd.Index(person_ids).get_indexer(t["person_id"].to_numpy()[client])
    person, first = np.unique(position, return_index=True)
    non_western = apps.non_western[client][first]
    start, stop = day_number(params.start_date), day_number(params.end_date)
    n_hospital = rng.poisson(ab.hospital_rate * params.n_years, person.size)
    n_abroad = rng.poisson(ab.abroad_rate * params.n_years * np.where(non_western, ab.abroad_ratio_non_western, 1.0))
    who = np.r_[np.repeat(person, n_hospital), np.repeat(person, n_abroad)]
    kind = np.r_[np.zeros(n_hospital.sum(), dtype=np.int64), np.ones(n_abroad.sum(), dtype=np.int64)]
    mean_days = np.where(kind == 0, ab.hospital_mean_days, ab.abroad_mean_days)
    begin = start + np.floor(rng.random(who.size) * (stop - start)).astype(np.int64)
    end = np.minimum(begin + rng.geometric(1.0 / mean_days) - 1, stop - 1)
    order = np.lexsort((kind, who, begin))
    who, kind, begin, end = who[order], kind[order], begin[order], end[order]
    table = pd.DataFrame({
        "absence_id": make_ids("AB", who.size, 8),
        "person_id": person_ids.to_numpy()[who],
        "kind": pd.Series(np.array(KINDS, dtype=object)[kind], dtype="str"),
        "start_date": to_datetime(begin),
        "end_date": to_datetime(end),
    }).astype({"person_id": "str"})
    return Absences(table=table, by_month=absent_days_by_month(who, begin, end), rng=rng,
                    honest_error_rate=ab.honest_error_rate, violating_share=ab.violating_share)
