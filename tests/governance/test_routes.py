"""Sealed routes: writing once, reading back, and refusing edited, renamed or invalid route files."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from risico.errors import RisicoError
from risico.governance import routes as r

RUN = "W-20250301-0900"
DECISION = "D-20250301-abcdef01"
CREATED = "2025-03-01T09:00:00+00:00"


def cases(**overrides: list[Any]) -> pd.DataFrame:
    columns: dict[str, list[Any]] = {
        "case_id": ["A-3", "A-1", "B-1", "A-2"],
        "route": ["risk", "risk", "random", "risk"],
        "rank": [3, 1, 4, 2],
        "score": [0.5, 0.9, 0.05, 0.7],
    }
    return pd.DataFrame({**columns, **overrides})


def seal(folder: Path, frame: pd.DataFrame | None = None, run_id: str = RUN, **kwargs: Any) -> tuple[Path, str]:
    fields = {"decision_id": DECISION, "created": CREATED, **kwargs}
    return r.seal_routes(cases() if frame is None else frame, run_id=run_id, folder=folder, **fields)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "governance" / "routes"


# ---------------------------------------------------------------- round trip

def test_seal_then_read_round_trip(folder: Path) -> None:
    path, digest = seal(folder)
    assert path == folder / f"{RUN}.json"
    assert digest == hashlib.sha256(path.read_bytes()).hexdigest()
    frame = r.read_routes(folder)
    assert list(frame.columns) == list(r.COLUMNS)
    assert frame["case_id"].tolist() == ["A-1", "A-2", "A-3", "B-1"]
    assert frame["route"].tolist() == ["risk", "risk", "risk", "random"]
    assert frame["rank"].tolist() == [1, 2, 3, 4]
    assert frame["score"].tolist() == [0.9, 0.7, 0.5, 0.05]
    assert set(frame["run_id"]) == {RUN} and set(frame["decision_id"]) == {DECISION}
    assert str(frame["rank"].dtype) == "int64" and str(frame["score"].dtype) == "float64"


def test_file_layout_and_seal(folder: Path) -> None:
    path, _ = seal(folder)
    content = json.loads(path.read_text(encoding="utf-8"))
    assert set(content) == {"run_id", "decision_id", "created", "cases", "seal"}
    assert [case["rank"] for case in content["cases"]] == [1, 2, 3, 4]
    body = {key: value for key, value in content.items() if key != "seal"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert content["seal"] == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]   # no temporary file left


def test_several_runs_are_read_together_sorted(folder: Path) -> None:
    seal(folder, run_id="W-2")
    seal(folder, cases(case_id=["Z-3", "Z-1", "Z-4", "Z-2"]), run_id="W-1")
    frame = r.read_routes(folder)
    assert frame["run_id"].tolist() == ["W-1"] * 4 + ["W-2"] * 4
    assert frame["case_id"].tolist()[:4] == ["Z-1", "Z-2", "Z-3", "Z-4"]


def test_non_ascii_case_ids_survive(folder: Path) -> None:
    seal(folder, cases(case_id=["Zaak-é", "A-1", "B-1", "A-2"]))
    assert "Zaak-é" in r.read_routes(folder)["case_id"].tolist()


@pytest.mark.parametrize("make", [lambda tmp: tmp / "missing", lambda tmp: tmp])
def test_missing_or_empty_folder_gives_empty_frame(tmp_path: Path, make: Any) -> None:
    frame = r.read_routes(make(tmp_path))
    assert frame.empty and list(frame.columns) == list(r.COLUMNS)


# ---------------------------------------------------------------- tampering

def test_edited_route_is_detected(folder: Path) -> None:
    path, _ = seal(folder)
    path.write_text(path.read_text(encoding="utf-8").replace('"random"', '"risk"'), encoding="utf-8")
    with pytest.raises(r.RouteError) as info:
        r.read_routes(folder)
    assert str(info.value) == (
        f"Route file {path} was edited after it was sealed: its seal no longer matches its content. "
        "Restore it from git; routes may not be changed after the worklist was made.")


def test_added_field_is_detected(folder: Path) -> None:
    path, _ = seal(folder)
    content = json.loads(path.read_text(encoding="utf-8"))
    content["note"] = "added later"
    path.write_text(json.dumps(content), encoding="utf-8")
    with pytest.raises(r.RouteError, match="was edited after it was sealed"):
        r.read_routes(folder)


def test_renamed_file_is_detected(folder: Path) -> None:
    path, _ = seal(folder)
    moved = path.rename(folder / "W-other.json")
    with pytest.raises(r.RouteError) as info:
        r.read_routes(folder)
    assert str(info.value) == (f"Route file {moved} holds run_id '{RUN}': it was renamed after it was sealed. "
                               f"Rename it back to {RUN}.json.")


def test_damaged_file_is_named(folder: Path) -> None:
    path, _ = seal(folder)
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(r.RouteError) as info:
        r.read_routes(folder)
    assert str(info.value) == (f"Route file {path} cannot be read as JSON (JSONDecodeError). "
                               "Restore it from git: it was damaged after sealing.")


def test_existing_run_is_never_overwritten(folder: Path) -> None:
    path, _ = seal(folder)
    before = path.read_bytes()
    with pytest.raises(r.RouteError) as info:
        seal(folder, cases(route=["random"] * 4))
    assert str(info.value) == (f"Route file {path} already exists. Sealed routes are written once: give this "
                               "worklist run a new run_id instead of overwriting.")
    assert path.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == [path.name]


def test_route_error_is_a_risico_error() -> None:
    assert issubclass(r.RouteError, RisicoError)


# ---------------------------------------------------------------- bad input, nothing written

@pytest.mark.parametrize(("frame", "kwargs", "message"), [
    (cases().drop(columns=["route", "score"]), {},
     "The cases to seal miss column(s) route, score. Required: case_id, route, rank, score."),
    (cases(route=["risk", "risk", "steekproef", "risk"]), {},
     "Case 'B-1' has route 'steekproef'. Allowed: 'risk' or 'random'."),
    (cases(case_id=["A-3", "A-1", "A-3", "A-2"]), {},
     "Case 'A-3' appears 2 times among the cases to seal (rows 0, 2). A case may be on a worklist once."),
    (cases(case_id=["A-3", "", "B-1", "A-2"]), {},
     "Row 1 of the cases to seal has case id ''. Allowed: non-empty text without surrounding spaces."),
    (cases(case_id=["A-3", "A-1 ", "B-1", "A-2"]), {},
     "Row 1 of the cases to seal has case id 'A-1 '. Allowed: non-empty text without surrounding spaces."),
    (cases(rank=[3, 1, 5, 2]), {},
     "Case 'B-1' has rank 5. Allowed: whole numbers 1 to 4, each once."),
    (cases(rank=[3, 0, 4, 2]), {},
     "Case 'A-1' has rank 0. Allowed: whole numbers 1 to 4, each once."),
    (cases(rank=[3.0, 1.0, 4.0, 2.0]), {},
     "Case 'A-3' has rank 3.0. Allowed: whole numbers 1 to 4, each once."),
    (cases(rank=[3, 1, 3, 2]), {},
     "Rank 3 is given to cases 'A-3', 'B-1'. Allowed: ranks 1 to 4, each once."),
    (cases(score=[0.5, math.nan, 0.05, 0.7]), {},
     "Case 'A-1' has score nan. Allowed: a finite number."),
    (cases(score=[0.5, "hoog", 0.05, 0.7]), {},
     "Case 'A-1' has score 'hoog'. Allowed: a finite number."),
    (cases(), {"run_id": "../W-1"},
     "The run_id of sealed routes must be letters, digits, '.', '_' or '-' (it names the file). "
     "Got '../W-1' instead."),
    (cases(), {"decision_id": " "},
     "The decision_id of sealed routes must be non-empty text. Got ' ' instead."),
    (cases(), {"created": None},
     "The created of sealed routes must be non-empty text. Got None instead."),
])
def test_bad_input_is_refused_and_nothing_written(folder: Path, frame: pd.DataFrame, kwargs: dict[str, Any],
                                                  message: str) -> None:
    with pytest.raises(r.RouteError) as info:
        seal(folder, frame, **kwargs)
    assert str(info.value) == message
    assert not folder.exists()
