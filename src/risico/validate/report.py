"""The validation report (Data Docs): one HTML page for the analyst and a short JSON summary for machines."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from risico.htmlpage import esc, page, table
from risico.texts import Language
from risico.texts.validation import text

__all__ = ["summary", "render"]


def summary(counts: Mapping[str, Mapping[str, int]], suite_results: Mapping[str, Any] | None,
            drift: pd.DataFrame | None, error: str | None, drift_warn_psi: float) -> dict[str, Any]:
    """The machine-readable summary (also the source of the metrics)."""
    failed = []
    for name, result in (suite_results or {}).items():
        failed += [{"table": name, "rule": o.rule, "level": o.level, "unexpected": o.unexpected_count}
                   for o in result.results if not o.success]
    drifting = [] if drift is None else drift[drift["psi"] > drift_warn_psi]
    return {
        "passed": error is None,
        "error": error,
        "tables": {name: dict(c) for name, c in counts.items()},
        "rows_quarantined": int(sum(c.get("quarantined", 0) for c in counts.values())),
        "failed_rules": failed,
        "drift_warnings": [] if drift is None else [
            {"table": r.table, "column": r.column, "psi": round(float(r.psi), 4)} for r in drifting.itertuples()],
    }


def render(result: Mapping[str, Any], suite_results: Mapping[str, Any] | None, manifest: Mapping[str, Any] | None,
           drift: pd.DataFrame | None, quarantine: Mapping[str, pd.DataFrame] | None, *, language: Language,
           reference: str, drift_warn_psi: float) -> str:
    lang = language
    ok = result["passed"]
    parts = [f"<p>{esc(text('validation.intro', lang))}</p>",
             f"<p class='banner {'pass' if ok else 'fail'}'>"
             f"{esc(text('validation.passed' if ok else 'validation.stopped', lang))}"
             f"{'' if ok else '<br>' + esc(result['error'])}</p>"]
    if result["tables"]:
        parts += [f"<h2>{esc(text('validation.summary', lang))}</h2>",
                  table([text(k, lang) for k in ("col.table", "col.rows", "col.accepted", "col.quarantined")],
                        [[esc(name), _n(c["rows"]), _n(c["accepted"]), _n(c["quarantined"])]
                         for name, c in result["tables"].items()])]
    if manifest:
        parts += [f"<h2>{esc(text('validation.source', lang))}</h2><p>{esc(manifest.get('folder', ''))}</p>",
                  table([text(k, lang)
                         for k in ("col.table", "col.rows", "col.encoding", "col.separator", "col.warnings")],
                        [[esc(name), _n(t["rows"]), esc(t["encoding"]), esc(t["separator"] or "-"),
                          esc("; ".join(t["warnings"]) or "-")] for name, t in manifest["tables"].items()],
                        text_columns=(0, 2, 3, 4))]
    if quarantine:
        rows = []
        for name, frame in quarantine.items():
            if len(frame):
                reasons = frame["reason"].str.split("; ").explode().value_counts()
                rows += [[esc(name), esc(reason), _n(count)] for reason, count in reasons.items()]
        parts += [f"<h2>{esc(text('validation.quarantine', lang))}</h2>",
                  table([text(k, lang) for k in ("col.table", "col.reason", "col.rows")], rows, text_columns=(0, 1))
                  if rows else f"<p>{esc(text('validation.none', lang))}</p>"]
    if suite_results:
        parts.append(f"<h2>{esc(text('validation.rules', lang))}</h2>")
        for name, res in suite_results.items():
            parts.append(f"<h3>{esc(name)}</h3>")
            parts.append(table(
                [text(k, lang) for k in ("col.rule", "col.level", "col.result", "col.unexpected", "col.examples")],
                [[esc(o.rule), esc(o.level),
                  f"<span class='{'pass' if o.success else 'fail'}'>"
                  f"{esc(text('result.pass' if o.success else 'result.fail', lang))}</span>",
                  _n(o.unexpected_count), esc(", ".join(str(e) for e in o.unexpected_examples[:5]))]
                 for o in res.results], text_columns=(0, 1, 2, 4)))
    if drift is not None:
        parts += [f"<h2>{esc(text('validation.drift', lang))}</h2>",
                  f"<p>{esc(text('validation.drift_note', lang, reference=reference, limit=drift_warn_psi))}</p>",
                  table([text(k, lang) for k in ("col.table", "col.column", "col.psi")],
                        [[esc(r.table), esc(r.column),
                          f"<span class='{'fail' if r.psi > drift_warn_psi else ''}'>{r.psi:.3f}</span>"]
                         for r in drift.head(20).itertuples()], text_columns=(0, 1))]
    return page(text("validation.title", lang), lang, parts)


def _n(value: int) -> str:
    return f"{int(value):,}".replace(",", ".")
