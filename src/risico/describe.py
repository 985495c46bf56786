"""The ``describe`` stage: what the world looks like, who was investigated, who really violated.

Pure functions build the tables (the notebook ``1.0-explore-world`` shows the
same ones) and :func:`describe_world` puts them together; ``run`` reads the tables and
:func:`write_outputs` writes ``metrics/world.json``, the group table and a self-contained HTML
page. Published group tables suppress groups smaller than
``describe.min_group_size``.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from risico.htmlpage import esc, page, table
from risico.io import atomic_file, read_tables, write_json
from risico.params import SectionReader, load_section
from risico.tables import write_csv
from risico.texts import LANGUAGES, Language
from risico.texts.world import text
from risico.vocabularies import age_band

__all__ = [
    "DescribeParams",
    "applicant_frame",
    "group_table",
    "route_table",
    "world_metrics",
    "render_html",
    "WorldDescription",
    "describe_world",
]

HELP = "describe the world: group sizes, who was investigated, who really violated"
APPLICANT_TABLES = ("applications", "persons", "households", "investigations", "providers")
GROUP_ATTRIBUTES = ("migration_background", "gender", "age_band", "district", "scheme")


@dataclasses.dataclass(frozen=True)
class DescribeParams:
    min_group_size: int
    language: Language


def parse_describe_params(describe: Mapping, report: Mapping) -> DescribeParams:
    r = SectionReader(describe, "describe")
    min_size = r.int("min_group_size", minimum=1)
    r.finish()
    rep = SectionReader(report, "report")
    language = rep.choice("language", LANGUAGES)
    return DescribeParams(min_group_size=min_size, language=language)  # type: ignore[arg-type]


def applicant_frame(raw: Mapping[str, pd.DataFrame], truth: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """One row per application with its applicant's attributes, investigation and (if given) truth."""
    persons = raw["persons"][["person_id", "age", "gender", "migration_background"]]
    frame = raw["applications"][["application_id", "person_id", "household_id", "scheme"]]
    frame = frame.merge(persons, on="person_id", how="left", validate="many_to_one")
    frame = frame.merge(raw["households"][["household_id", "district"]], on="household_id", how="left",
                        validate="many_to_one")
    inv = raw["investigations"]
    inv = inv.loc[inv["subject_type"] == "application", ["application_id", "route", "outcome"]]
    frame = frame.merge(inv, on="application_id", how="left", validate="one_to_one")
    frame["investigated"] = frame["route"].notna()
    frame["found"] = frame["outcome"].isin(["error", "fraud"])
    frame["age_band"] = age_band(frame["age"])
    if truth is not None:
        frame = frame.merge(truth["applications_truth"][["application_id", "true_violation"]],
                            on="application_id", how="left", validate="one_to_one")
    return frame


def group_table(frame: pd.DataFrame, attribute: str, min_group_size: int = 10) -> pd.DataFrame:
    """Per group of ``attribute``: applications, investigation rate, observed hit rate, true violation rate.

    Groups with fewer than ``min_group_size`` applications keep their name and
    a ``suppressed`` flag; every number of theirs is removed (NaN).
    """
    grouped = frame.groupby(attribute, dropna=False, sort=True, observed=True)
    table = pd.DataFrame({
        "applications": grouped.size(),
        "investigated_rate": grouped["investigated"].mean(),
        "observed_hit_rate": grouped.apply(_hit_rate, include_groups=False),
    })
    if "true_violation" in frame:
        table["true_violation_rate"] = grouped["true_violation"].mean()
    table = table.reset_index().rename(columns={attribute: "group"})
    table.insert(0, "attribute", attribute)
    table["suppressed"] = table["applications"] < min_group_size
    return _suppress(table, ("attribute", "group", "suppressed"))


def _suppress(table: pd.DataFrame, keep: tuple[str, ...]) -> pd.DataFrame:
    """Blank every number of a suppressed row; counts stay integers (nullable)."""
    out = table.copy()
    for column in out.columns:
        if column in keep:
            continue
        kind = "Int64" if pd.api.types.is_integer_dtype(out[column]) else "float64"
        out[column] = out[column].astype(kind).mask(out["suppressed"])
    return out


def _hit_rate(group: pd.DataFrame) -> float:
    investigated = group["investigated"].to_numpy()
    return float(group["found"].to_numpy()[investigated].mean()) if investigated.any() else float("nan")


def route_table(frame: pd.DataFrame, min_group_size: int = 10) -> pd.DataFrame:
    """Per investigation route: investigations, observed hit rate, true violation rate."""
    investigated = frame[frame["investigated"]]
    grouped = investigated.groupby("route", sort=True)
    table = pd.DataFrame({"investigations": grouped.size(), "observed_hit_rate": grouped["found"].mean()})
    if "true_violation" in frame:
        table["true_violation_rate"] = grouped["true_violation"].mean()
    table = table.reset_index()
    table["suppressed"] = table["investigations"] < min_group_size
    return _suppress(table, ("route", "suppressed"))


