"""The inspector's files: ``worklist.xlsx`` and ``worklist.csv``, guarded against formula injection.

Both files carry the same header lines above the table (the title, that a
selection is never proof, the approving decision, a demo watermark when the
decision is a demo). In the CSV these lines start with ``#``; the table
itself is ``;``-separated UTF-8 with a BOM, as Dutch Excel expects.

Formula injection (CSV injection)
---------------------------------
Every text cell (and the header lines) is guarded by :mod:`risico.tables`,
the one guard of every CSV and XLSX risico writes: a text that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
apostrophe; numbers are written as numbers and are not touched.

Determinism
-----------
An ``.xlsx`` file is a zip archive with timestamps inside. The document
properties are set to the list's date and every zip entry gets the same fixed
time, so the same list gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from risico import tables
from risico.tables import FORMULA_STARTS, guard_cells, neutralise

__all__ = ["FORMULA_STARTS", "neutralise", "write_csv", "write_xlsx"]

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_WIDTHS = {"narrow": 10, "medium": 16, "wide": 48}


def write_csv(table: pd.DataFrame, header_lines: Sequence[str], path: Path) -> None:
    """``#`` header lines, then the table with ``;`` as separator (UTF-8 with BOM); text cells neutralised."""
    tables.write_csv(table, path, sep=";", encoding="utf-8-sig", comments=header_lines)


def write_xlsx(table: pd.DataFrame, header_lines: Sequence[str], path: Path, *, sheet: str, date: dt.date,
               widths: Sequence[str], choices: dict[str, Sequence[str]] | None = None, warning: bool = False,
               extra: tuple[str, pd.DataFrame] | None = None) -> None:
    """One sheet: the header lines, an empty row, then the table with a frozen header row and filters.

    Parameters
    ----------
    widths : one of ``narrow``, ``medium``, ``wide`` per column.
    choices : column name -> the values a drop-down in that (empty) column offers.
    warning : show the first header line in bold red (the demo watermark).
    extra : (sheet name, table) of a second sheet, with a frozen header row and filters.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    ws = book.active
    ws.title = sheet[:31]
    for row, line in enumerate(header_lines, start=1):
        cell = ws.cell(row=row, column=1, value=neutralise(line))
        cell.data_type = "s"
        cell.font = Font(bold=True, color="C00000", size=14) if (warning and row == 1) else Font(bold=row == 1)
    top = len(header_lines) + 2
    guarded = _write_table(ws, table, top, [_WIDTHS[w] for w in widths], wrap=True, skip_empty=False)
    last = top + len(guarded)
    for name, values in (choices or {}).items():
        col = get_column_letter(list(guarded.columns).index(name) + 1)
        listed = ",".join(values)
        check = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True)
        ws.add_data_validation(check)
        check.add(f"{col}{top + 1}:{col}{max(last, top + 1)}")
    if extra is not None:
        _second_sheet(book, *extra)
    moment = dt.datetime.combine(date, dt.time())
    book.properties.created = book.properties.modified = moment
    book.properties.creator = "risico"
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(_fixed_times(buffer.getvalue(), moment))


def _second_sheet(book: Any, name: str, table: pd.DataFrame) -> None:
    _write_table(book.create_sheet(name[:31]), table, 1, [18] * len(table.columns), wrap=False, skip_empty=True)


def _write_table(ws: Any, table: pd.DataFrame, top: int, widths: Sequence[int], *, wrap: bool,
                 skip_empty: bool) -> pd.DataFrame:
    """``table`` (neutralised) with its header in row ``top``, the rows below, a frozen header and filters.

    Text cells are stored as text (never as formulas); ``wrap`` wraps them, ``skip_empty`` leaves empty texts
    out. Returns the neutralised table.
    """
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    guarded = guard_cells(table)
    for col, name in enumerate(guarded.columns, start=1):
        ws.cell(row=top, column=col, value=neutralise(str(name))).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(col)].width = widths[col - 1]
    for r, values in enumerate(guarded.itertuples(index=False), start=top + 1):
        for col, value in enumerate(values, start=1):
            if value is None or (isinstance(value, float) and pd.isna(value)) or (skip_empty and value == ""):
                continue
            cell = ws.cell(row=r, column=col, value=value.item() if hasattr(value, "item") else value)
            if isinstance(value, str):
                cell.data_type = "s"
                if wrap:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = ws.cell(row=top + 1, column=1)
    ws.auto_filter.ref = f"A{top}:{get_column_letter(max(len(guarded.columns), 1))}{max(top + len(guarded), top)}"
    return guarded


def _fixed_times(data: bytes, moment: dt.datetime) -> bytes:
    """The same archive with every entry dated ``_ZIP_TIME`` and the document's "modified" time set to ``moment``
    (openpyxl stamps the time of saving there), so identical content gives identical bytes."""
    stamp = f"{moment:%Y-%m-%dT%H:%M:%SZ}".encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                                 rb"\g<1>" + stamp + rb"\g<2>", content)
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, content)
    return out.getvalue()
