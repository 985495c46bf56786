"""The ingest stage end to end: synthetic or own files, the privacy gate before any write."""

from __future__ import annotations

import pytest
import yaml

from risico.cli import main
from risico.contract import CONTRACT
from risico.ingest.export import to_dutch_csv
from risico.io import write_parquet
from tests.conftest import repo_params, set_key

VALID_BSN = "111222333"


@pytest.fixture(scope="module")
def world(make_params):
    from risico.synth import generate_world
    return generate_world(make_params(n_persons=1500))


def write_world(folder, world, kind="parquet"):
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in world.raw.items():
        if kind == "parquet":
            write_parquet(frame, folder / f"{name}.parquet")
        else:
            to_dutch_csv(frame, folder / f"{name}.csv")


def ingest(tmp_path, source, files=None):
    params = tmp_path / "params.yaml"
    params.write_text(yaml.safe_dump(set_key(repo_params(), "data.source", source)), encoding="utf-8")
    return main(["--quiet", "ingest", "--params", str(params), "--synthetic", str(tmp_path / "raw"),
                 "--files", str(files or tmp_path / "extracts"), "--out", str(tmp_path / "ingested")])


def test_synthetic_source_is_typed_and_keeps_every_row(tmp_path, world):
    write_world(tmp_path / "raw", world)
    assert ingest(tmp_path, "synthetic") == 0
    import pandas as pd
    for name, frame in world.raw.items():
        got = pd.read_parquet(tmp_path / "ingested" / f"{name}.parquet")
        assert list(got.columns) == [*CONTRACT[name].names, "_ingest_problem"]
        assert len(got) == len(frame) and got["_ingest_problem"].isna().all()


# one column per table, each of another kind (ids, text, numbers, dates are all scanned)
PLANT = {"persons": "education_level", "households": "postcode4", "addresses": "landlord_id",
         "providers": "director_id", "applications": "declared_assets", "declarations": "hours_billed",
         "investigations": "route", "absences": "kind"}


@pytest.mark.parametrize("table", list(CONTRACT))
def test_a_bsn_in_any_table_stops_ingest_before_anything_is_written(tmp_path, capsys, world, table):
    extracts = tmp_path / "extracts"
    write_world(extracts, world, kind="csv")
    path = extracts / f"{table}.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(";")
    cells = lines[5].split(";")
    cells[header.index(PLANT[table])] = VALID_BSN
    lines[5] = ";".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert ingest(tmp_path, "files") == 2
    err = capsys.readouterr().err
    assert err.startswith(f"risico ingest: error: Privacy gate: table '{table}', column '{PLANT[table]}' "
                          "contains 1 value(s) that look like a BSN")
    assert VALID_BSN not in err and err.count("\n") == 1
    assert not (tmp_path / "ingested").exists()


def test_an_identifying_extra_column_stops_ingest(tmp_path, capsys, world):
    extracts = tmp_path / "extracts"
    write_world(extracts, world, kind="csv")
    frame = world.raw["households"].assign(email="jan.jansen@example.nl")
    to_dutch_csv(frame, extracts / "households.csv")
    assert ingest(tmp_path, "files") == 2
    assert "table 'households', column 'email'" in capsys.readouterr().err
    assert not (tmp_path / "ingested").exists()


# issue 13: each of these reached data/interim before; an extra column or a typed one, every one stops ingest
LEAKS = [
    ("households", "klantnaam", "Jansen",
     "has a name that suggests a direct identifier (rule: a personal name: a word ending in 'naam'; "),
    ("households", "naam_aanvrager", "de Vries",
     "has a name that suggests a direct identifier (rule: a personal name: the word 'naam'; "),
    ("households", "rekening", "nl91abna0417164300", "contains 1 value(s) that look like an IBAN"),
    ("households", "klant_nr", "10000021", "contains 1 value(s) that look like a BSN (citizen service number) "
                                           "that lost its leading zero(s), e.g. '10*****1'"),
    ("households", "telefoon_thuis", "06.12.34.56.78", "contains 1 value(s) that look like a Dutch phone number"),
    ("persons", "contact", "(06) 12345678", "contains 1 value(s) that look like a Dutch phone number"),
    ("persons", "contact", "06 - 1234 5678", "contains 1 value(s) that look like a Dutch phone number"),
]


@pytest.mark.parametrize(("table", "column", "value", "says"), LEAKS, ids=[leak[2] for leak in LEAKS])
def test_an_identifier_in_an_extra_column_stops_ingest(tmp_path, capsys, world, table, column, value, says):
    extracts = tmp_path / "extracts"
    write_world(extracts, world, kind="csv")
    frame = world.raw[table].copy()
    if column in ("klantnaam", "naam_aanvrager"):
        frame[column] = value
    else:
        frame[column] = "onbekend"
        frame.loc[frame.index[3], column] = value
    to_dutch_csv(frame, extracts / f"{table}.csv")
    assert ingest(tmp_path, "files") == 2
    err = capsys.readouterr().err
    assert err.startswith(f"risico ingest: error: Privacy gate: table '{table}', column '{column}' {says}")
    assert err.count("\n") == 1 and (column in ("klantnaam", "naam_aanvrager") or value not in err)
    assert not (tmp_path / "ingested").exists()


def test_unknown_source_is_a_parameter_error(tmp_path, capsys):
    assert ingest(tmp_path, "database") == 2
    assert capsys.readouterr().err == ("risico ingest: error: The 'source' parameter of data must be one of "
                                       "'synthetic', 'files'. Got 'database' instead.\n")


def test_original_files_are_not_modified(tmp_path, world):
    extracts = tmp_path / "extracts"
    write_world(extracts, world, kind="csv")
    before = {p.name: p.read_bytes() for p in extracts.iterdir()}
    assert ingest(tmp_path, "files") == 0
    assert {p.name: p.read_bytes() for p in extracts.iterdir()} == before


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_a_header_only_absences_file_is_a_valid_empty_table(tmp_path, world, kind):
    """A municipality without hospital or abroad data supplies the header only; other tables still need rows."""
    import pandas as pd
    raw = dict(world.raw)
    raw["absences"] = world.raw["absences"].iloc[:0]
    extracts = tmp_path / "extracts"
    extracts.mkdir()
    for name, frame in raw.items():
        if kind == "parquet":
            write_parquet(frame, extracts / f"{name}.parquet")
        else:
            to_dutch_csv(frame, extracts / f"{name}.csv")
    assert ingest(tmp_path, "files") == 0
    got = pd.read_parquet(tmp_path / "ingested" / "absences.parquet")
    assert len(got) == 0 and list(got.columns) == [*CONTRACT["absences"].names, "_ingest_problem"]
