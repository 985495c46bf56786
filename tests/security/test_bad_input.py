"""The bad-input catalogue (issue 13, items 5 and 7): formula injection is neutralised in every table risico
writes, and every bad input to ``audit-scores`` is one line, with nothing written.

Each case runs through the real command line and checks the exact message and that ``--out`` was not made.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import risico
from risico.audit import io as aio
from risico.audit import scores_cli
from risico.cli import main
from risico.contract import CONTRACT
from risico.governance.sheets import write_csv as worklist_csv
from risico.governance.sheets import write_xlsx as worklist_xlsx
from risico.ingest.export import to_dutch_csv
from risico.ingest.readers import NOT_CSV, UNREADABLE_PARQUET, FIELD_COUNT, IngestError, read_table
from risico.sniff import MIXED_ENCODING

HOSTILE = "=cmd|' /C calc'!A0"
GUARDED = "'" + HOSTILE
ROWS = 240


def scored(n: int = ROWS, *, groups=("a", "b", HOSTILE), label=None, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"score": rng.random(n), "label": rng.integers(0, 2, n) if label is None else label(n),
                         "group": rng.choice(list(groups), n)})


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    scored().to_csv("scores.csv", index=False)
    return tmp_path


def audit(capsys, table: str = "scores.csv", *extra: str, out: str = "out") -> tuple[int, str]:
    argv = ["--quiet", "audit-scores", "--input", table, "--score", "score", "--label", "label", "--sensitive",
            "group", "--n-boot", "20", "--out", out]
    if not any(option in extra for option in ("--top-k", "--threshold")):
        argv += ["--top-k", "20"]
    capsys.readouterr()
    status = main([*argv, *extra])
    return status, capsys.readouterr().err


def refused(capsys, message: str, table: str = "scores.csv", *extra: str) -> None:
    status, err = audit(capsys, table, *extra)
    assert (status, err) == (2, f"risico audit-scores: error: {message}\n")
    assert not Path("out").exists()


# -- item 5: formula injection ------------------------------------------------------------------------------------
def test_by_group_csv_of_audit_scores_neutralises_a_hostile_group_name(folder, capsys):
    assert audit(capsys, "scores.csv", "--min-group-size", "5") == (0, "")
    groups = pd.read_csv("out/by_group.csv", dtype=str)["group"].tolist()
    assert GUARDED in groups and HOSTILE not in groups
    assert "a" in groups and "b" in groups


def test_the_worklist_csv_and_xlsx_neutralise_a_hostile_value(tmp_path):
    table = pd.DataFrame({"case": [HOSTILE, "AV002"], "group": ["@x", "west"], "score": [-0.5, 0.5]})
    worklist_csv(table, ["-title"], tmp_path / "w.csv")
    text = (tmp_path / "w.csv").read_text(encoding="utf-8-sig").splitlines()
    assert text == ["# '-title", "case;group;score", f"{GUARDED};'@x;-0.5", "AV002;west;0.5"]
    worklist_xlsx(table, ["-title"], tmp_path / "w.xlsx", sheet="lijst", date=pd.Timestamp("2026-01-01").date(),
                  widths=["narrow"] * 3)
    sheet = openpyxl.load_workbook(tmp_path / "w.xlsx").active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "'-title"
    assert rows[3] == [GUARDED, "'@x", -0.5] and rows[4] == ["AV002", "west", 0.5]
    assert sheet.cell(row=4, column=1).data_type == "s"


def test_the_dutch_export_neutralises_a_hostile_value_and_keeps_negative_numbers(tmp_path):
    to_dutch_csv(pd.DataFrame({"name": [HOSTILE, "\tx"], "amount": [-12.5, 3.0]}), tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_text(encoding="utf-8-sig").splitlines() == [
        "name;amount", f"{GUARDED};-12,5", "'\tx;3,0"]


def test_no_module_writes_a_table_past_the_guarded_writer():
    """Every CSV and XLSX goes through risico.tables (the XLSX writer through its cell guard)."""
    src = Path(risico.__file__).parent
    raw = {path.relative_to(src).as_posix() for path in src.rglob("*.py")
           if re.search(r"\.to_csv\(|\.to_excel\(|csv\.writer\(|Workbook\(", path.read_text(encoding="utf-8"))}
    assert raw == {"tables.py", "governance/sheets.py"}
    assert "guard_cells(table)" in (src / "governance" / "sheets.py").read_text(encoding="utf-8")


# -- item 7: every bad input is one line, and nothing is written -------------------------------------------------
def _gzip(path: Path) -> None:
    path.write_bytes(gzip.compress(scored().to_csv(index=False).encode()))


def _utf16(path: Path) -> None:
    scored().to_csv(path, index=False, encoding="utf-16")


def _ragged(path: Path) -> None:
    path.write_text("score,label,group\n0.1,1,a\n0.2,0,b,extra\n", encoding="utf-8")


def _short(path: Path) -> None:
    path.write_text("score,label,group\n0.1,1,a\n0.2,0\n", encoding="utf-8")


def _mixed(path: Path) -> None:
    path.write_bytes("score,label,group\n0.1,1,wëst\n".encode() + "0.2,0,wëst\n".encode("latin-1"))


def _corrupt_parquet(path: Path) -> None:
    path.write_bytes(b"PAR1" + b"\x00" * 40 + b"PAR1")


def _csv_as_parquet(path: Path) -> None:
    path.write_text("score,label,group\n0.1,1,a\n", encoding="utf-8")


@pytest.mark.parametrize(("name", "make", "message"), [
    ("missing.csv", None, aio.NO_FILE.format(path="missing.csv")),
    ("gz.csv", _gzip, aio.NOT_CSV.format(file="gz.csv", found="gzip-compressed data")),
    ("utf16.csv", _utf16, aio.NOT_CSV.format(file="utf16.csv", found="UTF-16 text")),
    ("ragged.csv", _ragged, aio.FIELD_COUNT.format(file="ragged.csv", line=3, found=4, expected=3, sep="','")),
    ("short.csv", _short, aio.FIELD_COUNT.format(file="short.csv", line=3, found=2, expected=3, sep="','")),
    ("mixed.csv", _mixed, MIXED_ENCODING.format(file="mixed.csv", line=3, byte="EB", utf8_line=2)),
    ("bad.parquet", _corrupt_parquet, None),
    ("text.parquet", _csv_as_parquet, aio.NOT_PARQUET.format(file="text.parquet", found="text (a CSV file?)")),
])
def test_a_bad_file_is_one_line_and_nothing_is_written(folder, capsys, name, make, message):
    if make is not None:
        make(folder / name)
    if message is None:
        status, err = audit(capsys, name)
        prefix = "risico audit-scores: error: File bad.parquet starts like Parquet but cannot be read ("
        assert status == 2 and err.startswith(prefix) and err.count("\n") == 1
        assert err.endswith("). Export the table again as Parquet or as CSV.\n")
        assert not Path("out").exists()
    else:
        refused(capsys, message, name)


def test_latin1_group_names_are_decoded_not_mangled(folder, capsys):
    scored(groups=("wëstern", "zuid")).to_csv("latin.csv", index=False, encoding="latin-1")
    assert audit(capsys, "latin.csv") == (0, "")
    assert sorted(pd.read_csv("out/by_group.csv")["group"]) == ["wëstern", "zuid"]


@pytest.mark.parametrize(("extra", "message"), [
    (("--min-group-size", "0"), scores_cli.BAD_OPTION.format(option="--min-group-size", allowed="an int >= 5",
                                                             value=0)),
    (("--min-group-size", "4"), scores_cli.BAD_OPTION.format(option="--min-group-size", allowed="an int >= 5",
                                                             value=4)),
    (("--n-boot", "0"), scores_cli.BAD_OPTION.format(option="--n-boot", allowed="an int >= 1", value=0)),
    (("--seed", "-1"), scores_cli.BAD_OPTION.format(option="--seed", allowed="an int >= 0", value=-1)),
    (("--max-groups", "0"), scores_cli.BAD_OPTION.format(option="--max-groups", allowed="an int >= 1", value=0)),
    (("--reference", "zzz"), scores_cli.UNKNOWN_REFERENCE.format(value="zzz", columns="'group'", min_size=10,
                                                                 allowed=f"'{HOSTILE}', 'a', 'b'")),
    (("--top-k", str(ROWS)), aio.ALL_SELECTED.format(k=ROWS, n=ROWS, most=ROWS - 1)),
    (("--top-k", "0"), aio.TOP_K.format(k=0)),
    (("--max-groups", "2"), scores_cli.TOO_MANY_GROUPS.format(count=3, what="column 'group'", limit=2)),
])
def test_a_bad_option_is_one_line_naming_the_option(folder, capsys, extra, message):
    refused(capsys, message, "scores.csv", *extra)
    assert "AuditParams" not in message


def test_a_threshold_that_selects_every_row_is_refused(folder, capsys):
    low = float(pd.read_csv("scores.csv")["score"].min())
    status, err = audit(capsys, "scores.csv", "--threshold", str(low))
    assert status == 2 and "so that some but not all cases are selected" in err and err.count("\n") == 1
    assert not Path("out").exists()


@pytest.mark.parametrize(("label", "message"), [
    (lambda n: np.where(np.arange(n) % 2, 2, -1),
     aio.BAD_LABEL.format(option="--label", column="label", values="'-1' and '2'")),
    (lambda n: np.zeros(n, dtype=int), aio.ONE_CLASS.format(option="--label", column="label", value=0)),
    (lambda n: np.ones(n, dtype=int), aio.ONE_CLASS.format(option="--label", column="label", value=1)),
])
def test_labels_that_cannot_be_judged_are_refused(folder, capsys, label, message):
    scored(label=label).to_csv("labels.csv", index=False)
    refused(capsys, message, "labels.csv")


def staged(n: int = ROWS) -> pd.DataFrame:
    """``scored()`` with a stage column (train, pilot), an income column and a second, differing score."""
    frame = scored(n)
    return frame.assign(stage=np.where(np.arange(n) % 2, "pilot", "train"), income=np.arange(n) * 1.5,
                        risk=frame["score"], other=frame["score"][::-1].to_numpy()).rename(columns={"other": "risk"})


@pytest.mark.parametrize(("extra", "message"), [
    (("--stage", "phase"), aio.NO_COLUMN.format(option="--stage", column="phase", file="staged.csv",
                                                 columns="score, label, group, stage, income, risk, risk")),
    (("--stage", "stage", "--stage-order", "train,pilot,audit"),
     "Option --stage-order: stage 'audit' is not a value of column 'stage'. Values: pilot, train."),
    (("--stage", "stage", "--stage-order", "train"),
     "Option --stage-order: stage 'pilot' of column 'stage' is not listed. List every stage once: pilot, train."),
    (("--stage-order", "train,pilot"),
     "Option --stage-order needs --stage COLUMN (the column that names each row's stage)."),
    (("--features", "income,wealth"), aio.NO_COLUMN.format(option="--features", column="wealth", file="staged.csv",
                                                            columns="score, label, group, stage, income, risk, risk")),
    (("--features", "income,group"),
     "Option --features: column 'group' is a --sensitive column; a protected attribute cannot be checked as its "
     "own proxy. Allowed: the table's other columns."),
    (("--reference", "sex=a"), "Option --reference: 'sex' (in 'sex=a') is not a --sensitive attribute or "
                               "intersection. Allowed: 'group'."),
    (("--reference", "group=c"), f"Option --reference: 'c' (in 'group=c') is not a group of 'group' with at least "
                                 f"10 rows (--min-group-size). Allowed: '{HOSTILE}', 'a', 'b'."),
    (("--reference", "group=a", "--reference", "group=b"),
     "Option --reference names attribute 'group' twice. Give one reference per attribute."),
    (("--score", "risk"), "Option --score: column 'risk' appears 2 times in staged.csv (positions 6, 7) and the "
                          "copies differ (first in row 1). Choose one as 'risk#1' or 'risk#2', or rename the copies."),
    (("--score", "risk#3"), "Option --score: column 'risk' appears 2 time(s) in staged.csv; 'risk#3' asks for copy "
                            "3. Allowed: 'risk#1' or 'risk#2'."),
])
def test_a_bad_stage_feature_reference_or_copy_option_is_one_line(folder, capsys, extra, message):
    staged().to_csv("staged.csv", index=False)
    refused(capsys, message, "staged.csv", *extra)      # a second --score replaces the default one


@pytest.mark.parametrize("option", ["--truth", "--random-value"])
def test_outcome_options_without_a_label_are_one_line(folder, capsys, option):
    capsys.readouterr()
    status = main(["--quiet", "audit-scores", "--input", "scores.csv", "--score", "score", "--sensitive", "group",
                   "--top-k", "20", "--out", "out", option, "label"])
    assert (status, capsys.readouterr().err) == (2, f"risico audit-scores: error: Option {option} needs --label: "
                                                    f"without outcomes the audit cannot compare them. Leave {option} "
                                                    f"out, or give the outcome column as --label.\n")
    assert not Path("out").exists()


def test_ten_thousand_groups_stop_at_once_with_the_count_and_the_option(folder, capsys):
    groups = [f"g{i:05d}" for i in range(10_000)]
    pd.DataFrame({"score": np.linspace(0, 1, 20_000), "label": np.tile([0, 1], 10_000),
                  "group": np.repeat(groups, 2)}).to_csv("many.csv", index=False)
    refused(capsys, scores_cli.TOO_MANY_GROUPS.format(count=10_000, what="column 'group'",
                                                      limit=scores_cli.MAX_GROUPS), "many.csv")


# -- the same files through ingest: one line each (the shared detection of risico.sniff) --------------------------
def test_ingest_refuses_the_same_files_with_one_line(tmp_path):
    persons = CONTRACT["persons"]
    _gzip(tmp_path / "persons.csv")
    with pytest.raises(IngestError) as info:
        read_table(tmp_path / "persons.csv", persons)
    assert str(info.value) == NOT_CSV.format(file="persons.csv", table="persons", found="gzip-compressed data")
    _corrupt_parquet(tmp_path / "persons.parquet")
    with pytest.raises(IngestError) as info:
        read_table(tmp_path / "persons.parquet", persons)
    assert str(info.value).startswith(UNREADABLE_PARQUET.split("(")[0].format(file="persons.parquet",
                                                                             table="persons"))
    header = ";".join(persons.names)
    (tmp_path / "persons.csv").write_text(f"{header}\n{';' * (len(persons.names) + 1)}\n", encoding="utf-8")
    with pytest.raises(IngestError) as info:
        read_table(tmp_path / "persons.csv", persons)
    assert str(info.value) == FIELD_COUNT.format(file="persons.csv", line=2, found=len(persons.names) + 2,
                                                 table="persons", expected=len(persons.names), sep="';'")
