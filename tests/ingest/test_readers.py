"""Reading a municipality's own table files: round trips in real export styles, and every refusal's message."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from risico.contract import CONTRACT, Table
from risico.ingest import readers
from risico.ingest.readers import IngestError, ReadResult, find_table_file, read_table
from risico.io import write_parquet

ADDRESSES = CONTRACT["addresses"]
APPLICATIONS = CONTRACT["applications"]
PERSONS = CONTRACT["persons"]
PROVIDERS = CONTRACT["providers"]


# -- expected typed frames ---------------------------------------------------------
def _s(values, dtype):
    return pd.Series(values, dtype=dtype)


def addresses_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "address_id": _s(["A0000001", "A0000002", "A0000003"], "str"),
        "district": _s(["W01", "W02", "W03"], "str"),
        "postcode4": _s([1011, 3031, 9999], "Int64"),
        "floor_area_m2": _s([69, 1200, 10], "Int64"),
        "persons_registered": _s([3, 0, 12], "Int64"),
        "households_registered": _s([1, 0, 4], "Int64"),
        "landlord_id": _s(["Café Beheer", None, "L00106"], "str"),
        "room_rental_permit": _s([False, True, False], "boolean"),
        "fire_safety_findings": _s([0, 2, 1], "Int64"),
        "is_care_location": _s([False, False, True], "boolean"),
    })


def applications_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "application_id": _s(["AV00000001", "AV00000002", "AV00000003"], "str"),
        "household_id": _s(["H0000449", "H0003430", "H0000449"], "str"),
        "person_id": _s(["P0000972", "P0007541", "P0000973"], "str"),
        "address_id": _s(["A0000394", "A0003066", "A0000394"], "str"),
        "scheme": _s(["pw_bijstand", "wmo_zin", "jw_pgb"], "str"),
        "application_date": _s(["2022-01-01", "2023-12-31", "2024-02-29"], "datetime64[ms]"),
        "decision_date": _s(["2022-01-13", "2024-01-02", "2024-03-01"], "datetime64[ms]"),
        "awarded": _s([True, False, True], "boolean"),
        "previous_applications": _s([0, 3, 12], "Int64"),
        "amount_monthly": _s([1783.32, 1234567.5, 0.0], "float64"),
        "authorised_hours_month": _s([np.nan, 18.8, 0.5], "float64"),
        "declared_income_monthly": _s([0.0, 2844.28, 12000.0], "float64"),
        "declared_assets": _s([928.66, 8590.25, 100000000.0], "float64"),
        "cost_sharers": _s([0, 1, 2], "Int64"),
        "days_since_relocation": _s([510, 714, 0], "Int64"),
        "appointment_no_shows": _s([0, 0, 3], "Int64"),
        "income_changes_12m": _s([0, 1, 0], "Int64"),
        "intermediary_id": _s([None, "Bemiddeling Zoë", None], "str"),
        "provider_id": _s([None, "Z00171", "Z00002"], "str"),
    })


FRAMES: dict[str, Callable[[], pd.DataFrame]] = {"addresses": addresses_frame, "applications": applications_frame}


def with_problems(frame: pd.DataFrame, problems: list[str | None] | None = None) -> pd.DataFrame:
    out = frame.copy()
    out["_ingest_problem"] = pd.Series(problems if problems is not None else [None] * len(frame), dtype="str")
    return out


# -- writing text the way exports do ----------------------------------------------------
def number_text(value: float, decimal: str, thousands: bool) -> str:
    text = f"{value:,.2f}" if thousands else f"{value:.2f}"
    if decimal == ",":
        text = text.translate(str.maketrans({",": ".", ".": ","}))
    return text


def as_text(frame: pd.DataFrame, table: Table, *, decimal: str, thousands: bool,
            date: Callable[[pd.Timestamp], str], words: tuple[str, str]) -> pd.DataFrame:
    """Every value as the text an export would write (empty for missing)."""
    out = {}
    for col in table.columns:
        values = frame[col.name].tolist()
        if col.kind == "float":
            out[col.name] = ["" if pd.isna(v) else number_text(v, decimal, thousands) for v in values]
        elif col.kind == "datetime":
            out[col.name] = ["" if pd.isna(v) else date(v) for v in values]
        elif col.kind == "bool":
            out[col.name] = ["" if pd.isna(v) else words[0] if v else words[1] for v in values]
        else:
            out[col.name] = ["" if pd.isna(v) else str(v) for v in values]
    return pd.DataFrame(out, dtype=object)


def write_csv(text: pd.DataFrame, path: Path, *, sep: str, encoding: str) -> Path:
    text.to_csv(path, sep=sep, index=False, encoding=encoding, lineterminator="\r\n")
    return path


STYLES = {
    # id: (separator, encoding, decimal, thousands, date format, yes/no words, reported encoding)
    "semicolon-comma-dmy-bom": (";", "utf-8-sig", ",", True, lambda d: d.strftime("%d-%m-%Y"), ("ja", "nee"),
                                "utf-8-sig"),
    "cp1252": (";", "cp1252", ",", True, lambda d: d.strftime("%d-%m-%Y"), ("WAAR", "ONWAAR"), "cp1252"),
    "comma-iso": (",", "utf-8", ".", False, lambda d: d.strftime("%Y-%m-%d"), ("true", "false"), "utf-8"),
    "comma-iso-thousands": (",", "utf-8", ".", True, lambda d: d.strftime("%Y-%m-%d %H:%M:%S"), ("yes", "no"),
                            "utf-8"),
    "tab-slashes": ("\t", "utf-8", ",", False, lambda d: d.strftime("%d/%m/%Y"), ("J", "n"), "utf-8"),
    "semicolon-short-dates": (";", "utf-8", ",", False, lambda d: f"{d.day}-{d.month}-{d.year}", ("1", "0"),
                              "utf-8"),
}


@pytest.mark.parametrize("table_name", ["addresses", "applications"])
@pytest.mark.parametrize("style", list(STYLES))
def test_csv_round_trip(tmp_path, table_name, style):
    sep, encoding, decimal, thousands, date, words, reported = STYLES[style]
    table = CONTRACT[table_name]
    expected = FRAMES[table_name]()
    text = as_text(expected, table, decimal=decimal, thousands=thousands, date=date, words=words)
    path = write_csv(text, tmp_path / f"{table_name}.csv", sep=sep, encoding=encoding)

    result = read_table(path, table)

    pd.testing.assert_frame_equal(result.frame, with_problems(expected))
    assert (result.encoding, result.separator, result.warnings) == (reported, sep, ())
    if table_name == "applications":        # addresses has no float column to tell the decimal style
        assert result.decimal == decimal


def test_cp1252_file_really_holds_latin1_bytes(tmp_path):
    text = as_text(addresses_frame(), ADDRESSES, decimal=",", thousands=True, date=str, words=("ja", "nee"))
    path = write_csv(text, tmp_path / "addresses.csv", sep=";", encoding="cp1252")
    assert b"Caf\xe9 Beheer" in path.read_bytes()
    assert read_table(path, ADDRESSES).frame.loc[0, "landlord_id"] == "Café Beheer"


@pytest.mark.parametrize("table_name", ["addresses", "applications"])
def test_parquet_round_trip(tmp_path, table_name):
    expected = FRAMES[table_name]()
    path = tmp_path / f"{table_name}.parquet"
    write_parquet(expected, path)

    result = read_table(path, CONTRACT[table_name])

    pd.testing.assert_frame_equal(result.frame, with_problems(expected))
    assert (result.encoding, result.separator, result.decimal, result.warnings) == ("parquet", None, None, ())


def test_parquet_columns_in_another_order_and_case(tmp_path):
    expected = addresses_frame()
    shuffled = expected[list(reversed(ADDRESSES.names))].rename(columns={"district": "District"})
    write_parquet(shuffled, tmp_path / "addresses.parquet")
    pd.testing.assert_frame_equal(read_table(tmp_path / "addresses.parquet", ADDRESSES).frame,
                                  with_problems(expected))


def test_parquet_like_the_generator_writes_it(tmp_path):
    """int64/bool/datetime64[ms] without nulls, as ``risico generate`` writes data/raw."""
    expected = addresses_frame()
    plain = expected.astype({c.name: {"int": "int64", "bool": "bool"}.get(c.kind, expected[c.name].dtype)
                             for c in ADDRESSES.columns})
    write_parquet(plain, tmp_path / "addresses.parquet")
    pd.testing.assert_frame_equal(read_table(tmp_path / "addresses.parquet", ADDRESSES).frame,
                                  with_problems(expected))


def test_parquet_loose_types_are_cast(tmp_path):
    """Numbers stored as text, floats holding whole numbers, ints for floats, dates, 0/1 for yes/no."""
    expected = applications_frame()
    arrays = {name: pa.Array.from_pandas(expected[name]) for name in APPLICATIONS.names}
    arrays["application_date"] = pa.array([dt.date(2022, 1, 1), dt.date(2023, 12, 31), dt.date(2024, 2, 29)])
    arrays["decision_date"] = pc_local(["2022-01-13", "2024-01-02", "2024-03-01"])
    arrays["awarded"] = pa.array([1, 0, 1], pa.int8())
    arrays["previous_applications"] = pa.array([0.0, 3.0, 12.0])
    arrays["cost_sharers"] = pa.array(["0", "1", "2"])
    arrays["days_since_relocation"] = pa.array([510, 714, 0], pa.uint16())
    arrays["amount_monthly"] = pa.array(["1.783,32", "1.234.567,50", "0"])
    arrays["declared_assets"] = pa.array([928.66, 8590.25, 1e8], pa.float32()).cast(pa.float64())
    arrays["declared_income_monthly"] = pa.array([0, 2844.28, 12000]).cast(pa.decimal128(12, 2))
    arrays["scheme"] = pa.array(["pw_bijstand", "wmo_zin", "jw_pgb"]).dictionary_encode()
    arrays["income_changes_12m"] = pa.array([0, 1, 0], pa.int32())
    expected["declared_assets"] = pd.Series(np.float32([928.66, 8590.25, 1e8]).astype("float64"))
    pq.write_table(pa.table(arrays), tmp_path / "applications.parquet")

    result = read_table(tmp_path / "applications.parquet", APPLICATIONS)

    pd.testing.assert_frame_equal(result.frame, with_problems(expected))


def pc_local(days: list[str]) -> pa.Array:
    """Midnight in Amsterdam, stored as a time-zone-aware timestamp (UTC underneath)."""
    stamps = pd.to_datetime(days).tz_localize("Europe/Amsterdam")
    return pa.array(stamps, type=pa.timestamp("ns", tz="Europe/Amsterdam"))


# -- row-level problems ---------------------------------------------------------------
def semicolon_csv(table: Table, rows: list[str], header: str | None = None) -> bytes:
    lines = [header if header is not None else ";".join(table.names), *rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


APPLICATION_ROWS = [
    "AV00000001;H0000449;P0000972;A0000394;pw_bijstand;01-01-2022;13-01-2022;ja;0;1.783,32;;0,00;928,66;0;510;0;0;;",
    "AV00000002;H0003430;P0007541;A0003066;wmo_zin;31-12-2023;2-1-2024;nee;3;1.234.567,50;18,80;2.844,28;8.590,25;"
    "1;714;0;1;Bemiddeling Zoë;Z00171",
    "AV00000003;H0000449;P0000973;A0000394;jw_pgb;2024-02-29;01/03/2024;Ja;12;0;0,5;12.000;100.000.000;2;0;3;0;;"
    "Z00002",
]


def test_application_rows_read_as_expected(tmp_path):
    path = tmp_path / "applications.csv"
    path.write_bytes(semicolon_csv(APPLICATIONS, APPLICATION_ROWS))
    result = read_table(path, APPLICATIONS)
    pd.testing.assert_frame_equal(result.frame, with_problems(applications_frame()))
    assert (result.separator, result.decimal, result.encoding) == (";", ",", "utf-8")


def test_unreadable_values_are_kept_as_row_problems(tmp_path):
    rows = list(APPLICATION_ROWS)
    rows[0] = rows[0].replace("01-01-2022", "31-02-2024")
    rows[2] = (rows[2].replace("01/03/2024", "2024-13-45 10:00:00").replace(";0;0,5;", ";abc;0,5;")
               .replace(";12.000;100.000.000;2;", ";12.000;100.000.000;this is far too long to show;"))
    path = tmp_path / "applications.csv"
    path.write_bytes(semicolon_csv(APPLICATIONS, rows))

    result = read_table(path, APPLICATIONS)

    expected = applications_frame()
    expected.loc[0, "application_date"] = pd.NaT
    expected.loc[2, ["decision_date", "amount_monthly", "cost_sharers"]] = [pd.NaT, np.nan, pd.NA]
    problems = [
        "application_date: unparseable date '31-02-2024'",
        None,
        "decision_date: unparseable date '2024-13-45 10:00:00'; amount_monthly: not a number 'abc'; "
        "cost_sharers: not a whole number 'this is far too long...'",
    ]
    pd.testing.assert_frame_equal(result.frame, with_problems(expected, problems))
    assert result.warnings == (
        "File applications.csv: 2 row(s) of table 'applications' hold values that cannot be read; those values "
        "are left empty and column '_ingest_problem' says why.",)


@pytest.mark.parametrize(
    ("column", "good", "bad", "reason"),
    [
        ("postcode4", "1011", "10,5", "postcode4: not a whole number '10,5'"),
        ("postcode4", "1011", "1.01.1", "postcode4: not a whole number '1.01.1'"),
        ("room_rental_permit", "ja", "misschien", "room_rental_permit: not a yes/no value 'misschien'"),
        ("floor_area_m2", "69", "69 m2", "floor_area_m2: not a whole number '69 m2'"),
    ],
)
def test_row_problem_reasons(tmp_path, column, good, bad, reason):
    frame = as_text(addresses_frame(), ADDRESSES, decimal=",", thousands=False, date=str, words=("ja", "nee"))
    frame.loc[0, column], frame.loc[1, column] = good, bad
    path = write_csv(frame, tmp_path / "addresses.csv", sep=";", encoding="utf-8")
    result = read_table(path, ADDRESSES)
    assert result.frame["_ingest_problem"].isna().tolist() == [True, False, True]
    assert result.frame.loc[1, "_ingest_problem"] == reason
    assert pd.isna(result.frame.loc[1, column])
    assert not pd.isna(result.frame.loc[0, column])


@pytest.mark.parametrize("first_amount", ["1.783,32", "1783,32"], ids=["thousands", "plain"])
def test_special_number_spellings_are_problems_either_way(tmp_path, first_amount):
    """'nan' and 'inf' are not amounts, whether or not a thousands separator elsewhere changes the parsing path."""
    rows = [r.replace(";1.783,32;", f";{first_amount};") for r in APPLICATION_ROWS]
    rows[1] = rows[1].replace(";1.234.567,50;", ";nan;").replace(";18,80;", ";1e3;")
    rows[2] = rows[2].replace(";0;0,5;", ";Infinity;0,5;")
    path = tmp_path / "applications.csv"
    path.write_bytes(semicolon_csv(APPLICATIONS, rows))
    frame = read_table(path, APPLICATIONS).frame
    assert frame["amount_monthly"].tolist()[0] == 1783.32
    assert frame["amount_monthly"].isna().tolist() == [False, True, True]
    assert frame.loc[1, "authorised_hours_month"] == 1000.0
    assert frame["_ingest_problem"].tolist()[1:] == ["amount_monthly: not a number 'nan'",
                                                     "amount_monthly: not a number 'Infinity'"]


def test_parquet_row_problems(tmp_path):
    table = pa.Table.from_pandas(addresses_frame(), preserve_index=False)
    table = table.set_column(2, "postcode4", pa.array([1011.0, 2.5, None]))
    table = table.set_column(3, "floor_area_m2", pa.array(["69", "groot", ""]))
    pq.write_table(table, tmp_path / "addresses.parquet")

    result = read_table(tmp_path / "addresses.parquet", ADDRESSES)

    expected = addresses_frame()
    expected["postcode4"] = _s([1011, None, None], "Int64")
    expected["floor_area_m2"] = _s([69, None, None], "Int64")
    pd.testing.assert_frame_equal(result.frame, with_problems(expected, [
        None, "postcode4: not a whole number '2.5'; floor_area_m2: not a whole number 'groot'", None]))


# -- header handling and warnings -----------------------------------------------------
ADDRESS_ROWS = ["A0000001;W01;1011;69;3;1;Café Beheer;nee;0;nee", "A0000002;W02;3031;1200;0;0;;ja;2;nee",
                "A0000003;W03;9999;10;12;4;L00106;nee;1;ja"]


def test_extra_column_is_dropped_with_a_warning(tmp_path):
    header = ";".join(ADDRESSES.names[:3]) + ";opmerking;" + ";".join(ADDRESSES.names[3:])
    rows = [";".join([*r.split(";")[:3], "let op", *r.split(";")[3:]]) for r in ADDRESS_ROWS]
    path = tmp_path / "addresses.csv"
    path.write_bytes(semicolon_csv(ADDRESSES, rows, header))
    result = read_table(path, ADDRESSES)
    pd.testing.assert_frame_equal(result.frame, with_problems(addresses_frame()))
    assert result.warnings == ("File addresses.csv: column 'opmerking' is not part of table 'addresses' and was "
                               "dropped (docs/data-contract.md lists the columns).",)


def test_header_names_are_trimmed_reordered_and_case_insensitive(tmp_path):
    names = list(ADDRESSES.names)
    order = [9, 0, 1, 2, 3, 4, 5, 6, 7, 8]
    header = ";".join(f" {names[i].upper()} " if i == 0 else names[i] for i in order)
    rows = [";".join(r.split(";")[i] for i in order) for r in ADDRESS_ROWS]
    path = tmp_path / "addresses.csv"
    path.write_bytes(semicolon_csv(ADDRESSES, rows, header))
    pd.testing.assert_frame_equal(read_table(path, ADDRESSES).frame, with_problems(addresses_frame()))


def test_trailing_separator_and_empty_rows(tmp_path):
    header = ";".join(ADDRESSES.names) + ";"
    rows = [ADDRESS_ROWS[0] + ";", ";;;;;;;;;;", ADDRESS_ROWS[1] + ";", ADDRESS_ROWS[2] + ";", " ; ;;;;;;;;;"]
    path = tmp_path / "addresses.csv"
    path.write_bytes(semicolon_csv(ADDRESSES, rows, header))
    result = read_table(path, ADDRESSES)
    pd.testing.assert_frame_equal(result.frame, with_problems(addresses_frame()))
    assert result.warnings == ("File addresses.csv: 2 row(s) without any value were skipped.",)


def test_unnamed_column_with_values_is_dropped_with_a_warning(tmp_path):
    header = ";".join(ADDRESSES.names) + ";"
    rows = [r + ";x" for r in ADDRESS_ROWS]
    path = tmp_path / "addresses.csv"
    path.write_bytes(semicolon_csv(ADDRESSES, rows, header))
    result = read_table(path, ADDRESSES)
    pd.testing.assert_frame_equal(result.frame, with_problems(addresses_frame()))
    assert result.warnings == ("File addresses.csv: column 11 has no name but holds values; it was dropped.",)


def test_quoted_values_with_separators_and_line_breaks(tmp_path):
    rows = list(ADDRESS_ROWS)
    rows[0] = rows[0].replace("Café Beheer", '"Café; ""Beheer""\nBV"')
    path = tmp_path / "addresses.csv"
    path.write_bytes(semicolon_csv(ADDRESSES, rows))
    result = read_table(path, ADDRESSES)
    assert result.frame.loc[0, "landlord_id"] == 'Café; "Beheer"\nBV'
    assert result.frame["_ingest_problem"].isna().all()


def test_thousands_without_fraction_follow_the_separator(tmp_path):
    """'1.200' in a ';' file without other evidence is twelve hundred (the Dutch reading)."""
    rows = [r.replace(";1200;", ";1.200;") for r in ADDRESS_ROWS]
    path = tmp_path / "addresses.csv"
    path.write_bytes(semicolon_csv(ADDRESSES, rows))
    result = read_table(path, ADDRESSES)
    assert result.decimal == ","
    assert result.frame.loc[1, "floor_area_m2"] == 1200


def test_dot_decimals_in_a_semicolon_file(tmp_path):
    text = as_text(applications_frame(), APPLICATIONS, decimal=".", thousands=False,
                   date=lambda d: d.strftime("%Y-%m-%d"), words=("true", "false"))
    path = write_csv(text, tmp_path / "applications.csv", sep=";", encoding="utf-8")
    result = read_table(path, APPLICATIONS)
    assert result.decimal == "."
    pd.testing.assert_frame_equal(result.frame, with_problems(applications_frame()))


def test_times_are_kept(tmp_path):
    rows = [r.replace(";01-01-2022;13-01-2022;", ";01-01-2022 08:30;2022-01-13T17:45:10;") for r in APPLICATION_ROWS]
    path = tmp_path / "applications.csv"
    path.write_bytes(semicolon_csv(APPLICATIONS, rows))
    frame = read_table(path, APPLICATIONS).frame
    assert frame.loc[0, "application_date"] == pd.Timestamp("2022-01-01 08:30")
    assert frame.loc[0, "decision_date"] == pd.Timestamp("2022-01-13 17:45:10")


def test_cp1252_bytes_that_latin1_leaves_undefined(tmp_path):
    rows = [r.replace("Café Beheer", "€ Beheer") for r in ADDRESS_ROWS]
    content = semicolon_csv(ADDRESSES, rows).decode("utf-8").encode("cp1252").replace(b"L00106", b"L\x81")
    path = tmp_path / "addresses.csv"
    path.write_bytes(content)
    result = read_table(path, ADDRESSES)
    assert result.encoding == "cp1252"
    assert result.frame["landlord_id"].tolist()[0::2] == ["€ Beheer", "L\x81"]


def test_the_file_is_not_modified(tmp_path):
    path = tmp_path / "addresses.csv"
    path.write_bytes(b"\xef\xbb\xbf" + semicolon_csv(ADDRESSES, ADDRESS_ROWS))
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    read_table(path, ADDRESSES)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["addresses.csv"]


# -- refusals --------------------------------------------------------------------------
HEADER = ";".join(ADDRESSES.names)
ROWS = "\r\n".join(ADDRESS_ROWS)
PROVIDER_HEADER = ";".join(PROVIDERS.names)


def provider_rows(**column_values: tuple[str, str]) -> bytes:
    rows = [["Z00001", "15-03-2014", "", "", "bv", "11", "ja", "0,96", "ja", "0,83", "A0008060", "D00001"],
            ["Z00002", "01-07-2016", "", "", "bv", "1", "nee", "0,94", "nee", "0,77", "A0001227", "D00002"]]
    for name, values in column_values.items():
        for row, value in zip(rows, values):
            row[PROVIDERS.names.index(name)] = value
    return semicolon_csv(PROVIDERS, [";".join(r) for r in rows])


def without(table: Table, *drop: str) -> bytes:
    keep = [i for i, name in enumerate(table.names) if name not in drop]
    rows = {"addresses": ADDRESS_ROWS,
            "persons": ["P1;H1;head;45;female;dutch;dutch;good;middle;12"]}[table.name]
    header = ";".join(table.names[i] for i in keep)
    return semicolon_csv(table, [";".join(r.split(";")[i] for i in keep) for r in rows], header)


PIPES = "|".join(ADDRESSES.names)

REFUSALS = [
    # id, file name, content, table, message
    ("empty", "addresses.csv", b"", ADDRESSES,
     "File addresses.csv is empty. Expected a header line with the columns of table 'addresses' and at least one "
     "row."),
    ("whitespace-only", "addresses.csv", b" \r\n\t\n\n", ADDRESSES,
     "File addresses.csv is empty. Expected a header line with the columns of table 'addresses' and at least one "
     "row."),
    ("bom-only", "addresses.csv", b"\xef\xbb\xbf\r\n", ADDRESSES,
     "File addresses.csv is empty. Expected a header line with the columns of table 'addresses' and at least one "
     "row."),
    ("empty-parquet", "addresses.parquet", b"", ADDRESSES,
     "File addresses.parquet is empty. Expected a header line with the columns of table 'addresses' and at least "
     "one row."),
    ("header-only", "addresses.csv", (HEADER + "\r\n\r\n").encode(), ADDRESSES,
     "File addresses.csv has the column names of table 'addresses' but no data rows. Expected at least one row "
     "below the header."),
    ("header-without-newline", "addresses.csv", HEADER.encode(), ADDRESSES,
     "File addresses.csv has the column names of table 'addresses' but no data rows. Expected at least one row "
     "below the header."),
    ("only-empty-rows", "addresses.csv", (HEADER + "\n;;;;;;;;;\n;;;;;;;;;\n").encode(), ADDRESSES,
     "File addresses.csv has the column names of table 'addresses' but no data rows. Expected at least one row "
     "below the header."),
    ("missing-column", "addresses.csv", without(ADDRESSES, "district"), ADDRESSES,
     "File addresses.csv misses required column(s) 'district' of table 'addresses'. Add them with exactly these "
     "names; docs/data-contract.md lists the columns of every table."),
    ("missing-columns", "addresses.csv", without(ADDRESSES, "landlord_id", "district"), ADDRESSES,
     "File addresses.csv misses required column(s) 'district', 'landlord_id' of table 'addresses'. Add them with "
     "exactly these names; docs/data-contract.md lists the columns of every table."),
    ("unknown-header", "addresses.csv", b"adres;wijk;postcode\r\nA1;W01;1011\r\n", ADDRESSES,
     "File addresses.csv misses required column(s) " + ", ".join(f"'{n}'" for n in ADDRESSES.names)
     + " of table 'addresses'. Add them with exactly these names; docs/data-contract.md lists the columns of "
     "every table."),
    ("missing-protected", "persons.csv", without(PERSONS, "gender"), PERSONS,
     "File persons.csv misses protected column(s) 'gender' of table 'persons'. The fairness audit needs them to "
     "check the model for unequal treatment; they never become model inputs (docs/data-contract.md)."),
    ("missing-required-before-protected", "persons.csv", without(PERSONS, "gender", "role"), PERSONS,
     "File persons.csv misses required column(s) 'role' of table 'persons'. Add them with exactly these names; "
     "docs/data-contract.md lists the columns of every table."),
    ("duplicate-column", "addresses.csv", semicolon_csv(ADDRESSES, [r + ";1011" for r in ADDRESS_ROWS],
                                                        HEADER + ";postcode4"), ADDRESSES,
     "File addresses.csv has column 'postcode4' more than once (columns 3 and 11). Each column of table "
     "'addresses' may appear once; remove or rename the copies."),
    ("duplicate-unknown-column", "addresses.csv",
     semicolon_csv(ADDRESSES, [r + ";a;b;c" for r in ADDRESS_ROWS], HEADER + ";Opmerking;x;opmerking"), ADDRESSES,
     "File addresses.csv has column 'Opmerking' more than once (columns 11 and 13). Each column of table "
     "'addresses' may appear once; remove or rename the copies."),
    ("pipe-separator", "addresses.csv", f"{PIPES}\n{ROWS.replace(';', '|')}\n".encode(), ADDRESSES,
     "File addresses.csv has a header that does not split into the columns of table 'addresses' with ';', ',' or "
     f"tab; the separator found is '|' (header: '{PIPES[:60]}...'). Allowed separators: ';', ',' or tab."),
    ("space-separator", "addresses.csv", (" ".join(ADDRESSES.names) + "\n" + ROWS.replace(";", " ")).encode(),
     ADDRESSES,
     "File addresses.csv has a header that does not split into the columns of table 'addresses' with ';', ',' or "
     f"tab; the separator found is a space (header: '{' '.join(ADDRESSES.names)[:60]}...'). Allowed separators: "
     "';', ',' or tab."),
    ("one-column", "addresses.csv", b"ADRESSEN\r\nA1 W01 1011\r\n", ADDRESSES,
     "File addresses.csv has a header that does not split into the columns of table 'addresses' with ';', ',' or "
     "tab; the separator found is none (the header reads as one column) (header: 'ADRESSEN'). Allowed "
     "separators: ';', ',' or tab."),
    ("ragged-line", "addresses.csv", semicolon_csv(ADDRESSES, [ADDRESS_ROWS[0], ADDRESS_ROWS[1] + ";x",
                                                               ADDRESS_ROWS[2]]), ADDRESSES,
     "File addresses.csv, line 3: found 11 value(s), but the header of table 'addresses' has 10 columns separated "
     "by ';'. Give every line one value per column and quote values that contain the separator."),
    ("unquoted-decimal-comma", "applications.csv",
     (",".join(APPLICATIONS.names) + "\n" + APPLICATION_ROWS[0].replace(";", ",") + "\n").encode(), APPLICATIONS,
     "File applications.csv, line 2: found 22 value(s), but the header of table 'applications' has 19 columns "
     "separated by ','. Give every line one value per column and quote values that contain the separator."),
    ("short-tab-line", "addresses.csv", (HEADER.replace(";", "\t") + "\n" + ADDRESS_ROWS[0].replace(";", "\t")
                                         + "\n\nA1\tW01\n").encode(), ADDRESSES,
     "File addresses.csv, line 4: found 2 value(s), but the header of table 'addresses' has 10 columns separated "
     "by tab. Give every line one value per column and quote values that contain the separator."),
    ("xlsx-named-csv", "addresses.csv", b"PK\x03\x04\x14\x00\x06\x00" + bytes(200), ADDRESSES,
     "File addresses.csv for table 'addresses' is named .csv but holds a ZIP archive (an Excel .xlsx workbook or a "
     "zipped export). Allowed: CSV text in UTF-8 or Latin-1/cp1252, separated by ';', ',' or tab (or a Parquet "
     "file named addresses.parquet)."),
    ("pdf-named-csv", "addresses.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", ADDRESSES,
     "File addresses.csv for table 'addresses' is named .csv but holds a PDF document. Allowed: CSV text in UTF-8 "
     "or Latin-1/cp1252, separated by ';', ',' or tab (or a Parquet file named addresses.parquet)."),
    ("xls-named-csv", "addresses.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), ADDRESSES,
     "File addresses.csv for table 'addresses' is named .csv but holds an old Excel .xls workbook (or another "
     "Office file). Allowed: CSV text in UTF-8 or Latin-1/cp1252, separated by ';', ',' or tab (or a Parquet file "
     "named addresses.parquet)."),
    ("nul-bytes", "addresses.csv", (HEADER + "\n" + ADDRESS_ROWS[0] + "\n").encode() + b"\x00\x01\x02\x03\xff\n",
     ADDRESSES,
     "File addresses.csv for table 'addresses' is named .csv but holds binary data (a NUL byte on line 3). "
     "Allowed: CSV text in UTF-8 or Latin-1/cp1252, separated by ';', ',' or tab (or a Parquet file named "
     "addresses.parquet)."),
    ("utf-16", "addresses.csv", (HEADER + "\r\n" + ROWS).encode("utf-16"), ADDRESSES,
     "File addresses.csv for table 'addresses' is named .csv but holds UTF-16 text. Allowed: CSV text in UTF-8 or "
     "Latin-1/cp1252, separated by ';', ',' or tab (or a Parquet file named addresses.parquet)."),
    ("parquet-named-csv", "addresses.csv", b"PAR1\x15\x04\x15\x00" + bytes(50) + b"PAR1", ADDRESSES,
     "File addresses.csv for table 'addresses' is named .csv but holds a Parquet file. Allowed: CSV text in UTF-8 "
     "or Latin-1/cp1252, separated by ';', ',' or tab (or a Parquet file named addresses.parquet)."),
    ("html-named-csv", "addresses.csv", b"\n<!DOCTYPE html><html><body>Sessie verlopen</body></html>", ADDRESSES,
     "File addresses.csv for table 'addresses' is named .csv but holds an HTML page. Allowed: CSV text in UTF-8 or "
     "Latin-1/cp1252, separated by ';', ',' or tab (or a Parquet file named addresses.parquet)."),
    ("xlsx-extension", "addresses.xlsx", b"PK\x03\x04\x14\x00\x06\x00" + bytes(200), ADDRESSES,
     "File addresses.xlsx for table 'addresses' has extension '.xlsx' and holds a ZIP archive (an Excel .xlsx "
     "workbook or a zipped export). Allowed: addresses.csv (text separated by ';', ',' or tab) or "
     "addresses.parquet."),
    ("txt-extension", "addresses.txt", (HEADER + "\n" + ROWS).encode(), ADDRESSES,
     "File addresses.txt for table 'addresses' has extension '.txt' and holds text. Allowed: addresses.csv (text "
     "separated by ';', ',' or tab) or addresses.parquet."),
    ("no-extension", "addresses", b"", ADDRESSES,
     "File addresses for table 'addresses' has no extension and holds nothing (it is empty). Allowed: "
     "addresses.csv (text separated by ';', ',' or tab) or addresses.parquet."),
    ("csv-named-parquet", "addresses.parquet", (HEADER + "\n" + ROWS).encode(), ADDRESSES,
     "File addresses.parquet for table 'addresses' is named .parquet but holds text (a CSV file?). Allowed: a "
     "Parquet file (it starts with the bytes PAR1), or CSV text named addresses.csv."),
    ("xlsx-named-parquet", "addresses.parquet", b"PK\x03\x04\x14\x00\x06\x00" + bytes(200), ADDRESSES,
     "File addresses.parquet for table 'addresses' is named .parquet but holds a ZIP archive (an Excel .xlsx "
     "workbook or a zipped export). Allowed: a Parquet file (it starts with the bytes PAR1), or CSV text named "
     "addresses.csv."),
    ("mixed-utf8-then-latin1", "addresses.csv",
     (HEADER + "\n" + ADDRESS_ROWS[0] + "\n").encode() + ADDRESS_ROWS[1].replace(";;", ";Café;").encode("cp1252")
     + b"\n", ADDRESSES,
     "File addresses.csv mixes text encodings: line 3 is not valid UTF-8 (byte 0xE9), while line 2 is UTF-8. "
     "Save the whole file in one encoding (UTF-8, or Latin-1/cp1252)."),
    ("mixed-latin1-then-utf8", "addresses.csv",
     (HEADER + "\n").encode() + ADDRESS_ROWS[0].encode("cp1252") + b"\n"
     + (ADDRESS_ROWS[1] + "\n" + ADDRESS_ROWS[2].replace("L00106", "Zoë") + "\n").encode(), ADDRESSES,
     "File addresses.csv mixes text encodings: line 2 is not valid UTF-8 (byte 0xE9), while line 4 is UTF-8. "
     "Save the whole file in one encoding (UTF-8, or Latin-1/cp1252)."),
    ("bom-then-latin1", "addresses.csv", b"\xef\xbb\xbf" + semicolon_csv(ADDRESSES, ADDRESS_ROWS).decode()
     .encode("cp1252"), ADDRESSES,
     "File addresses.csv mixes text encodings: line 2 is not valid UTF-8 (byte 0xE9), while line 1 is UTF-8. "
     "Save the whole file in one encoding (UTF-8, or Latin-1/cp1252)."),
    ("wrong-type-date", "providers.csv",
     provider_rows(kvk_registration_date=("2014.03.15", "2016.07.01")), PROVIDERS,
     "File providers.csv, column 'kvk_registration_date' of table 'providers' has the wrong type: no value reads "
     "as datetime (first value '2014.03.15'). Allowed: dates as dd-mm-yyyy, d-m-yyyy, dd/mm/yyyy or yyyy-mm-dd, "
     "optionally with hh:mm:ss."),
    ("wrong-type-date-long", "providers.csv",
     provider_rows(end_date=("", "vrijdag 1 juli 2016, in de middag")), PROVIDERS,
     "File providers.csv, column 'end_date' of table 'providers' has the wrong type: no value reads as datetime "
     "(first value 'vrijdag 1 juli 2016,...'). Allowed: dates as dd-mm-yyyy, d-m-yyyy, dd/mm/yyyy or yyyy-mm-dd, "
     "optionally with hh:mm:ss."),
    ("wrong-type-float", "providers.csv", provider_rows(vog_coverage=("hoog", "laag")), PROVIDERS,
     "File providers.csv, column 'vog_coverage' of table 'providers' has the wrong type: no value reads as float "
     "(first value 'hoog'). Allowed: numbers such as 1234,56, 1.234,56 or 1234.56."),
    ("wrong-type-int", "providers.csv", provider_rows(n_staff=("11,5", "veel")), PROVIDERS,
     "File providers.csv, column 'n_staff' of table 'providers' has the wrong type: no value reads as int (first "
     "value '11,5'). Allowed: whole numbers such as 42 or 1234."),
    ("wrong-type-bool", "providers.csv", provider_rows(bank_guarantee=("misschien", "")), PROVIDERS,
     "File providers.csv, column 'bank_guarantee' of table 'providers' has the wrong type: no value reads as bool "
     "(first value 'misschien'). Allowed: true/false, ja/nee, j/n, 1/0, waar/onwaar or yes/no."),
    ("month-first-dates", "providers.csv", provider_rows(kvk_registration_date=("03/15/2014", "07/01/2016")),
     PROVIDERS,
     "File providers.csv, column 'kvk_registration_date' of table 'providers' seems to hold dates as "
     "month-day-year (e.g. '03/15/2014'), which would be misread. Allowed: dd-mm-yyyy, d-m-yyyy, dd/mm/yyyy or "
     "yyyy-mm-dd."),
]


@pytest.mark.parametrize(("name", "content", "table", "message"), [r[1:] for r in REFUSALS],
                         ids=[r[0] for r in REFUSALS])
def test_refusals_have_exact_one_line_messages(tmp_path, name, content, table, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(IngestError) as info:
        read_table(path, table)
    assert str(info.value) == message
    assert "\n" not in str(info.value)
    assert str(tmp_path) not in str(info.value)
    assert path.read_bytes() == content


def test_ingest_error_is_a_risico_error():
    from risico.errors import RisicoError
    assert issubclass(IngestError, RisicoError)


def test_unreadable_parquet(tmp_path):
    path = tmp_path / "addresses.parquet"
    path.write_bytes(b"PAR1" + b"not really parquet" * 5)
    with pytest.raises(IngestError) as info:
        read_table(path, ADDRESSES)
    message = str(info.value)
    assert message.startswith("File addresses.parquet for table 'addresses' starts like Parquet but cannot be "
                              "read (")
    assert message.endswith("). Export the table again as Parquet or as CSV.")
    assert "\n" not in message


def test_csv_the_parser_rejects_for_another_reason(tmp_path, monkeypatch):
    """When no line has the wrong number of values, the parser's own reason is passed on (one line)."""
    monkeypatch.setattr(readers, "first_ragged_line", lambda *args: None)
    path = tmp_path / "addresses.csv"
    path.write_bytes(semicolon_csv(ADDRESSES, [ADDRESS_ROWS[0], "A1;W01"]))
    with pytest.raises(IngestError) as info:
        read_table(path, ADDRESSES)
    message = str(info.value)
    assert message.startswith("File addresses.csv for table 'addresses' cannot be read as CSV (CSV parse error: "
                              "Expected 10 columns, got 2")
    assert message.endswith("). Check the quotes around values and export the table again.")
    assert "\n" not in message