def world_metrics(raw: Mapping[str, pd.DataFrame], frame: pd.DataFrame) -> dict[str, float | int]:
    """The few numbers ``dvc metrics diff`` compares between worlds."""
    inv = frame[frame["investigated"]]
    random = inv[inv["route"] == "random"]
    non_western = frame["migration_background"] == "non_western"
    metrics: dict[str, float | int] = {
        "n_persons": len(raw["persons"]),
        "n_households": len(raw["households"]),
        "n_applications": len(frame),
        "n_active_providers": int(raw["providers"]["end_date"].isna().sum()),
        "investigation_rate": _round(frame["investigated"].mean()),
        "random_share": _round((inv["route"] == "random").mean()),
        "observed_hit_rate": _round(inv["found"].mean()),
        "random_hit_rate": _round(random["found"].mean()),
        "investigation_rate_ratio_non_western": _round(
            frame.loc[non_western, "investigated"].mean() / frame.loc[~non_western, "investigated"].mean()),
    }
    if "true_violation" in frame:
        metrics["true_violation_rate"] = _round(frame["true_violation"].mean())
        metrics["true_violation_rate_ratio_non_western"] = _round(
            frame.loc[non_western, "true_violation"].mean() / frame.loc[~non_western, "true_violation"].mean())
    return metrics


def _round(value: float) -> float:
    return round(float(value), 4) if np.isfinite(value) else float("nan")


def render_html(metrics: Mapping[str, float], groups: pd.DataFrame, routes: pd.DataFrame,
                params: DescribeParams) -> str:
    """A self-contained page, in the report language, with small cells suppressed."""
    lang = params.language
    suppressed = text("world.suppressed", lang, min_group_size=params.min_group_size)
    rows = [(esc(text(label, lang)), _fmt(metrics[key], key)) for label, key in _KEY_NUMBERS
            if key in metrics]
    parts = [f"<p>{esc(text('world.intro', lang))}</p>", f"<h2>{esc(text('world.key_numbers', lang))}</h2>",
             table(["", ""], rows), f"<h2>{esc(text('world.by_group', lang))}</h2>",
             f"<p>{esc(text('world.by_group_note', lang, min_group_size=params.min_group_size))}</p>"]
    for attribute, part in groups.groupby("attribute", sort=False):
        parts.append(f"<h3>{esc(text(f'attr.{attribute}', lang))}</h3>")
        parts.append(_group_html(part.drop(columns="attribute"), "group", lang, suppressed))
    parts.append(f"<h2>{esc(text('world.by_route', lang))}</h2>")
    parts.append(_group_html(routes, "route", lang, suppressed))
    return page(text("world.title", lang), lang, parts, footer=text("footer.synthetic", lang))


_KEY_NUMBERS = (      # (text key, metric)
    ("num.persons", "n_persons"), ("num.households", "n_households"), ("num.applications", "n_applications"),
    ("num.providers", "n_active_providers"), ("num.investigation_rate", "investigation_rate"),
    ("num.random_share", "random_share"), ("num.observed_hit_rate", "observed_hit_rate"),
    ("num.random_hit_rate", "random_hit_rate"), ("num.true_violation_rate", "true_violation_rate"),
)


def _fmt(value: float, key: str) -> str:
    if key.startswith("n_"):
        return f"{int(value):,}".replace(",", ".")
    return "-" if not np.isfinite(value) else f"{100 * value:.1f}%"


def _group_html(frame: pd.DataFrame, label: str, lang: Language, suppressed: str) -> str:
    columns = [c for c in frame.columns if c not in (label, "suppressed")]
    rows = []
    for row in frame.itertuples(index=False):
        if row.suppressed:
            rows.append([esc(getattr(row, label)), esc(suppressed)] + [""] * (len(columns) - 1))
            continue
        rows.append([esc(getattr(row, label))]
                    + [_fmt(getattr(row, c), "n_" if c in ("applications", "investigations") else c) for c in columns])
    return table([text(f"col.{c}", lang) for c in [label, *columns]], rows)


@dataclasses.dataclass(frozen=True)
class WorldDescription:
    """What the stage publishes: the key numbers (metrics), the group table (small groups suppressed) and the
    page."""

    metrics: dict[str, float | int]
    groups: pd.DataFrame
    page: str


def describe_world(raw: Mapping[str, pd.DataFrame], truth: Mapping[str, pd.DataFrame] | None,
                   params: DescribeParams) -> WorldDescription:
    """The stage's pure core: ``raw`` holds :data:`APPLICANT_TABLES`, ``truth`` the world's
    ``applications_truth`` (None when unknown)."""
    frame = applicant_frame(raw, truth)
    groups = pd.concat([group_table(frame, a, params.min_group_size) for a in GROUP_ATTRIBUTES], ignore_index=True)
    routes = route_table(frame, params.min_group_size)
    metrics = world_metrics(raw, frame)
    return WorldDescription(metrics, groups, render_html(metrics, groups, routes, params))


# -- stage ---------------------------------------------------------------------
def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--params", default="params.yaml", help="params file (sections 'describe', 'report')")
    parser.add_argument("--raw", required=True, type=Path, help="folder with the world's tables (data/raw)")
    parser.add_argument("--truth", type=Path, help="folder with the ground truth (data/truth), if known")
    parser.add_argument("--metrics", required=True, type=Path, help="metrics JSON to write")
    parser.add_argument("--groups", required=True, type=Path, help="group table CSV to write (suppressed)")
    parser.add_argument("--report", required=True, type=Path, help="HTML page to write")


def run(args: argparse.Namespace) -> None:
    params = parse_describe_params(load_section(args.params, "describe"), load_section(args.params, "report"))
    raw = read_tables(args.raw, APPLICANT_TABLES)
    truth = read_tables(args.truth, ("applications_truth",)) if args.truth else None
    write_outputs(describe_world(raw, truth, params), args)


def write_outputs(description: WorldDescription, args: argparse.Namespace) -> None:
    """The group table (CSV), the page, then the metrics."""
    with atomic_file(args.groups) as tmp:
        write_csv(description.groups, tmp, float_format="%.4f")
    with atomic_file(args.report) as tmp:
        tmp.write_text(description.page, encoding="utf-8")
    write_json(description.metrics, args.metrics)
