import pandas as pd
import pytest

from risico.contract import CONTRACT, conformance_problems, protected_columns, render_markdown
from tests.conftest import REPO


def test_docs_are_rendered_from_the_contract():
    doc = (REPO / "docs" / "data-contract.md").read_text(encoding="utf-8")
    assert doc == render_markdown(), "run: python -m risico contract --out docs/data-contract.md"


def test_protected_columns_are_the_audit_only_attributes():
    assert protected_columns() == {"persons": ("age", "gender", "migration_background", "nationality_group")}


def good_addresses():
    return pd.DataFrame({
        "address_id": pd.Series(["A1", "A2"], dtype="str"), "district": pd.Series(["W01", "W02"], dtype="str"),
        "postcode4": [3011, 3021], "floor_area_m2": [60, 80], "persons_registered": [1, 3],
        "households_registered": [1, 1], "landlord_id": pd.Series([None, "L1"], dtype="str"),
        "room_rental_permit": [False, True], "fire_safety_findings": [0, 2], "is_care_location": [False, False],
    })


def test_a_conforming_frame_has_no_problems():
    assert conformance_problems(good_addresses(), CONTRACT["addresses"]) == []


@pytest.mark.parametrize(("change", "problem"), [
    (lambda f: f.drop(columns="district"), "addresses: columns"),
    (lambda f: f.assign(floor_area_m2=[60.5, 80.0]), "addresses.floor_area_m2: type float64 is not int"),
    (lambda f: f.assign(district=pd.Series(["W01", "Centrum"], dtype="str")),
     "addresses.district: values outside"),
    (lambda f: f.assign(persons_registered=[-1, 3]), "addresses.persons_registered: values below 0"),
    (lambda f: f.assign(address_id=pd.Series(["A1", "A1"], dtype="str")), "addresses.address_id: 1 duplicate values"),
    (lambda f: f.assign(district=pd.Series(["W01", None], dtype="str")), "addresses.district: 1 empty values"),
])
def test_each_breach_is_reported(change, problem):
    problems = conformance_problems(change(good_addresses()), CONTRACT["addresses"])
    assert len(problems) == 1 and problems[0].startswith(problem), problems


CORE = ("risico", "risico.contract", "risico.vocabularies", "risico.params", "risico.io", "risico.texts",
        "risico.errors", "risico.target")


def test_the_core_imports_no_stage():
    import subprocess
    import sys

    code = (f"import sys; import {', '.join(CORE[1:])}; "
            "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] == 'risico')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert set(loaded) == set(CORE), "the core imports a stage: " + ", ".join(sorted(set(loaded) - set(CORE)))
