"""Great Expectations suites built from the data contract, stored as plain JSON, and the row quarantine.

* :func:`build_suite` turns a :class:`~risico.contract.Table` into a suite as a
  plain dict; :func:`write_suites` / :func:`load_suites` keep one JSON file per
  table in ``expectations/`` (sorted keys, no ids or timestamps, so the files
  only change when the contract or the ``vocabularies`` of ``params.yaml`` do:
  ``python -m risico expectations --params params.yaml --out expectations``).
* :func:`check_vocabularies` stops when the suites' coded columns do not
  check the vocabularies of ``params.yaml`` (the suites are stale).
* :func:`run_suite` validates a DataFrame against a suite in an ephemeral GX
  context (nothing is written to disk).
* :func:`row_failures` evaluates the row-level expectations of a suite in
  pandas (no GX) and gives every failing row the rules it breaks; the
  validate stage quarantines those rows.

Each expectation carries ``meta.level``: ``"table"`` (columns, types, at
least one row: the table cannot be used when one fails) or ``"row"`` (a
failure concerns single rows, which can be quarantined), and ``meta.rule``, a
short text that names the rule in reports and quarantine reasons.

Expectation types starting with ``risico_`` are evaluated by this module, not
by GX, because GX cannot express them without a date that would change the
suite every day: ``risico_no_future_dates`` (no date after ``today``).

``import great_expectations`` takes seconds, so it happens only inside
:func:`run_suite`; importing this module does not import GX.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from risico.contract import CONTRACT, Column, Table
from risico.errors import RisicoError
from risico.io import atomic_file

__all__ = ["build_suite", "write_suites", "load_suites", "run_suite", "run_suites", "row_failures",
           "row_failure_masks", "check_vocabularies", "StaleSuiteError", "SuiteResult", "ExpectationOutcome", "GX_TYPES", "PAIR_RULES",
           "MAX_EXAMPLES", "STALE_VOCABULARY"]

SOURCE = "src/risico/contract.py"
MAX_EXAMPLES = 5
SEPARATOR = "; "

# Column types, checked with expect_column_values_to_be_of_type, which compares the dtype's scalar type.
# One name per kind covers the dtypes a reader produces: "str" matches pandas 3 ``str`` and ``string``
# (and object columns holding only strings), "int64" also Int64, "float64" also Float64, "bool" also
# boolean, "datetime64" every time-zone-naive unit ([s], [ms], [us], [ns]).
# (expect_column_values_to_be_in_type_list cannot be used: in GX 1.24 no type name matches a pandas 3
# ``str`` column, and nullable dtypes need their class names, e.g. "Int64Dtype".)
GX_TYPES: dict[str, str] = {"str": "str", "int": "int64", "float": "float64", "bool": "bool",
                            "datetime": "datetime64"}

STALE_VOCABULARY = ("Suite '{table}' checks {column} with {found}, but the vocabularies of {params} give {wanted}. "
                    "Write them again: python -m risico expectations --params {params} --out <the expectations folder>")

# Date sanity across two columns: (table, later column, earlier column); the later one may equal the earlier.
PAIR_RULES: tuple[tuple[str, str, str], ...] = (
    ("applications", "decision_date", "application_date"),
    ("providers", "end_date", "kvk_registration_date"),
    ("absences", "end_date", "start_date"),
)


# --------------------------------------------------------------------------------------------- building


def _expectation(kind: str, level: str, rule: str, /, **kwargs: Any) -> dict[str, Any]:
    return {"type": kind, "kwargs": kwargs, "meta": {"level": level, "rule": rule}}


def _num(value: float) -> int | float:
    """Integral bounds as int (``0``, not ``0.0``) in the JSON and in rule texts."""
    return int(value) if float(value).is_integer() else float(value)


def _range_rule(col: Column) -> str:
    if col.minimum is not None and col.maximum is not None:
        return f"{col.name} between {_num(col.minimum)} and {_num(col.maximum)}"
    if col.minimum is not None:
        return f"{col.name} at least {_num(col.minimum)}"
    return f"{col.name} at most {_num(col.maximum)}"


def build_suite(table: Table) -> dict[str, Any]:
    """The suite of one contract table as a plain, JSON-able dict.

    Order: table-level expectations (columns, row count unless the table may be
    empty, one type per column),
    then the row-level ones per column in contract order (not null, allowed
    values, range, unique, not in the future, later than another column).
    """
    names = list(table.names)
    expectations = [
        _expectation("expect_table_columns_to_match_ordered_list", "table",
                     f"columns as in the data contract ({len(names)}, in order)", column_list=names),
    ]
    if not table.may_be_empty:
        expectations.append(_expectation("expect_table_row_count_to_be_between", "table", "at least one row",
                                         min_value=1))
    for col in table.columns:
        expectations.append(_expectation("expect_column_values_to_be_of_type", "table",
                                         f"{col.name} is {col.kind}", column=col.name, type_=GX_TYPES[col.kind]))
    pairs = {later: earlier for name, later, earlier in PAIR_RULES if name == table.name}
    for col in table.columns:
        c = col.name
        if not col.nullable:
            expectations.append(_expectation("expect_column_values_to_not_be_null", "row", f"{c} not empty",
                                             column=c))
        expectations.extend(_vocabulary_expectations(col))
        if col.minimum is not None or col.maximum is not None:
            bounds = {}
            if col.minimum is not None:
                bounds["min_value"] = _num(col.minimum)
            if col.maximum is not None:
                bounds["max_value"] = _num(col.maximum)
            expectations.append(_expectation("expect_column_values_to_be_between", "row", _range_rule(col),
                                             column=c, **bounds))
        if col.unique:
            expectations.append(_expectation("expect_column_values_to_be_unique", "row", f"{c} unique", column=c))
        if col.kind == "datetime":
            expectations.append(_expectation("risico_no_future_dates", "row", f"{c} not after today", column=c))
        if c in pairs:
            expectations.append(_expectation("expect_column_pair_values_a_to_be_greater_than_b", "row",
                                             f"{c} on or after {pairs[c]}", column_A=c, column_B=pairs[c],
                                             or_equal=True, ignore_row_if="either_value_is_missing"))
    rules = [e["meta"]["rule"] for e in expectations]
    if len(set(rules)) != len(rules) or any(SEPARATOR in r for r in rules):
        raise ValueError(f"{table.name}: rule texts must be unique and must not contain {SEPARATOR!r}")
    return {"name": table.name, "meta": {"source": SOURCE}, "expectations": expectations}


def _vocabulary_expectations(col: Column) -> list[dict[str, Any]]:
    """The allowed-values rule of a column: its value set, or the pattern its values match."""
    c = col.name
    found = []
    if col.allowed is not None:
        found.append(_expectation("expect_column_values_to_be_in_set", "row", f"{c} in {', '.join(col.allowed)}",
                                  column=c, value_set=list(col.allowed)))
    if col.pattern is not None:
        found.append(_expectation("expect_column_values_to_match_regex", "row", f"{c} matches {col.pattern}",
                                  column=c, regex=col.pattern))
    return found


class StaleSuiteError(RisicoError):
    """The suites were written for other vocabularies than the ones in ``params.yaml``."""


def check_vocabularies(suites: Mapping[str, Mapping[str, Any]], contract: Mapping[str, Table], *,
                       params: str = "params.yaml") -> None:
    """Stop when a suite checks a coded column of ``contract`` otherwise than its vocabulary says.

    Raises
    ------
    StaleSuiteError
        Naming the first such suite and column, and the command that writes the suites again.
    """
    kinds = {"expect_column_values_to_be_in_set", "expect_column_values_to_match_regex"}
    for name, table in contract.items():
        for col in table.columns:
            if col.vocabulary is None or name not in suites:
                continue
            found = [e for e in suites[name]["expectations"]
                     if e["type"] in kinds and e["kwargs"].get("column") == col.name]
            wanted = _vocabulary_expectations(col)
            if found != wanted:
                raise StaleSuiteError(STALE_VOCABULARY.format(table=name, column=col.name, params=params,
                                                              found=_rules_text(found), wanted=_rules_text(wanted)))


def _rules_text(expectations: list[dict[str, Any]]) -> str:
    return " and ".join(f"'{e['meta']['rule']}'" for e in expectations) or "no allowed-values rule"


def _dumps(suite: Mapping[str, Any]) -> str:
    return json.dumps(suite, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_suites(folder: Path, contract: Mapping[str, Table] = CONTRACT) -> None:
    """Write ``<folder>/<table>.json`` for every table of the contract."""
    folder = Path(folder)
    for name, table in contract.items():
        with atomic_file(folder / f"{name}.json") as tmp:
            tmp.write_text(_dumps(build_suite(table)), encoding="utf-8")


def load_suites(folder: Path) -> dict[str, dict[str, Any]]:
    """Every ``*.json`` suite in ``folder``, by suite name (sorted by file name)."""
    suites = {}
    for path in sorted(Path(folder).glob("*.json")):
        suite = json.loads(path.read_text(encoding="utf-8"))
        suites[suite["name"]] = suite
    return suites


# --------------------------------------------------------------------------------- row masks (no GX)


def _bool(values: Any) -> np.ndarray:
    """A boolean mask as a numpy array; missing (pd.NA) counts as False."""
    if isinstance(values, (pd.Series, pd.Index)):
        return values.to_numpy(dtype=bool, na_value=False)
    return np.asarray(values, dtype=bool)


def _not_null(frame: pd.DataFrame, kw: Mapping[str, Any], today: dt.date) -> np.ndarray:
    return _bool(frame[kw["column"]].isna())


def _in_set(frame: pd.DataFrame, kw: Mapping[str, Any], today: dt.date) -> np.ndarray:
    values = frame[kw["column"]]
    return _bool(values.notna()) & ~_bool(values.isin(kw["value_set"]))


def _regex(frame: pd.DataFrame, kw: Mapping[str, Any], today: dt.date) -> np.ndarray:
    values = frame[kw["column"]]     # GX's pandas rule: a regex *search* on the values as text
    return _bool(values.notna()) & ~_bool(values.astype("str").str.contains(kw["regex"], regex=True))


def _between(frame: pd.DataFrame, kw: Mapping[str, Any], today: dt.date) -> np.ndarray:
    values = frame[kw["column"]]
    bad = np.zeros(len(values), dtype=bool)
    if kw.get("min_value") is not None:
        bad |= _bool(values <= kw["min_value"]) if kw.get("strict_min") else _bool(values < kw["min_value"])
    if kw.get("max_value") is not None:
        bad |= _bool(values >= kw["max_value"]) if kw.get("strict_max") else _bool(values > kw["max_value"])
    return bad & _bool(values.notna())


def _unique(frame: pd.DataFrame, kw: Mapping[str, Any], today: dt.date) -> np.ndarray:
    values = frame[kw["column"]]
    return _bool(values.duplicated(keep=False)) & _bool(values.notna())


def _pair(frame: pd.DataFrame, kw: Mapping[str, Any], today: dt.date) -> np.ndarray:
    if kw.get("ignore_row_if") != "either_value_is_missing":
        raise ValueError("row_failures supports column pairs only with ignore_row_if='either_value_is_missing'")
    a, b = frame[kw["column_A"]], frame[kw["column_B"]]
    ok = _bool(a >= b) if kw.get("or_equal") else _bool(a > b)
    return _bool(a.notna()) & _bool(b.notna()) & ~ok


def _future(frame: pd.DataFrame, kw: Mapping[str, Any], today: dt.date) -> np.ndarray:
    values = frame[kw["column"]]
    tomorrow = pd.Timestamp(today) + pd.Timedelta(days=1)
    return _bool(values >= tomorrow) & _bool(values.notna())


_ROW_MASKS: dict[str, Callable[[pd.DataFrame, Mapping[str, Any], dt.date], np.ndarray]] = {
    "expect_column_values_to_not_be_null": _not_null,
    "expect_column_values_to_be_in_set": _in_set,
    "expect_column_values_to_match_regex": _regex,
    "expect_column_values_to_be_between": _between,
    "expect_column_values_to_be_unique": _unique,
    "expect_column_pair_values_a_to_be_greater_than_b": _pair,
    "risico_no_future_dates": _future,
}

# Expectations this module evaluates itself (GX cannot express them with a stable suite).
_RISICO_ONLY = {"risico_no_future_dates"}


def _columns_of(kwargs: Mapping[str, Any]) -> list[str]:
    return [kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs]


def row_failure_masks(frame: pd.DataFrame, suite: Mapping[str, Any], *,
                      today: dt.date) -> dict[str, np.ndarray]:
    """For each row-level expectation of ``suite``: its rule and the boolean mask of the rows that break it."""
    masks = {}
    for exp in suite["expectations"]:
        if exp["meta"]["level"] != "row":
            continue
        missing = [c for c in _columns_of(exp["kwargs"]) if c not in frame.columns]
        if missing:
            raise ValueError(f"{suite['name']}: column(s) {missing} missing; row-level rules need the "
                             "table-level expectations to pass first")
        try:
            fn = _ROW_MASKS[exp["type"]]
        except KeyError:
            raise ValueError(f"{suite['name']}: no row mask for expectation type {exp['type']!r}") from None
        masks[exp["meta"]["rule"]] = fn(frame, exp["kwargs"], today)
    return masks


def row_failures(frame: pd.DataFrame, suite: Mapping[str, Any], *, today: dt.date) -> pd.Series:
    """Per row: the rules of every row-level expectation it breaks, joined with ``"; "``; NaN if none.

    Evaluated in pandas, without GX, with GX's semantics: a missing value
    breaks only the not-null rule; for uniqueness, every row whose value occurs
    more than once fails. Needs the table-level expectations (columns, types)
    to hold.
    """
    masks = row_failure_masks(frame, suite, today=today)
    out = pd.Series(np.nan, index=frame.index, dtype="str", name="failed_rules")
    if not masks:
        return out
    any_bad = np.logical_or.reduce(list(masks.values()))
    positions = np.flatnonzero(any_bad)
    if len(positions) == 0:
        return out
    texts = np.full(len(positions), "", dtype=object)
    for rule, mask in masks.items():
        hit = mask[positions]
        if hit.any():
            texts[hit] = texts[hit] + (SEPARATOR + rule)
    out.iloc[positions] = [t[len(SEPARATOR):] for t in texts]
    return out


# --------------------------------------------------------------------------------------------- running


@dataclasses.dataclass(frozen=True)
class ExpectationOutcome:
    """The result of one expectation.

    ``unexpected_count`` counts rows for row-level expectations (0 for
    table-level ones). ``unexpected_examples`` holds up to five offending
    values (a pair expectation: ``(a, b)`` tuples); for a failed table-level
    expectation it holds what was found instead (the dtype, the row count, or
    the mismatched column positions). ``error`` is set when the expectation
    could not be evaluated at all (e.g. its column is missing); it then fails.
    """

    type: str
    column: str | None
    level: str
    rule: str
    success: bool
    unexpected_count: int
    unexpected_examples: tuple[Any, ...]
    error: str | None = None


@dataclasses.dataclass(frozen=True)
class SuiteResult:
    table: str
    results: tuple[ExpectationOutcome, ...]

    @property
    def success(self) -> bool:
        return all(r.success for r in self.results)

    def failed(self) -> tuple[ExpectationOutcome, ...]:
        return tuple(r for r in self.results if not r.success)


_GX: dict[str, Any] = {}


def _gx_batch_definition() -> Any:
    """The whole-DataFrame batch definition of the process's ephemeral GX context (created once)."""
    if "batch" not in _GX:
        import great_expectations as gx
        from great_expectations.data_context.types.base import (
            DataContextConfig,
            InMemoryStoreBackendDefaults,
            ProgressBarsConfig,
        )

        config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
                                   progress_bars=ProgressBarsConfig(globally=False), analytics_enabled=False)
        context = gx.get_context(mode="ephemeral", project_config=config)
        asset = context.data_sources.add_pandas("risico").add_dataframe_asset("frame")
        _GX["gx"] = gx
        _GX["context"] = context
        _GX["definitions"] = {}
        _GX["batch"] = asset.add_batch_definition_whole_dataframe("whole")
    return _GX["batch"]


