"""Inspectors' feedback: reading their worklist files, every refusal, idempotent recording, hit rates per route."""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
import yaml

from risico.governance import feedback as f
from risico.governance.routes import RouteError, read_routes, seal_routes

NOW = dt.datetime(2025, 4, 2, 10, 30, tzinfo=dt.UTC)
COMMENTS = "# Werklijst W-1\n# Vertrouwelijk: alleen voor de toezichthouder\n# Vul de kolom Uitkomst in\n"
HEADER_NL = "Zaaknummer;Naam;Uitkomst;Opmerking\n"


@pytest.fixture
def routes(tmp_path: Path) -> Path:
    """Run W-1: risk cases A-1, A-2, =A-3, 12345 (ranks 1-4); random cases B-1, B-2 (ranks 5-6)."""
    folder = tmp_path / "governance" / "routes"
    cases = pd.DataFrame({"case_id": ["A-1", "A-2", "=A-3", "12345", "B-1", "B-2"],
                          "route": ["risk"] * 4 + ["random"] * 2,
                          "rank": [1, 2, 3, 4, 5, 6], "score": [0.9, 0.8, 0.7, 0.6, 0.2, 0.1]})
    seal_routes(cases, run_id="W-1", decision_id="D-1", created="2025-03-01T09:00:00+00:00", folder=folder)
    return folder


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "governance" / "feedback"


def write(tmp_path: Path, text: str, name: str = "worklist.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def record(path: Path, routes: Path, out: Path, user: str = "inspecteur1") -> f.FeedbackResult:
    return f.record_feedback(path, routes_folder=routes, out=out, user=user, now=NOW)


def log_lines(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / f.OUTCOMES_FILE).read_text(encoding="utf-8").splitlines()]


def xlsx(tmp_path: Path, rows: list[list[Any]], name: str = "worklist.xlsx") -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


# ---------------------------------------------------------------- reading and recording

def test_csv_with_comments_semicolons_bom_dutch_labels_and_quote(tmp_path: Path, routes: Path, out: Path) -> None:
    path = write(tmp_path, COMMENTS + HEADER_NL
                 + "A-1;Jansen;Fraude;\n"
                 + "'=A-3;De Vries;fout HERSTELD;na gesprek\n"
                 + "B-1;Bakker;Niets gevonden;\n"
                 + "A-2;Smit;;\n", bom=True)
    result = record(path, routes, out)
    assert (len(result.recorded), result.already, result.empty) == (3, 0, 1)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    lines = (out / f.OUTCOMES_FILE).read_text(encoding="utf-8").splitlines()
    assert lines[0] == json.dumps({"case_id": "A-1", "outcome": "fraud", "recorded_at": "2025-04-02T10:30:00+00:00",
                                   "route": "risk", "run_id": "W-1", "source_file_sha256": sha,
                                   "user": "inspecteur1"}, ensure_ascii=False)
    assert [(r["case_id"], r["outcome"], r["route"]) for r in log_lines(out)] == [
        ("A-1", "fraud", "risk"), ("=A-3", "error_corrected", "risk"), ("B-1", "nothing", "random")]


def test_csv_with_commas_codes_and_english_labels(tmp_path: Path, routes: Path, out: Path) -> None:
    path = write(tmp_path, "case_id,outcome,score\nB-2,help offered,\"0,1\"\nA-2,error_corrected,0.8\n")
    record(path, routes, out)
    assert [(r["case_id"], r["outcome"]) for r in log_lines(out)] == [("B-2", "help_offered"),
                                                                       ("A-2", "error_corrected")]