def parquet_of(frame: pd.DataFrame, path: Path) -> Path:
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
    return path


PARQUET_REFUSALS = [
    ("no-rows", lambda: addresses_frame().iloc[:0], ADDRESSES,
     "File addresses.parquet has the column names of table 'addresses' but no data rows. Expected at least one "
     "row below the header."),
    ("missing-column", lambda: addresses_frame().drop(columns=["postcode4"]), ADDRESSES,
     "File addresses.parquet misses required column(s) 'postcode4' of table 'addresses'. Add them with exactly "
     "these names; docs/data-contract.md lists the columns of every table."),
    ("missing-protected", lambda: pd.DataFrame({n: ["1"] for n in PERSONS.names if n != "migration_background"}),
     PERSONS,
     "File persons.parquet misses protected column(s) 'migration_background' of table 'persons'. The fairness "
     "audit needs them to check the model for unequal treatment; they never become model inputs "
     "(docs/data-contract.md)."),
    ("wrong-type", lambda: addresses_frame().assign(is_care_location=[dt.date(2024, 1, 1)] * 3), ADDRESSES,
     "File addresses.parquet, column 'is_care_location' of table 'addresses' has the wrong type: no value reads as "
     "bool (first value '2024-01-01'). Allowed: true/false, ja/nee, j/n, 1/0, waar/onwaar or yes/no."),
    ("wrong-type-bool-for-date", lambda: applications_frame().assign(decision_date=[True, False, True]),
     APPLICATIONS,
     "File applications.parquet, column 'decision_date' of table 'applications' has the wrong type: no value reads "
     "as datetime (first value 'True'). Allowed: dates as dd-mm-yyyy, d-m-yyyy, dd/mm/yyyy or yyyy-mm-dd, "
     "optionally with hh:mm:ss."),
]


