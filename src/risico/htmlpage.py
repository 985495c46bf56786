"""Minimal self-contained HTML pages (no external assets) for the reports people open."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

__all__ = ["page", "table", "esc"]

CSS = ("body{font-family:system-ui,sans-serif;max-width:64rem;margin:2rem auto;padding:0 1rem;color:#222}"
       "table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border:1px solid #ccc;padding:.25rem .6rem;"
       "text-align:right;vertical-align:top}th:first-child,td:first-child{text-align:left}"
       "td.text{text-align:left}.fail{color:#a40000;font-weight:600}.pass{color:#1a6b1a}"
       ".banner{padding:.6rem 1rem;border-radius:.3rem;background:#eef5ee}.banner.fail{background:#fbeaea}"
       "footer{margin-top:2rem;color:#666;font-size:.9em}@media print{body{margin:0}}")


def esc(value: object) -> str:
    return html.escape(str(value))


def page(title: str, language: str, body: Iterable[str], footer: str = "") -> str:
    """A complete page; ``body`` parts are trusted HTML (escape values with :func:`esc` first)."""
    foot = f"<footer>{esc(footer)}</footer>" if footer else ""
    return (f"<!doctype html><html lang='{esc(language)}'><head><meta charset='utf-8'><title>{esc(title)}</title>"
            f"<style>{CSS}</style></head><body><h1>{esc(title)}</h1>{''.join(body)}{foot}</body></html>\n")


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], text_columns: Sequence[int] = (0,)) -> str:
    """A table from already formatted cells; headers are escaped here, cells must be escaped by the caller."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers) if any(headers) else ""
    body = []
    for row in rows:
        cells = "".join(f"<td class='text'>{c}</td>" if i in text_columns else f"<td>{c}</td>"
                        for i, c in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    head_row = f"<tr>{head}</tr>" if head else ""
    return f"<table>{head_row}{''.join(body)}</table>"
