"""The one guarded writer of the CSV tables risico writes, and the cell guard its XLSX writer uses.

Formula injection (CSV injection)
---------------------------------
A spreadsheet treats a cell that starts with ``=``, ``+``, ``-`` or ``@``
(and, in some programs, a tab or carriage return) as a formula. A hostile
value in an input (a group named ``=cmd|' /C calc'!A0``, a case id
``=HYPERLINK(...)``) would then run in the spreadsheet of whoever opens the
file. Every *text* cell that starts with one of these characters, and every
column name that does, is written with a leading apostrophe, the
neutralisation OWASP recommends. Numbers are numbers: a negative number is
written as it is, never guarded.

Every CSV risico writes goes through :func:`write_csv` (worklists,
``by_group.csv``, the world's group table, the evaluation and calibration
tables, the Dutch-style exports); the worklist's XLSX writer
(:mod:`risico.governance.sheets`) guards its cells with :func:`neutralise`
and :func:`guard_cells`. Data without such texts is written byte for byte as
``pandas.DataFrame.to_csv`` would write it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["FORMULA_STARTS", "neutralise", "guard_cells", "csv_text", "write_csv"]

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A text that a spreadsheet would run as a formula gets a leading apostrophe; anything else is unchanged.

    >>> neutralise("=1+1"), neutralise("-5 dagen"), neutralise("AV001"), neutralise(-5)
    ("'=1+1", "'-5 dagen", 'AV001', -5)
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def guard_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and column name neutralised; numeric columns are untouched.

    >>> guard_cells(pd.DataFrame({"group": ["=cmd|' /C calc'!A0", "west"], "n": [-1, 2]})).to_dict("list")
    {'group': ["'=cmd|' /C calc'!A0", 'west'], 'n': [-1, 2]}
    """
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_string_dtype(values) or values.dtype == object or isinstance(values.dtype,
                                                                                         pd.CategoricalDtype):
            text = values.map(neutralise).astype(object)
            if not text.equals(values.astype(object)):
                out[column] = text
    if any(isinstance(name, str) and name.startswith(FORMULA_STARTS) for name in out.columns):
        out.columns = [neutralise(name) for name in out.columns]
    return out


def csv_text(frame: pd.DataFrame, *, sep: str = ",", decimal: str = ".", float_format: str | None = None,
             lineterminator: str = "\n", comments: Sequence[str] = ()) -> str:
    """The CSV text :func:`write_csv` writes, for a caller that keeps it in memory (e.g. a report's files).

    >>> csv_text(pd.DataFrame({"group": ["=1+1", "a"], "n": [-1, 2]})).splitlines()
    ['group,n', "'=1+1,-1", 'a,2']
    """
    lines = "".join(f"# {neutralise(line)}{lineterminator}" for line in comments)
    return lines + guard_cells(frame).to_csv(sep=sep, decimal=decimal, float_format=float_format, index=False,
                                             lineterminator=lineterminator)


def write_csv(frame: pd.DataFrame, path: str | Path, *, sep: str = ",", decimal: str = ".",
              float_format: str | None = None, encoding: str = "utf-8", lineterminator: str = "\n",
              comments: Sequence[str] = ()) -> None:
    """Write ``frame`` (without its index) as CSV with every text cell guarded (:func:`guard_cells`).

    Parameters
    ----------
    sep, decimal, float_format, encoding, lineterminator
        As in :meth:`pandas.DataFrame.to_csv` (``encoding="utf-8-sig"`` writes a byte-order mark).
    comments
        Lines written above the table, each as ``# <line>`` (guarded as well).
    """
    text = csv_text(frame, sep=sep, decimal=decimal, float_format=float_format, lineterminator=lineterminator,
                    comments=comments)
    Path(path).write_bytes(text.encode(encoding))