@pytest.mark.parametrize(("build", "table", "message"), [r[1:] for r in PARQUET_REFUSALS],
                         ids=[r[0] for r in PARQUET_REFUSALS])
def test_parquet_refusals(tmp_path, build, table, message):
    path = parquet_of(build(), tmp_path / f"{table.name}.parquet")
    with pytest.raises(IngestError) as info:
        read_table(path, table)
    assert str(info.value) == message


def test_parquet_duplicate_columns(tmp_path):
    arrays = [pa.Array.from_pandas(addresses_frame()[n]) for n in ADDRESSES.names]
    table = pa.Table.from_arrays([*arrays, arrays[1]], names=[*ADDRESSES.names, "district"])
    pq.write_table(table, tmp_path / "addresses.parquet")
    with pytest.raises(IngestError) as info:
        read_table(tmp_path / "addresses.parquet", ADDRESSES)
    assert str(info.value) == ("File addresses.parquet has column 'district' more than once (columns 2 and 11). "
                               "Each column of table 'addresses' may appear once; remove or rename the copies.")


def test_parquet_extra_column_warns(tmp_path):
    path = parquet_of(addresses_frame().assign(opmerking="x"), tmp_path / "addresses.parquet")
    result = read_table(path, ADDRESSES)
    pd.testing.assert_frame_equal(result.frame, with_problems(addresses_frame()))
    assert result.warnings == ("File addresses.parquet: column 'opmerking' is not part of table 'addresses' and "
                               "was dropped (docs/data-contract.md lists the columns).",)