def test_xlsx_with_title_rows_above_the_header(tmp_path: Path, routes: Path, out: Path) -> None:
    path = xlsx(tmp_path, [
        ["Werklijst toezicht, maart 2025"],
        ["Vertrouwelijk. De volgorde zegt niets over schuld."],
        [],
        [None, "Case id", "Naam", "OUTCOME"],
        [None, "'=A-3", "De Vries", "Fraud"],
        [None, 12345, "Pietersen", "Hulp aangeboden"],
        [None, "B-1", "Bakker", None],
    ])
    result = record(path, routes, out)
    assert (len(result.recorded), result.empty) == (2, 1)
    assert [(r["case_id"], r["outcome"]) for r in log_lines(out)] == [("=A-3", "fraud"), ("12345", "help_offered")]


def test_identical_resubmission_records_nothing_new(tmp_path: Path, routes: Path, out: Path) -> None:
    path = write(tmp_path, HEADER_NL + "A-1;;Fraude;\nB-1;;Niets gevonden;\n")
    record(path, routes, out)
    before = (out / f.OUTCOMES_FILE).read_bytes()
    again = record(path, routes, out)
    assert (len(again.recorded), again.already, again.empty) == (0, 2, 0)
    assert (out / f.OUTCOMES_FILE).read_bytes() == before


def test_extended_resubmission_records_only_the_new_cases(tmp_path: Path, routes: Path, out: Path) -> None:
    record(write(tmp_path, HEADER_NL + "A-1;;Fraude;\nA-2;;;\n"), routes, out)
    result = record(write(tmp_path, HEADER_NL + "A-1;;fraud;\nA-2;;Niets gevonden;\n", name="week2.csv"),
                    routes, out, user="inspecteur2")
    assert (len(result.recorded), result.already) == (1, 1)
    assert [(r["case_id"], r["user"]) for r in log_lines(out)] == [("A-1", "inspecteur1"), ("A-2", "inspecteur2")]


def test_same_case_twice_with_the_same_outcome_counts_once(tmp_path: Path, routes: Path, out: Path) -> None:
    result = record(write(tmp_path, HEADER_NL + "A-1;;Fraude;\nA-1;;fraud;\n"), routes, out)
    assert len(result.recorded) == 1 and len(log_lines(out)) == 1


def test_only_empty_outcomes_writes_nothing(tmp_path: Path, routes: Path, out: Path) -> None:
    result = record(write(tmp_path, COMMENTS + HEADER_NL + "A-1;;;\nB-1;;;\n"), routes, out)
    assert (len(result.recorded), result.already, result.empty) == (0, 0, 2)
    assert not out.exists()


# ---------------------------------------------------------------- refusals: exact message, nothing written

ALLOWED = ("nothing, error_corrected, help_offered, fraud, or their labels Niets gevonden, Fout hersteld, "
           "Hulp aangeboden, Fraude / Nothing found, Error corrected, Help offered, Fraud (any case)")


