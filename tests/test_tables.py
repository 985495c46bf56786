"""The one guarded table writer: formula-like texts neutralised, everything else written as pandas writes it."""

from __future__ import annotations

import pandas as pd
import pytest

from risico.tables import FORMULA_STARTS, guard_cells, neutralise, write_csv

HOSTILE = "=cmd|' /C calc'!A0"


@pytest.mark.parametrize(("value", "written"), [
    (HOSTILE, "'" + HOSTILE),
    ("+31 6 1234", "'+31 6 1234"),
    ("-5 dagen", "'-5 dagen"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"),
    ("\rx", "'\rx"),
    ("a=b", "a=b"),
    ("'=already", "'=already"),
    ("", ""),
    (-5, -5),
    (-0.5, -0.5),
    (None, None),
])
def test_neutralise(value, written):
    assert neutralise(value) == written


def test_every_formula_start_is_guarded():
    assert FORMULA_STARTS == ("=", "+", "-", "@", "\t", "\r")
    assert all(neutralise(start + "1") == "'" + start + "1" for start in FORMULA_STARTS)


def test_guard_cells_guards_text_and_names_not_numbers_and_leaves_the_input_alone():
    frame = pd.DataFrame({"group": [HOSTILE, "west", None], "n": [-1, 2, 3], "-rate": [-0.5, 0.1, 0.2],
                          "mixed": ["-x", -3, 1.5]})
    before = frame.copy()
    guarded = guard_cells(frame)
    assert guarded["group"].tolist()[:2] == ["'" + HOSTILE, "west"] and pd.isna(guarded["group"].iloc[2])
    assert guarded["n"].tolist() == [-1, 2, 3] and guarded["n"].dtype == frame["n"].dtype
    assert guarded["mixed"].tolist() == ["'-x", -3, 1.5]
    assert list(guarded.columns) == ["group", "n", "'-rate", "mixed"]
    pd.testing.assert_frame_equal(frame, before)


@pytest.mark.parametrize("options", [
    {},
    {"float_format": "%.4f"},
    {"sep": ";", "decimal": ",", "encoding": "utf-8-sig", "lineterminator": "\r\n"},
])
def test_clean_data_is_written_byte_for_byte_as_pandas_writes_it(tmp_path, options):
    frame = pd.DataFrame({"group": ["dutch", "non_western", "18-26", "(missing)"], "rate": [0.1, -0.25, 1 / 3, None],
                          "n": [10, -2, 30, 40], "flag": [True, False, True, False]})
    write_csv(frame, tmp_path / "ours.csv", **options)
    frame.to_csv(tmp_path / "pandas.csv", index=False, **{"lineterminator": "\n", **options})
    assert (tmp_path / "ours.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()


def test_comment_lines_above_the_table_are_guarded_too(tmp_path):
    write_csv(pd.DataFrame({"id": ["=1+1"]}), tmp_path / "t.csv", sep=";", encoding="utf-8-sig",
              comments=["Werklijst", "-demo-"])
    assert (tmp_path / "t.csv").read_bytes() == "\ufeff# Werklijst\n# '-demo-\nid\n'=1+1\n".encode()