# -- size -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["addresses.csv", "addresses.parquet", "addresses.xlsx"])
def test_too_large_is_refused_before_reading(tmp_path, name):
    path = tmp_path / name
    with path.open("wb") as handle:
        handle.truncate(2 * 1024 ** 3)          # sparse: costs no disk; all NUL bytes if it were read
    with pytest.raises(IngestError) as info:
        read_table(path, ADDRESSES)
    assert str(info.value) == (
        f"File {name} for table 'addresses' is 2048.0 MB, more than the limit of 1024 MB. Export the table as "
        "Parquet (much smaller), or raise the 'max_file_mb' parameter of ingest if this machine has the memory.")


def test_max_file_mb_is_the_limit(tmp_path):
    path = tmp_path / "addresses.csv"
    path.write_bytes(semicolon_csv(ADDRESSES, ADDRESS_ROWS))
    assert len(read_table(path, ADDRESSES, max_file_mb=0.001).frame) == 3      # 1 KiB limit, ~250 bytes file
    with pytest.raises(IngestError, match=r"^File addresses\.csv for table 'addresses' is 0\.0 MB, more than the "
                                          r"limit of 0\.0001 MB\. "):
        read_table(path, ADDRESSES, max_file_mb=0.0001)


def test_missing_file(tmp_path):
    with pytest.raises(IngestError) as info:
        read_table(tmp_path / "addresses.csv", ADDRESSES)
    assert str(info.value) == (f"File addresses.csv for table 'addresses' does not exist in {tmp_path}. "
                               "Allowed: addresses.csv or addresses.parquet.")