def _gx_class_name(type_: str) -> str:
    return "".join(part.capitalize() for part in type_.split("_"))


def _plain(value: Any) -> Any:
    """GX's numpy scalars as plain Python values (datetimes as Timestamps, pairs as tuples)."""
    if isinstance(value, (list, tuple)):
        return tuple(_plain(v) for v in value)
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _exception_message(info: Any) -> str | None:
    if not info:
        return None
    if isinstance(info, Mapping) and "raised_exception" in info:
        return info.get("exception_message") if info["raised_exception"] else None
    if isinstance(info, Mapping):         # one entry per failed metric
        messages = [_exception_message(v) for v in info.values()]
        messages = [m for m in messages if m]
        return "; ".join(dict.fromkeys(messages)) or None
    return None


def _table_examples(type_: str, result: Mapping[str, Any]) -> tuple[Any, ...]:
    if type_ == "expect_table_columns_to_match_ordered_list":
        mismatched = (result.get("details") or {}).get("mismatched") or []
        return tuple(f"position {m['Expected Column Position']}: expected {m['Expected']}, found {m['Found']}"
                     for m in mismatched[:MAX_EXAMPLES])
    if "observed_value" in result:
        return (_plain(result["observed_value"]),)
    return ()


def _outcome(exp: Mapping[str, Any], success: bool, unexpected_count: int, examples: tuple[Any, ...],
             error: str | None = None) -> ExpectationOutcome:
    kw = exp["kwargs"]
    return ExpectationOutcome(type=exp["type"], column=kw.get("column", kw.get("column_A")),
                              level=exp["meta"]["level"], rule=exp["meta"]["rule"], success=bool(success),
                              unexpected_count=int(unexpected_count), unexpected_examples=examples, error=error)


