"""The ethics committee's report: one self-contained, printable HTML page, Dutch by default.

The first screen is the summary a non-specialist reads in five minutes: the
verdict (never "fair"), the few numbers that matter, and the dilemmas as
questions. Then the detail: tables with intervals, the funnel, proxies,
trade-offs, feedback, clusters, periods, and the method and its limits.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from risico.audit.run import summary_numbers
from risico.audit.verdict import DISPARITY_VERDICTS
from risico.htmlpage import esc, page, table
from risico.texts import Language
from risico.texts.audit import own_key, text

__all__ = ["render_report", "stage_sections", "table_sections"]


def _pct(value: Any) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _n(value: Any, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def render_report(result: Mapping, *, language: Language, figures: Sequence[Path] = (),
                  extra_sections: Sequence[tuple[str, str]] = (), target: str = "applications") -> str:
    """``extra_sections``: (title, trusted HTML) pairs from the pipeline stage (proxies, trade-offs, ...).

    ``target`` picks the title and method text of the unit of analysis (``applications`` or ``providers``).
    """
    lang = language
    t = lambda key, **kw: text(key, lang, **kw)  # noqa: E731
    p = result["params"]
    verdict = result["verdict"]
    numbers = summary_numbers(result)
    parts = [
        f"<h2>{esc(t('audit.summary'))}</h2>",
        f"<p class='banner {'fail' if verdict == 'not_ready' else 'pass'}'><strong>"
        f"{esc(t('audit.verdict.' + verdict))}</strong><br>{esc(t('audit.verdict_note'))}</p>",
        f"<h3>{esc(t('audit.key_numbers'))}</h3>",
        table(["", ""], [[esc("n"), f"{numbers['n']:,}"], [esc("selected"), f"{numbers['selected']:,}"],
                         [esc("precision"), _pct(numbers["precision"])]]),
    ]
    if numbers["worst"]:
        parts.append(table([t("col.attribute"), t("col.group"), "ref", t("col.metric"), "ratio", "95%", "verdict"],
                           [[esc(d["attribute"]), esc(d["group"]), esc(d["reference"]), esc(d["metric"]),
                             _n(d["ratio"]), f"{_n(d['ci'][0])}-{_n(d['ci'][1])}",
                             f"<span class='{'fail' if d['verdict'] == 'fail' else ''}'>{esc(d['verdict'])}</span>"]
                            for d in numbers["worst"]], text_columns=(0, 1, 2, 3, 6)))
    parts.append(f"<h3>{esc(t('audit.dilemmas'))}</h3>")
    if result["dilemmas"]:
        parts.append("<ol>" + "".join(f"<li><strong>{esc(d['title'])}</strong><br>{esc(d['text'])}</li>"
                                      for d in result["dilemmas"]) + "</ol>")
    else:
        parts.append(f"<p>{esc(t('validation.none'))}</p>")
    parts.append(f"<h2 style='page-break-before:always'>{esc(t('audit.detail'))}</h2>")
    parts += [f"<h3>{esc(t('audit.groups'))}</h3>", _groups_html(result, lang)]
    parts += [f"<h3>{esc(t('audit.disparities'))}</h3>", _disparities_html(result, lang)]
    parts += [f"<h3>{esc(t('audit.funnel'))}</h3>", _funnel_html(result, lang)]
    for title, body in extra_sections:
        parts += [f"<h3>{esc(title)}</h3>", body]
    for figure in figures:
        data = base64.b64encode(Path(figure).read_bytes()).decode("ascii")
        parts.append(f"<figure><img alt='{esc(Path(figure).stem)}' style='max-width:100%' "
                     f"src='data:image/png;base64,{data}'></figure>")
    method = t(own_key("audit.method_text", target), k=_k(result["selection"]), n_boot=p["n_boot"],
               correction=p["correction"], low=p["tolerance"][0], high=p["tolerance"][1], min_size=p["min_group_size"])
    parts += [f"<h3>{esc(t('audit.method'))}</h3>", f"<p>{esc(method)}</p>"]
    return page(t(own_key("audit.title", target)), lang, parts)


def _k(selection: Mapping) -> int:
    """The cut-off named in the method text: the capacity per period, the top k, or the number selected."""
    return selection.get("capacity_per_period") or selection["top_k"] or selection["selected"]


def _groups_html(result: Mapping, lang: Language) -> str:
    metrics = [m for m in ("selection_rate", "fpr", "fnr", "ppv", "fp_burden", "auc")
               if any(m in g for g in result["groups"] if not g["suppressed"])]
    rows = []
    for g in result["groups"]:
        if g["suppressed"]:
            note = text("audit.suppressed", lang, min_size=result["params"]["min_group_size"])
            rows.append([esc(g["attribute"]), esc(g["group"]), esc(note)] + [""] * len(metrics))
            continue
        cells = [esc(g["attribute"]), esc(g["group"]), f"{g['n']:,}"]
        for m in metrics:
            lo, hi = g["ci"][m]
            value = g[m]
            fmt = (lambda v: _n(v, 1)) if m == "fp_burden" else (lambda v: _n(v, 3))
            cells.append("-" if value is None else f"{fmt(value)} <small>({fmt(lo)}-{fmt(hi)})</small>")
        rows.append(cells)
    return table([text("col.attribute", lang), text("col.group", lang), "n", *metrics], rows, text_columns=(0, 1))


def _disparities_html(result: Mapping, lang: Language) -> str:
    order = {verdict: i for i, verdict in enumerate(DISPARITY_VERDICTS)}
    rows = sorted((d for d in result["disparities"] if not d.get("suppressed")),
                  key=lambda d: (order.get(d["verdict"], 4), d["attribute"], d["group"], d["metric"]))
    return table([text("col.attribute", lang), text("col.group", lang), "ref", text("col.metric", lang), "ratio",
                  "95%", text("col.difference", lang), "95%", "verdict"],
                 [[esc(d["attribute"]), esc(d["group"]), esc(d["reference"]), esc(d["metric"]), _n(d["ratio"]),
                   f"{_n(d['ci'][0])}-{_n(d['ci'][1])}", _n(d.get("difference"), 3),
                   _interval(d.get("difference_ci")), f"<span class='{'fail' if d['verdict'] == 'fail' else ''}'>"
                   f"{esc(d['verdict'])}{_basis(d, lang)}</span>"]
                  for d in rows[:60]], text_columns=(0, 1, 2, 3, 8))


def _interval(pair: list | None) -> str:
    lo, hi = pair or (None, None)
    return f"[{_n(lo, 3)}, {_n(hi, 3)}]" if lo is not None and hi is not None else "-"


def _basis(disparity: Mapping, lang: Language) -> str:
    """A note when the verdict was taken on the difference (the ratio undefined or resting on few events)."""
    return f" <small>({esc(text('audit.on_difference', lang))})</small>" if disparity.get("basis") == "difference" \
        else ""


def _funnel_html(result: Mapping, lang: Language) -> str:
    parts = []
    for attribute, entry in result["funnel"].items():
        parts.append(f"<h4>{esc(attribute)}</h4>")
        rows = []
        for r in entry["stages"]:
            if r["suppressed"]:
                rows.append([esc(r["group"]), esc(text("audit.suppressed", lang,
                                                       min_size=result["params"]["min_group_size"])), "", ""])
            else:
                rows.append([esc(r["group"]), _pct(r["population_share"]), _pct(r.get("selected_share")),
                             _pct(r.get("found_share"))])
        parts.append(table([text("col.group", lang), "population", "selected", "found"], rows))
        routes = entry.get("routes")
        if routes and routes.get("available"):
            hr = routes["hit_rates"]
            parts.append(f"<p>{esc(text('audit.routes', lang))}: random {_pct(hr['random']['hit_rate'])} "
                         f"(n={hr['random']['n']:,}), risk {_pct(hr['risk_selected']['hit_rate'])} "
                         f"(n={hr['risk_selected']['n']:,})</p>")
            parts.append(table([text("col.group", lang), "random", "risk", ""],
                               [[esc(g["group"]), _pct(g["share_random"]), _pct(g["share_risk_selected"]),
                                 "over" if g["over_selected"] else ("under" if g["under_selected"] else "")]
                                for g in routes["groups"] if not g.get("suppressed")]))
        if entry.get("truth_gap"):
            parts.append(f"<p>{esc(text('audit.truth_gap', lang))}</p>")
            parts.append(table([text("col.group", lang), text("col.observed", lang), text("col.truth", lang),
                                text("col.gap", lang)],
                               [[esc(r["group"]), _pct(r["observed_rate"]), _pct(r["true_rate"]), _pct(r["gap"])]
                                for r in entry["truth_gap"] if not r["suppressed"]]))
    return "".join(parts)



# --------------------------------------------------------------------------- the pipeline stage's sections


def stage_sections(result: Mapping, extra: Mapping, not_done: Mapping[str, str], language: Language,
                   networks: Sequence[tuple[str, Any, Path]] | None = None) -> list[tuple[str, str]]:
    """The pipeline audit's sections beside the table audit's: periods, history, proxies, trade-offs, feedback,
    clusters, (providers) the networks of the top of the list, and the parts not done with the reason."""
    sections = [(text("audit.stages", language), _stages_html(result["stages"])),
                (text("audit.history", language), _history_html(result["history"]))]
    if extra.get("proxies"):
        sections.append((text("audit.proxies", language), _records_html(extra["proxies"][:15])
                         + _records_html(extra.get("joint_proxies", []))
                         + _records_html(result.get("data_proxies", [])[:10])))
    if extra.get("tradeoffs"):
        sections.append((text("audit.tradeoffs", language), _records_html(extra["tradeoffs"])))
    if extra.get("feedback"):
        sections.append((text("audit.feedback", language), _records_html(extra["feedback"])))
    if extra.get("clusters"):
        sections.append((text("audit.clusters", language), _records_html(extra["clusters"][:8])))
    if networks is not None:
        sections.append((text("audit.network", language), _network_html(networks, language)))
    if not_done:
        sections.append((text("audit.skipped", language),
                         "<ul>" + "".join(f"<li><strong>{esc(k)}</strong>: {esc(v)}</li>"
                                          for k, v in not_done.items()) + "</ul>"))
    return sections


def _network_html(networks: Sequence[tuple[str, Any, Path]], language: Language) -> str:
    """A table and the star figure per provider of :func:`risico.audit.providers.top_networks`."""
    from risico.audit.providers import NETWORK_SHOWN
    from risico.network import relation_labels

    labels = relation_labels(language)
    parts = [f"<p>{esc(text('audit.network_text', language, n=NETWORK_SHOWN))}</p>"]
    for provider, career, figure in networks:
        rows = [[esc(labels[r.relation]), esc(r.provider_id), esc(r.director_id), esc(r.location_address_id),
                 esc(f"{r.registered:%Y-%m-%d}"), esc(f"{r.ended:%Y-%m-%d}" if pd.notna(r.ended) else ""),
                 esc(r.end_reason if isinstance(r.end_reason, str) else "")] for r in career.itertuples()]
        parts.append(f"<h4>{esc(provider)}</h4>" + table(
            [text(f"network.col.{c}", language) for c in ("relation", "linked", "director", "address",
                                                           "registered", "ended", "end_reason")], rows,
            text_columns=(0, 1, 2, 3, 4, 5, 6)) + f"<img src='{figure.name}' alt='{esc(provider)}' width='360'>")
    if not networks:
        parts.append(f"<p>{esc(text('audit.network_none', language))}</p>")
    return "".join(parts)


def _history_html(funnel: Mapping[str, list]) -> str:
    """Per attribute: investigated, hit and (synthetic) true violation rates, and investigated without violation."""
    rows = []
    for attribute, entries in funnel.items():
        for r in entries:
            if r["suppressed"]:
                continue
            rows.append([esc(attribute), esc(r["group"]), f"{r['n']:,}", _pct(r["investigated_rate"]),
                         _pct(r.get("hit_rate")), _pct(r.get("true_rate")),
                         _pct(r.get("no_violation_investigated_rate"))])
    return table(["attribute", "group", "n", "investigated", "hit rate", "true violation",
                  "investigated | no violation"], rows, text_columns=(0, 1))


def _stages_html(stages: Mapping[str, list]) -> str:
    rows = [[esc(split), esc(d["attribute"]), esc(d["group"]), esc(d["metric"]), f"{d['ratio']:.2f}",
             esc(d["verdict"])] for split, items in stages.items() for d in items[:12] if d.get("ratio") is not None]
    return table(["period", "attribute", "group", "metric", "ratio", "verdict"], rows, text_columns=(0, 1, 2, 3, 5))


def _records_html(records: list[dict]) -> str:
    if not records:
        return "<p>-</p>"
    columns = list(records[0])[:9]
    return table(columns, [[esc(_short(r.get(c))) for c in columns] for r in records], text_columns=(0, 1, 2))


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)[:60]


# --------------------------------------------------------------------------- audit-scores' own sections


def table_sections(result: Mapping, language: Language) -> list[tuple[str, str]]:
    """``audit-scores``' sections beside the table audit's: identical duplicate columns, the measures missing
    without outcomes with the score distributions, the stages with their alarms, and the proxies."""
    t = lambda key, **kw: text(key, language, **kw)  # noqa: E731
    sections = []
    if result.get("duplicates"):
        notes = [t("audit.duplicates", column=d["column"], count=len(d["positions"]),
                   positions=", ".join(map(str, d["positions"])), used=d["used"]) for d in result["duplicates"]]
        sections.append((t("audit.input"), "<ul>" + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>"))
    if result.get("missing_measures"):
        sections.append((t("audit.missing_measures"), "<p>" + esc(t(
            "audit.missing_measures_text", measures=", ".join(result["missing_measures"]))) + "</p>"))
        sections.append((t("audit.score_distribution"), _distribution_html(result["groups"], language)))
    if "stages" in result:
        sections.append((t("audit.stage_comparison"), _stage_comparison_html(result, language)))
    if "proxies" in result:
        sections.append((t("audit.proxies"), _records_html(result["proxies"][:15])
                         + _records_html(result.get("joint_proxies", []))))
    return sections


def _distribution_html(groups: Sequence[Mapping], language: Language) -> str:
    rows = [[esc(g["attribute"]), esc(g["group"]), f"{g['n']:,}",
             f"{_n(g['score_mean'], 3)} <small>({_n(g['ci']['score_mean'][0], 3)}-{_n(g['ci']['score_mean'][1], 3)})"
             "</small>", *(_n(g["score_quantiles"][q], 3) for q in ("p10", "p50", "p90"))]
            for g in groups if not g["suppressed"]]
    return table([text("col.attribute", language), text("col.group", language), "n", "mean (95%)", "p10", "p50",
                  "p90"], rows, text_columns=(0, 1))


def _stage_comparison_html(result: Mapping, language: Language) -> str:
    counts = table(["stage", "n"], [[esc(s["stage"]), f"{s['n']:,}"] for s in result["stages"]], text_columns=(0,))
    rows = [[esc(a["attribute"]), esc(a["group"]), esc(a["reference"]), esc(a["metric"]),
             f"{esc(a['from_stage'])}: {_n(a['from_ratio'])} ({_n(a['from_ci'][0])}-{_n(a['from_ci'][1])})",
             f"{esc(a['to_stage'])}: {_n(a['to_ratio'])} ({_n(a['to_ci'][0])}-{_n(a['to_ci'][1])})",
             esc(a["evidence"])] for a in sorted(result["alarms"], key=lambda a: a["evidence"] != "strong")[:40]]
    if not rows:
        return counts + f"<p>{esc(text('audit.stage_no_alarms', language))}</p>"
    shown = f" ({len(rows)} / {len(result['alarms'])})" if len(rows) < len(result["alarms"]) else ""
    return counts + f"<p>{esc(text('audit.stage_alarms', language))}{shown}</p>" + table(
        [text("col.attribute", language), text("col.group", language), "ref", text("col.metric", language), "from",
         "to", "evidence"], rows, text_columns=(0, 1, 2, 3, 4, 5, 6))