# -- finding the file ---------------------------------------------------------------
@pytest.mark.parametrize("name", ["addresses.csv", "addresses.parquet", "Addresses.CSV"])
def test_find_table_file(tmp_path, name):
    (tmp_path / name).write_bytes(b"x")
    (tmp_path / "addresses.xlsx").write_bytes(b"x")
    (tmp_path / "applications.csv").write_bytes(b"x")
    assert find_table_file(tmp_path, ADDRESSES) == tmp_path / name


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["addresses.csv", "addresses.parquet"],
         "Folder {folder} holds addresses.csv and addresses.parquet for table 'addresses'. Keep exactly one of them: "
         "addresses.csv or addresses.parquet."),
        (["addresses.xlsx", "addresses.csv.gz", "persons.csv"],
         "Folder {folder} has no file for table 'addresses' (found addresses.csv.gz and addresses.xlsx). "
         "Allowed: addresses.csv or addresses.parquet."),
        (["persons.csv"],
         "Folder {folder} has no file for table 'addresses'. Allowed: addresses.csv or addresses.parquet."),
    ],
)
def test_find_table_file_refusals(tmp_path, names, message):
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    with pytest.raises(IngestError) as info:
        find_table_file(tmp_path, ADDRESSES)
    assert str(info.value) == message.format(folder=tmp_path)


def test_find_table_file_in_a_missing_folder(tmp_path):
    with pytest.raises(IngestError) as info:
        find_table_file(tmp_path / "extract", ADDRESSES)
    assert str(info.value) == (f"Folder {tmp_path / 'extract'} does not exist. Point ingest at the folder that "
                               "holds addresses.csv or addresses.parquet.")


# -- the templates ---------------------------------------------------------------------
def test_every_exported_template_is_one_line_text():
    names = [n for n in readers.__all__ if n.isupper() and n != "PROBLEM_COLUMN"]
    assert len(names) == 25
    for name in names:
        template = getattr(readers, name)
        assert isinstance(template, str) and "\n" not in template and template.endswith((".", "'"))


def test_read_result_is_frozen(tmp_path):
    path = tmp_path / "addresses.csv"
    path.write_bytes(semicolon_csv(ADDRESSES, ADDRESS_ROWS))
    result = read_table(path, ADDRESSES)
    assert isinstance(result, ReadResult)
    with pytest.raises(AttributeError):
        result.encoding = "latin-1"  # type: ignore[misc]
    assert list(result.frame.columns) == [*ADDRESSES.names, "_ingest_problem"]
    assert os.path.exists(path)