def _risico_outcome(frame: pd.DataFrame, exp: Mapping[str, Any], today: dt.date) -> ExpectationOutcome:
    missing = [c for c in _columns_of(exp["kwargs"]) if c not in frame.columns]
    if missing:
        return _outcome(exp, False, 0, (), error=f"column(s) {missing} missing")
    try:
        mask = _ROW_MASKS[exp["type"]](frame, exp["kwargs"], today)
    except (TypeError, ValueError) as exc:   # a column of the wrong type: reported like GX reports a failed metric
        return _outcome(exp, False, 0, (), error=f"{type(exc).__name__}: {exc}")
    values = frame[exp["kwargs"]["column"]].to_numpy()[mask][:MAX_EXAMPLES]
    return _outcome(exp, not mask.any(), int(mask.sum()), tuple(_plain(v) for v in values))


def _validation_definition(suite: Mapping[str, Any]) -> Any:
    """The GX validation definition of ``suite``, added to the context once (again only if the suite changed)."""
    batch_definition = _gx_batch_definition()
    gx, context, cache = _GX["gx"], _GX["context"], _GX["definitions"]
    name, key = suite["name"], _dumps(suite)
    if name in cache and cache[name][0] == key:
        return cache[name][1]
    if name in cache:
        context.validation_definitions.delete(name)
        context.suites.delete(name)
    expectations = []
    for i, exp in enumerate(suite["expectations"]):
        if exp["type"] not in _RISICO_ONLY:
            cls = getattr(gx.expectations, _gx_class_name(exp["type"]))
            expectations.append(cls(**exp["kwargs"], meta={**exp["meta"], "risico_index": i}))
    gx_suite = context.suites.add(gx.ExpectationSuite(name=name, expectations=expectations))
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=name, data=batch_definition, suite=gx_suite))
    cache[name] = (key, definition)
    return definition