@pytest.mark.parametrize(("text", "message"), [
    (COMMENTS + "Naam;Uitkomst\nJansen;Fraude\n",
     "File {file}, row 4: no case-id column among the headers 'Naam', 'Uitkomst'. "
     "Accepted: case_id, Case id, Zaaknummer, Zorgaanbieder, Provider."),
    (COMMENTS + "Zaaknummer;Resultaat\nA-1;Fraude\n",
     "File {file}, row 4: no outcome column among the headers 'Zaaknummer', 'Resultaat'. "
     "Accepted: outcome, Outcome, Uitkomst."),
    ("Zaaknummer;case_id;Uitkomst\nA-1;A-1;Fraude\n",
     "File {file}, row 1: more than one case-id column ('Zaaknummer' in column 1, 'case_id' in column 2). "
     "Keep one of them."),
    (COMMENTS + HEADER_NL + "A-1;;Fraude;\nA-2;;Verdacht;\n",
     "File {file}, row 6: outcome 'Verdacht' is not allowed. Allowed: " + ALLOWED + "."),
    (HEADER_NL + "A-1;;Fraude;\n;;Fraude;\n",
     "File {file}, row 3: outcome 'Fraude' has no case id. Fill in the case id or clear the outcome."),
    (HEADER_NL + "A-1;;Fraude;\nB-1;;;\nA-1;;Niets gevonden;\n",
     "File {file}, row 4: case 'A-1' has outcome 'Niets gevonden', but row 2 gives it 'Fraude'. "
     "Give each case one outcome."),
    (HEADER_NL + "A-1;;Fraude;\nX-1;;Fraude;\nX-2;;;\nX-3;;fraud;\nX-4;;nothing;\nX-5;;nothing;\n",
     "File {file}: 4 case id(s) are not on any sealed worklist in {routes}: 'X-1' (row 3), 'X-3' (row 5), "
     "'X-4' (row 6) and 1 more. Only cases of a worklist made by python -m risico worklist can get an outcome."),
    (HEADER_NL + "A-1;;Fraude;\nA-1x;;Fraude;\n",
     "File {file}: 1 case id(s) are not on any sealed worklist in {routes}: 'A-1x' (row 3). "
     "Only cases of a worklist made by python -m risico worklist can get an outcome."),
    ("# alleen commentaar\n\n",
     "File {file} has no header row. Expected a row with a case-id column (case_id, Case id, Zaaknummer, Zorgaanbieder, Provider) "
     "and an outcome column (outcome, Outcome, Uitkomst)."),
])
def test_bad_csv_is_refused_and_nothing_written(tmp_path: Path, routes: Path, out: Path, text: str,
                                                message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(f.FeedbackError) as info:
        record(path, routes, out)
    assert str(info.value) == message.format(file=path, routes=routes)
    assert not out.exists()


def test_differing_outcome_for_a_recorded_case_is_refused(tmp_path: Path, routes: Path, out: Path) -> None:
    record(write(tmp_path, HEADER_NL + "A-1;;Fraude;\n"), routes, out)
    before = (out / f.OUTCOMES_FILE).read_bytes()
    path = write(tmp_path, COMMENTS + HEADER_NL + "B-1;;Niets gevonden;\nA-1;;Niets gevonden;\n", name="w2.csv")
    with pytest.raises(f.FeedbackError) as info:
        record(path, routes, out)
    assert str(info.value) == (
        f"File {path}, row 6: case 'A-1' already has outcome 'fraud' (recorded 2025-04-02T10:30:00+00:00 by "
        "inspecteur1); the file says 'Niets gevonden'. A recorded outcome is never changed: correct the file.")
    assert (out / f.OUTCOMES_FILE).read_bytes() == before      # B-1 was not recorded either


def test_no_sealed_worklist_is_refused(tmp_path: Path, out: Path) -> None:
    path = write(tmp_path, HEADER_NL + "A-1;;Fraude;\n")
    empty = tmp_path / "no-routes"
    with pytest.raises(f.FeedbackError) as info:
        record(path, empty, out)
    assert str(info.value) == (
        f"File {path}: there is no sealed worklist in {empty}, so no case can get an outcome. Make the worklist "
        "with python -m risico worklist first, or pass its folder with --routes.")
    assert not out.exists()


def test_edited_route_file_stops_feedback(tmp_path: Path, routes: Path, out: Path) -> None:
    sealed = routes / "W-1.json"
    sealed.write_text(sealed.read_text(encoding="utf-8").replace('"random"', '"risk"'), encoding="utf-8")
    with pytest.raises(RouteError, match=f"Route file {sealed} was edited after it was sealed"):
        record(write(tmp_path, HEADER_NL + "A-1;;Fraude;\n"), routes, out)
    assert not out.exists()


def test_bad_xlsx_outcome_names_the_excel_row(tmp_path: Path, routes: Path, out: Path) -> None:
    path = xlsx(tmp_path, [["Werklijst"], [], ["Zaaknummer", "Uitkomst"], ["A-1", "Fraude"], ["A-2", 3]])
    with pytest.raises(f.FeedbackError) as info:
        record(path, routes, out)
    assert str(info.value) == f"File {path}, row 5: outcome '3' is not allowed. Allowed: {ALLOWED}."
    assert not out.exists()


def test_xlsx_without_case_id_header_names_its_first_row(tmp_path: Path, routes: Path, out: Path) -> None:
    path = xlsx(tmp_path, [[], ["Titel"], ["Naam", "Uitkomst"]])
    with pytest.raises(f.FeedbackError) as info:
        record(path, routes, out)
    assert str(info.value) == (f"File {path}, row 2: no case-id column among the headers 'Titel'. "
                               "Accepted: case_id, Case id, Zaaknummer, Zorgaanbieder, Provider.")


@pytest.mark.parametrize(("name", "content", "message"), [
    ("worklist.txt", b"Zaaknummer;Uitkomst\n",
     "File {file} has extension '.txt'. Allowed: the worklist as .csv (separated by ';' or ',') or as .xlsx."),
    ("worklist.xlsx", b"Zaaknummer;Uitkomst\n",
     "File {file} cannot be read as an Excel workbook (BadZipFile). Save it again as .xlsx, or as CSV."),
    ("worklist.csv", b"Zaaknummer;Uitkomst\nA-1;Fraude\nA-2;Ni\xe9ts\n",
     "File {file}, row 3: the text is not UTF-8 (byte 0xe9). Save it as 'CSV UTF-8' or as .xlsx."),
])
def test_unreadable_files_are_refused(tmp_path: Path, routes: Path, out: Path, name: str, content: bytes,
                                      message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(f.FeedbackError) as info:
        record(path, routes, out)
    assert str(info.value) == message.format(file=path)
    assert not out.exists()


def test_missing_file_is_refused(tmp_path: Path, routes: Path, out: Path) -> None:
    with pytest.raises(f.FeedbackError) as info:
        record(tmp_path / "weg.csv", routes, out)
    assert str(info.value) == (f"File {tmp_path / 'weg.csv'} does not exist. Pass the worklist with the "
                               "inspectors' outcomes (.csv or .xlsx) with --file.")


def test_damaged_outcome_log_is_refused(tmp_path: Path, routes: Path, out: Path) -> None:
    out.mkdir(parents=True)
    (out / f.OUTCOMES_FILE).write_text('{"case_id": "A-1"\n', encoding="utf-8")
    with pytest.raises(f.FeedbackError) as info:
        record(write(tmp_path, HEADER_NL + "A-2;;Fraude;\n"), routes, out)
    assert str(info.value) == (f"Outcome file {out / f.OUTCOMES_FILE}, line 1 is not an outcome record "
                               "(Expecting ',' delimiter). The file is append-only: restore it from the backup "
                               "instead of editing it.")
    assert (out / f.OUTCOMES_FILE).read_text(encoding="utf-8") == '{"case_id": "A-1"\n'


def test_empty_user_is_refused(tmp_path: Path, routes: Path, out: Path) -> None:
    with pytest.raises(f.FeedbackError) as info:
        record(write(tmp_path, HEADER_NL + "A-1;;Fraude;\n"), routes, out, user=" ")
    assert str(info.value) == "Option --user must be a non-empty name. Got ' ' instead."
    assert not out.exists()


# ---------------------------------------------------------------- hit rates

def test_outcome_summary_by_route_on_a_hand_made_example() -> None:
    routes = pd.DataFrame({"run_id": ["W1"] * 6 + ["W2"],
                           "case_id": ["r1", "r2", "r3", "r4", "s1", "s2", "r1"],
                           "route": ["risk"] * 4 + ["random"] * 2 + ["random"]})
    outcomes = pd.DataFrame({"run_id": ["W1"] * 5 + ["W9"],
                             "case_id": ["r1", "r2", "r3", "r4", "s1", "zz"],
                             "outcome": ["fraud", "error_corrected", "help_offered", "nothing", "nothing", "fraud"]})
    summary = f.outcome_summary(routes, outcomes)
    assert summary.to_dict("records") == [
        {"route": "risk", "handled": 4, "findings": 2, "help_offered": 1, "hit_rate": 0.5},
        {"route": "random", "handled": 1, "findings": 0, "help_offered": 0, "hit_rate": 0.0},
    ]


def test_outcome_summary_without_outcomes_has_no_rate(routes: Path, out: Path) -> None:
    summary = f.outcome_summary(read_routes(routes), f.read_outcomes(out))
    assert summary[["handled", "findings", "help_offered"]].to_numpy().tolist() == [[0, 0, 0], [0, 0, 0]]
    assert summary["hit_rate"].map(math.isnan).all()


def test_read_outcomes_round_trip(tmp_path: Path, routes: Path, out: Path) -> None:
    assert f.read_outcomes(out).empty and list(f.read_outcomes(out).columns) == list(f.OUTCOME_COLUMNS)
    record(write(tmp_path, HEADER_NL + "A-1;;Fraude;\nB-2;;Niets gevonden;\n"), routes, out)
    frame = f.read_outcomes(out)
    assert frame[["case_id", "run_id", "route", "outcome"]].to_numpy().tolist() == [
        ["A-1", "W-1", "risk", "fraud"], ["B-2", "W-1", "random", "nothing"]]


# ---------------------------------------------------------------- the command

def params(tmp_path: Path, language: str) -> Path:
    path = tmp_path / f"params-{language}.yaml"
    path.write_text(yaml.safe_dump({"report": {"language": language}}), encoding="utf-8")
    return path


def run(tmp_path: Path, path: Path, routes: Path, out: Path, language: str, *extra: str) -> None:
    parser = argparse.ArgumentParser()
    f.add_arguments(parser)
    args = parser.parse_args(["--file", str(path), "--routes", str(routes), "--out", str(out),
                              "--params", str(params(tmp_path, language)), *extra])
    f.run(args)


FILE = (COMMENTS + HEADER_NL + "A-1;;Fraude;\nA-2;;Fout hersteld;\n=A-3;;Niets gevonden;\n"
        "12345;;Hulp aangeboden;\nB-1;;Niets gevonden;\nB-2;;;\n")


def test_summary_in_dutch(tmp_path: Path, routes: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(tmp_path, write(tmp_path, FILE), routes, out, "nl", "--user", "toezicht")
    assert capsys.readouterr().out == (
        "Uitkomsten uit worklist.csv: 5 nu vastgelegd, 0 al eerder vastgelegd, 1 zonder uitkomst "
        "(nog niet afgehandeld, overgeslagen).\n"
        "Stand over alle werklijsten (bevinding = fout hersteld of fraude):\n"
        "Risicoselectie: 4 afgehandeld, 2 bevindingen (50%), 1 keer hulp aangeboden; "
        "Willekeurige steekproef: 1 afgehandeld, 0 bevindingen (0%), 0 keer hulp aangeboden\n")
    assert {r["user"] for r in log_lines(out)} == {"toezicht"}


def test_summary_in_english_and_user_from_environment(tmp_path: Path, routes: Path, out: Path,
                                                      capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("USER", "jdevries")
    run(tmp_path, write(tmp_path, HEADER_NL + "A-1;;Fraude;\nA-2;;Niets gevonden;\nB-1;;;\n"), routes, out, "en")
    run(tmp_path, write(tmp_path, HEADER_NL + "A-1;;Fraude;\n", name="again.csv"), routes, out, "en")
    assert capsys.readouterr().out.splitlines()[-3:] == [
        "Outcomes from again.csv: 0 recorded now, 1 already recorded, 0 without an outcome "
        "(not yet handled, skipped).",
        "All worklists so far (finding = error corrected or fraud):",
        "Risk selection: 2 handled, 1 findings (50%), help offered 0 time(s); "
        "Random sample: 0 handled, 0 findings (–), help offered 0 time(s)",
    ]
    assert {r["user"] for r in log_lines(out)} == {"jdevries"}


def test_user_falls_back_to_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("USER", raising=False)
    monkeypatch.delenv("USERNAME", raising=False)
    assert f._default_user() == "unknown"
