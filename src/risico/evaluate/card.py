"""The model card, as Markdown and as a self-contained HTML page, from one list of sections."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from risico.htmlpage import esc, page, table
from risico.texts import Language
from risico.texts.model import own_key, text

__all__ = ["Section", "card_sections", "to_markdown", "to_html"]


@dataclasses.dataclass(frozen=True)
class Section:
    title: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[pd.DataFrame, ...] = ()
    figures: tuple[Path, ...] = ()


def card_sections(result: Mapping, splits: Mapping, training: Mapping, importance: pd.DataFrame,
                  figures: Sequence[Path], *, language: Language, feature_groups: Mapping[str, str],
                  protected: Sequence[str], dates: Mapping[str, str], target: str = "applications") -> list[Section]:
    lang = language

    def t(key: str, **kw: object) -> str:
        """The text of ``key``, or of ``key.<target>`` where the target has its own wording."""
        return text(own_key(key, target), lang, **kw)

    data = t("card.data_text", validation_start=dates["validation_start"], test_start=dates["test_start"],
             source=t(f"card.source.{training['label_source']}"), fit_rows=f"{training['fit_rows']:,}",
             positive_rate=f"{100 * training['fit_positive_rate']:.1f}%", ipw=t("yes" if training["ipw"] else "no"))
    features = [t("card.features_text", n=len(feature_groups), groups=len(set(feature_groups.values())),
                  protected=", ".join(protected))]
    if training.get("age_justification"):
        features.append(t("card.age_justification", text=training["age_justification"]))
    performance = [t("card.performance_text", capacity=result["capacity_per_month"])]
    if "vs_oracle" in result:
        performance.append(t("card.vs_oracle", model=result["selected"],
                             auc_ratio=_pct(result["vs_oracle"]["roc_auc_ratio"]),
                             precision_ratio=_pct(result["vs_oracle"]["precision_at_capacity_ratio"])))
    gap = _ipw_gap(result, training, lang)
    if gap:
        performance.append(gap)
    if training.get("unusable"):
        performance.append(t("card.unusable", names=", ".join(sorted(training["unusable"]))))
    return [
        Section(t("card.use"), (t("card.use_text"),)),
        Section(t("card.data"), (data, t("card.bias"))),
        Section(t("card.features"), tuple(features), (_features_table(feature_groups, lang),)),
        Section(t("card.performance"), tuple(performance), (_performance_table(result, lang),)),
        Section(t("card.per_split"), (), (_split_table(splits, lang),)),
        Section(t("card.explanations"), (t("card.explanations_text"),), (importance.head(15),), tuple(figures)),
        Section(t("card.limits"), (t("card.limits_text"),)),
    ]


def _ipw_gap(result: Mapping, training: Mapping, lang: Language) -> str:
    """Does inverse-probability weighting shrink the gap between observed-label and true ROC AUC?"""
    other = training.get("ipw_comparison")
    if "oracle" not in result or other not in result["families"]:
        return ""
    selected = result["families"][result["selected"]]
    variant = result["families"][other]
    weighted, unweighted = (selected, variant) if training["ipw"] else (variant, selected)
    gap = {name: m["observed"]["roc_auc"] - m["truth"]["roc_auc"] for name, m in
           (("weighted", weighted), ("unweighted", unweighted))}
    shrinks = abs(gap["weighted"]) < abs(gap["unweighted"])
    return text("card.ipw_gap", lang, unweighted=_num(gap["unweighted"]), weighted=_num(gap["weighted"]),
                auc_unweighted=_num(unweighted["truth"]["roc_auc"]), auc_weighted=_num(weighted["truth"]["roc_auc"]),
                verdict=text("card.ipw_shrinks" if shrinks else "card.ipw_does_not_shrink", lang))


def _features_table(groups: Mapping[str, str], lang: Language) -> pd.DataFrame:
    return pd.DataFrame({text("col.feature", lang): list(groups), text("col.group", lang): list(groups.values())})


def _performance_table(result: Mapping, lang: Language) -> pd.DataFrame:
    rows = []
    models = {**result["families"], **({"oracle": result["oracle"]} if "oracle" in result else {})}
    for model, targets in models.items():
        for metric in ("roc_auc", "pr_auc", "brier", "precision_at_capacity", "recall_at_capacity"):
            observed = targets["observed"][metric]
            truth = targets.get("truth", {}).get(metric, np.nan)
            rows.append([model, metric, _num(observed), _num(truth)])
    return pd.DataFrame(rows, columns=[text(k, lang) for k in ("col.model", "col.metric", "col.observed", "col.truth")])


def _split_table(splits: Mapping, lang: Language) -> pd.DataFrame:
    rows = []
    for split, targets in splits.items():
        for target, metrics in targets.items():
            rows.append([split, text("col.observed" if target == "observed" else "col.truth", lang),
                         f"{metrics['n']:,}", _num(metrics["roc_auc"]), _num(metrics["base_rate"])])
    return pd.DataFrame(rows, columns=[text("col.split", lang), "", "n", "ROC AUC", "base rate"])


def _num(value: float) -> str:
    return "-" if not np.isfinite(value) else f"{value:.3f}"


def _pct(value: float) -> str:
    return "-" if not np.isfinite(value) else f"{100 * value:.0f}%"


def to_markdown(title: str, sections: Sequence[Section], figure_base: Path) -> str:
    lines = [f"# {title}", ""]
    for section in sections:
        lines += [f"## {section.title}", ""]
        for paragraph in section.paragraphs:
            lines += [paragraph, ""]
        for frame in section.tables:
            lines += [_md_table(frame), ""]
        for figure in section.figures:
            lines += [f"![{figure.stem}]({figure.relative_to(figure_base).as_posix()})", ""]
    return "\n".join(lines)


def _md_table(frame: pd.DataFrame) -> str:
    head = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    body = ["| " + " | ".join(_cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def _cell(value: object) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def to_html(title: str, sections: Sequence[Section], language: Language) -> str:
    """Self-contained: figures are embedded as data URIs."""
    parts = []
    for section in sections:
        parts.append(f"<h2>{esc(section.title)}</h2>")
        parts += [f"<p>{esc(p)}</p>" for p in section.paragraphs]
        for frame in section.tables:
            parts.append(table([str(c) for c in frame.columns],
                               [[esc(_cell(v)) for v in row] for row in frame.itertuples(index=False)],
                               text_columns=(0, 1)))
        for figure in section.figures:
            data = base64.b64encode(figure.read_bytes()).decode("ascii")
            parts.append(f"<figure><img alt='{esc(figure.stem)}' style='max-width:100%' "
                         f"src='data:image/png;base64,{data}'></figure>")
    return page(title, language, parts)