def run_suite(frame: pd.DataFrame, suite: Mapping[str, Any], *, today: dt.date) -> SuiteResult:
    """Validate ``frame`` against ``suite`` (GX, ephemeral context; ``risico_*`` rules in pandas).

    The outcomes follow the order of ``suite["expectations"]``.
    """
    outcomes: dict[int, ExpectationOutcome] = {}
    for i, exp in enumerate(suite["expectations"]):
        if exp["type"] in _RISICO_ONLY:
            outcomes[i] = _risico_outcome(frame, exp, today)
    if len(outcomes) < len(suite["expectations"]):
        validation = _validation_definition(suite).run(batch_parameters={"dataframe": frame},
                                                       result_format="SUMMARY")
        for res in validation.results:
            i = int(res.expectation_config.meta["risico_index"])
            exp = suite["expectations"][i]
            result = res.result or {}
            error = _exception_message(res.exception_info)
            if exp["meta"]["level"] == "row" or "partial_unexpected_list" in result:
                examples = tuple(_plain(v) for v in (result.get("partial_unexpected_list") or [])[:MAX_EXAMPLES])
            else:
                examples = () if res.success else _table_examples(exp["type"], result)
            outcomes[i] = _outcome(exp, res.success and error is None, result.get("unexpected_count") or 0,
                                   examples, error)
    missing = set(range(len(suite["expectations"]))) - set(outcomes)
    if missing:
        raise RuntimeError(f"{suite['name']}: GX returned no result for expectations {sorted(missing)}")
    return SuiteResult(table=suite["name"], results=tuple(outcomes[i] for i in range(len(outcomes))))


def run_suites(frames: Mapping[str, pd.DataFrame], suites: Mapping[str, Mapping[str, Any]], *,
               today: dt.date) -> dict[str, SuiteResult]:
    """:func:`run_suite` for every suite (each needs a frame of the same name)."""
    return {name: run_suite(frames[name], suite, today=today) for name, suite in suites.items()}


if __name__ == "__main__":     # python -m risico.validate.suites expectations (the default vocabularies)
    write_suites(Path(sys.argv[1] if len(sys.argv) > 1 else "expectations"))
