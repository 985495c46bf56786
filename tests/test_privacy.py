"""Tests for the privacy gate (risico.privacy)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from risico.privacy import (
    COLUMN_NAME_MESSAGE,
    VALUE_MESSAGE,
    Finding,
    PrivacyError,
    check_frames,
    is_valid_bsn,
    is_valid_iban,
    mask_value,
    scan_frame,
)

# ---------------------------------------------------------------------------
# Reference implementations (independent of the module under test)
# ---------------------------------------------------------------------------

BSN_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def elfproef(digits: str) -> bool:
    """Reference 11-check on a 9-digit string."""
    total = sum(w * int(d) for w, d in zip(BSN_WEIGHTS, digits, strict=True))
    return len(digits) == 9 and total % 11 == 0 and int(digits) != 0


def make_bsns(rng: np.random.Generator, n: int) -> list[str]:
    """Generate ``n`` distinct valid BSNs (9 digits, first digit non-zero)."""
    found: set[str] = set()
    while len(found) < n:
        head = "".join(str(d) for d in rng.integers(0, 10, 8))
        if head[0] == "0":
            continue
        check = sum(w * int(d) for w, d in zip(BSN_WEIGHTS[:8], head, strict=True)) % 11
        if check == 10:
            continue
        found.add(head + str(check))
    return sorted(found)


def make_failing_nine_digit(rng: np.random.Generator, n: int) -> np.ndarray:
    """Random 9-digit integers that all FAIL the 11-check."""
    values = rng.integers(100_000_000, 1_000_000_000, n * 2)
    keep = np.array([not elfproef(str(v)) for v in values])
    return values[keep][:n]


def make_ibans(rng: np.random.Generator, n: int) -> list[str]:
    """Generate valid Dutch IBANs (4-letter bank code + 10 digits)."""
    letters = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    out = []
    for _ in range(n):
        bban = "".join(rng.choice(letters, 4)) + "".join(str(d) for d in rng.integers(0, 10, 10))
        numeric = "".join(str(int(c, 36)) for c in bban + "NL00")
        out.append(f"NL{98 - int(numeric) % 97:02d}{bban}")
    return out


def make_phones(rng: np.random.Generator, n: int) -> list[str]:
    """Dutch phone numbers in a mix of notations."""
    out = []
    for i in range(n):
        mobile = "6" + "".join(str(d) for d in rng.integers(0, 10, 8))
        landline = "10" + "".join(str(d) for d in rng.integers(0, 10, 7))
        formats = [
            f"0{mobile[:1]}-{mobile[1:]}",
            f"0{mobile}",
            f"+31 {mobile[:1]} {mobile[1:]}",
            f"0031{mobile}",
            f"0{landline[:2]}-{landline[2:]}",
            f"0{landline[:2]} {landline[2:5]} {landline[5:]}",
        ]
        out.append(formats[i % len(formats)])
    return out


def one_column(values: object, name: str = "value", dtype: object = None) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(values, dtype=dtype)})


def kinds(frame: pd.DataFrame) -> set[tuple[str, str]]:
    return {(f.column, f.kind) for f in scan_frame(frame, "t")}


# ---------------------------------------------------------------------------
# BSN
# ---------------------------------------------------------------------------

VALID_BSNS = ["111222333", "123456782", *make_bsns(np.random.default_rng(7), 6)]


def test_reference_bsns_are_valid() -> None:
    assert all(elfproef(b) for b in VALID_BSNS)
    assert all(is_valid_bsn(b) for b in VALID_BSNS)


@pytest.mark.parametrize("bsn", VALID_BSNS)
def test_valid_bsn_string_is_found(bsn: str) -> None:
    findings = scan_frame(one_column(["geen", bsn, None, bsn]), "persons")
    assert findings == [Finding("persons", "value", "bsn", 2, mask_value(bsn))]


@pytest.mark.parametrize(
    "value",
    [
        "123456789",  # 9-digit amount failing the 11-check
        "111222334",
        "000000000",  # all zeros
        "1234567820",  # 10 digits: no 9-digit windows out of longer runs
        "91234567820",
        "123456782,50",  # a decimal amount, not an identifier
        "12345678",
        "123 456 789",
    ],
)
def test_invalid_or_non_bsn_is_not_flagged(value: str) -> None:
    assert scan_frame(one_column([value]), "t") == []


@pytest.mark.parametrize("value", ["1234.56.782", "123 456 782", "123-456-782", " 123456782 "])
def test_bsn_with_separators_is_found(value: str) -> None:
    assert kinds(one_column([value, "x"])) == {("value", "bsn")}


@pytest.mark.parametrize(
    "text",
    [
        "klant 123456782 belde",
        "BSN:123456782.",
        "(111222333) op 2024-01-31",
        "bsn 1234.56.782 nagevraagd",
        "nummer 123-456-782, dossier A-000123",
        "123456789 123456782",  # the second of two tokens one character apart
        "A123456782/123456782",  # a glued run, then a free-standing one
        "DC000000001 en 111222333",
    ],
)
def test_bsn_embedded_in_text_is_found(text: str) -> None:
    findings = scan_frame(one_column([text, "niets"]), "t")
    assert [(f.kind, f.count) for f in findings] == [("bsn", 1)]


@pytest.mark.parametrize(
    ("values", "dtype", "expected"),
    [
        ([123456782, 5, 123456782, 123456789], "int64", 2),
        ([111222333, None, 7], "Int64", 1),
        ([123456782.0, 1.5, np.nan, 123456789.0], "float64", 1),
        ([123456782.5, 1e12], "float64", 0),
        ([123456789, 1234567820, 12345678], "int64", 0),
        ([123456782, None, 1], "int64[pyarrow]", 1),
        ([111222333.0, None], "double[pyarrow]", 1),
        (["111222333", None], "string[pyarrow]", 1),
        (["111222333", None], "string[python]", 1),
        (["x 111222333", None], "large_string[pyarrow]", 1),
        ([111222333, 111222333, 4], "category", 2),
        ([111222333, "x", 123456782.0, None], "object", 2),
    ],
)
def test_bsn_across_dtypes(values: list[object], dtype: str, expected: int) -> None:
    findings = scan_frame(one_column(values, dtype=dtype), "t")
    assert sum(f.count for f in findings if f.kind == "bsn") == expected
    assert all(f.kind == "bsn" for f in findings)


# (context, blocks): a token glued to a letter/digit, or to a decimal part,
# is not a stand-alone 9-digit number.
PREFIXES = [
    ("", False), (" ", False), ("bsn:", False), ("(", False), ("-", False),
    (".", False), ("a.", False), ("x", True), ("A", True), ("1", True),
    ("1.", True), ("1,", True),
]  # fmt: skip
SUFFIXES = [
    ("", False), (" ", False), (".", False), (". Daarna", False), (",", False),
    (")", False), ("-", False), ("x", True), ("7", True), (".5", True), (",50", True),
]  # fmt: skip


@pytest.mark.parametrize(("prefix", "prefix_blocks"), PREFIXES)
@pytest.mark.parametrize(("suffix", "suffix_blocks"), SUFFIXES)
def test_bsn_token_boundaries(
    prefix: str, prefix_blocks: bool, suffix: str, suffix_blocks: bool
) -> None:
    bsn, other = "123456782", "123456789"  # valid / failing the 11-check
    values = {
        "single": f"{prefix}{bsn}{suffix}",  # one candidate: vectorised path
        "single_in_text": f"notitie {prefix}{bsn}{suffix} einde",
        "after_other": f"{other} en {prefix}{bsn}{suffix}",  # two candidates: Python path
        "before_other": f"{prefix}{bsn}{suffix} en {other}",
    }
    expected = not (prefix_blocks or suffix_blocks)
    for label, value in values.items():
        found = ("value", "bsn") in kinds(one_column([value, "x"]))
        assert found is expected, (label, value)


def test_count_is_rows_not_unique_values() -> None:
    frame = one_column(["123456782"] * 5 + ["x"] * 3 + [None] * 2 + ["klant 123456782"])
    assert scan_frame(frame, "t")[0].count == 6


# ---------------------------------------------------------------------------
# IBAN, e-mail, phone
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("NL91ABNA0417164300", True),
        ("NL91 ABNA 0417 1643 00", True),
        ("betaald van NL91ABNA0417164300 op 1 mei", True),
        ("GB29NWBK60161331926819", True),
        ("BE68539007547034", True),
        ("DE89370400440532013000", True),
        ("NL91ABNA0417164301", False),  # wrong check digit
        ("NL91ABNA041716430", False),  # too short for NL
        ("NL91ABNA04171643001", False),  # too long for NL
        ("XX91ABNA0417164300", False),  # not a registered country
        ("HH0001234", False),
    ],
)
def test_iban(value: str, found: bool) -> None:
    assert (("value", "iban") in kinds(one_column([value]))) is found


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("NL91ABNA0417164300", True),
        ("NL91ABNA0417164301", False),
        ("NL02ABNA0123456789", True),
        ("NL00ABNA0417164300", False),  # check digits must be 02..98
        ("NL90ABNA0417164300", False),  # mod 97 == 0
        ("NL92ABNA0417164300", False),  # mod 97 == 2
    ],
)
def test_is_valid_iban(value: str, expected: bool) -> None:
    assert is_valid_iban(value) is expected


def test_generated_ibans_valid_and_single_digit_errors_invalid() -> None:
    rng = np.random.default_rng(97)
    for iban in make_ibans(rng, 50):
        assert is_valid_iban(iban)
        position = int(rng.integers(4, len(iban)))
        if iban[position].isdigit():
            wrong = str((int(iban[position]) + int(rng.integers(1, 10))) % 10)
            assert not is_valid_iban(iban[:position] + wrong + iban[position + 1 :])


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("jan.jansen@example.nl", True),
        ("mail naar p.de-vries+werk@gemeente.rotterdam.nl graag", True),
        ("INFO@EXAMPLE.COM", True),
        ("jan@localhost", False),
        ("@gemeente", False),
        ("prijs 3 @ 1,50", False),
    ],
)
def test_email(value: str, found: bool) -> None:
    assert (("value", "email") in kinds(one_column([value]))) is found


@pytest.mark.parametrize(
    "value",
    [
        "06-12345678",
        "0612345678",
        "06 12345678",
        "06 12 34 56 78",
        "+31 6 12345678",
        "+31612345678",
        "+31 (0)6 12345678",
        "0031612345678",
        "010-1234567",
        "020 123 4567",
        "bel terug op 06-12345678 na 17:00",
    ],
)
def test_phone_is_found(value: str) -> None:
    assert kinds(one_column([value])) == {("value", "phone")}


@pytest.mark.parametrize(
    "value",
    [
        "2024-01-31",
        "2024-01-31 10:00:00",
        "06-01-2024",
        "06-01-2024 12:30",
        "06-01-2024 12",  # date + hour: ten digits starting with 0, still a date
        "3011",
        "3011 AB",
        "1234,56",
        "0,12",
        "123456789",
        "HH0001234",
        "A-000123",
        "P0031234",
        "061234567",  # 9 digits: too short
        "06123456789",  # 11 digits: too long
        "0012345678",
    ],
)
def test_non_phone_is_not_flagged(value: str) -> None:
    assert scan_frame(one_column([value]), "t") == []


def test_digits_inside_iban_or_email_are_not_reported_as_other_kinds() -> None:
    frame = one_column(["NL91 ABNA 0417 1643 00", "0612345678@example.nl"])
    assert kinds(frame) == {("value", "iban"), ("value", "email")}


# ---------------------------------------------------------------------------
# Column names
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "bsn",
        "BSN",
        "burgerservicenummer",
        "sofinummer",
        "naam",
        "Voornaam",
        "achternaam",
        "name",
        "first_name",
        "firstName",
        "Last Name",
        "surname",
        "straat",
        "straatnaam",
        "street",
        "huisnummer",
        "house-number",
        "adres",
        "email",
        "E-mail",
        "e_mail",
        "telefoon",
        "phone",
        "iban",
        "rekeningnummer",
        "geboortedatum",
        "date_of_birth",
        "DateOfBirth",
        "birth_date",
    ],
)
def test_identifying_column_name_is_flagged(name: str) -> None:
    (finding,) = scan_frame(one_column([1, 2, None], name=name), "t")
    assert finding == Finding("t", name, "column_name", 2, name, finding.rule)
    assert "the listed name" in finding.rule


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("bsn", "a citizen service number: the listed name 'bsn'"),
        ("E-mail", "contact details: the listed name 'e_mail'"),
        ("DateOfBirth", "a date of birth: the listed name 'date_of_birth'"),
        ("klantnaam", "a personal name: a word ending in 'naam'"),
        ("KlantNaam", "a personal name: the word 'naam'"),
        ("naam_aanvrager", "a personal name: the word 'naam'"),
        ("Naam aanvrager", "a personal name: the word 'naam'"),
        ("aanvrager_naam", "a personal name: the word 'naam'"),
        ("roepnaam", "a personal name: a word ending in 'naam'"),
        ("meisjesnaam", "a personal name: a word ending in 'naam'"),
        ("ouder_namen", "a personal name: the word 'namen'"),
        ("tussenvoegsel", "a personal name: the name part 'tussenvoegsel'"),
        ("voorletters", "a personal name: the name part 'voorletters'"),
        ("initials", "a personal name: the name part 'initials'"),
        ("client_name", "a personal name: the word 'name'"),
        ("givenName", "a personal name: the word 'name'"),
        ("username", "a personal name: a word ending in 'name'"),
        ("names", "a personal name: the word 'names'"),
    ],
)
def test_column_name_rule_is_named(name: str, rule: str) -> None:
    assert scan_frame(one_column(["x"], name=name), "t") == [Finding("t", name, "column_name", 1, name, rule)]


@pytest.mark.parametrize(
    "name",
    [
        "address_id",
        "addressId",
        "postcode4",
        "district",
        "bsn_id",
        "person_id",
        "gemeente_naam",
        "wijk",
        "amount",
        "has_email",
        "gemeentenaam",
        "wijk_naam",
        "scheme_name",
        "bestandsnaam",
        "file_name",
        "naam_aanbieder",
        "bedrijfsnaam",
        "naamgebruik",
        "naam_id",
        "has_name",
        "n_names",
        "naam_lengte",
        "renamed",
    ],
)
def test_harmless_column_name_is_not_flagged(name: str) -> None:
    assert scan_frame(one_column([1, 2], name=name), "t") == []


def test_name_is_checked_for_columns_whose_dtype_is_not_scanned() -> None:
    frame = pd.DataFrame(
        {
            "geboortedatum": pd.to_datetime(["1980-01-01", None]),
            "flag": [True, False],
            "start": pd.to_datetime(["2024-01-31", "2024-02-01"]),
        }
    )
    rule = "a date of birth: the listed name 'geboortedatum'"
    expected = [Finding("t", "geboortedatum", "column_name", 1, "geboortedatum", rule)]
    assert scan_frame(frame, "t") == expected


# ---------------------------------------------------------------------------
# check_frames and messages
# ---------------------------------------------------------------------------


def test_check_frames_message_is_exact() -> None:
    persons = pd.DataFrame(
        {
            "person_id": [1, 2, 3, 4],
            "note": ["klant 123456782 belde", "ok", "111222333", "1234.56.782"],
        }
    )
    with pytest.raises(PrivacyError) as info:
        check_frames({"persons": persons})
    expected = (
        "Privacy gate: table 'persons', column 'note' contains 3 value(s) that look like "
        "a BSN (citizen service number), e.g. '12******2'. Direct identifiers are not "
        "allowed in the input; remove or pseudonymise the column before ingest."
    )
    assert str(info.value) == expected
    assert str(info.value) == VALUE_MESSAGE.format(
        table="persons",
        column="note",
        count=3,
        description="a BSN (citizen service number)",
        example="12******2",
    )
    assert info.value.finding == Finding("persons", "note", "bsn", 3, "12******2")
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("values", "description", "example"),
    [
        (["NL91ABNA0417164300"], "an IBAN (bank account number)", "NL***************0"),
        (["jan@example.nl"], "an e-mail address", "ja***********l"),
        (["06-12345678"], "a Dutch phone number", "06********8"),
    ],
)
def test_check_frames_message_per_kind(values: list[str], description: str, example: str) -> None:
    with pytest.raises(PrivacyError) as info:
        check_frames({"t": one_column(values, name="contact")})
    assert str(info.value) == (
        f"Privacy gate: table 't', column 'contact' contains 1 value(s) that look like "
        f"{description}, e.g. '{example}'. Direct identifiers are not allowed in the input; "
        "remove or pseudonymise the column before ingest."
    )


def test_check_frames_column_name_message_is_exact() -> None:
    frame = pd.DataFrame({"household_id": [1, 2, 3], "achternaam": ["a", None, "b"]})
    with pytest.raises(PrivacyError) as info:
        check_frames({"households": frame})
    expected = (
        "Privacy gate: table 'households', column 'achternaam' has a name that suggests a "
        "direct identifier (rule: a personal name: the listed name 'achternaam'; 2 non-null "
        "value(s)). Direct identifiers are not allowed in the input; remove or pseudonymise the "
        "column before ingest."
    )
    assert str(info.value) == expected
    rule = "a personal name: the listed name 'achternaam'"
    assert expected == COLUMN_NAME_MESSAGE.format(
        table="households", column="achternaam", count=2, rule=rule
    )


def test_check_frames_reports_first_table_and_column_in_order() -> None:
    clean = pd.DataFrame({"a": [1, 2]})
    dirty = pd.DataFrame(
        {"x": [1, 2], "mail": ["a@b.nl", "c"], "tel": ["0612345678", "x"], "bsn": [1, 2]}
    )
    other = pd.DataFrame({"note": ["123456782", "x"]})
    with pytest.raises(PrivacyError, match="table 'b', column 'mail'"):
        check_frames({"a": clean, "b": dirty, "c": other})
    with pytest.raises(PrivacyError, match="table 'c', column 'note'"):
        check_frames({"a": clean, "c": other, "b": dirty})


def test_check_frames_passes_clean_frames() -> None:
    frames = {"a": pd.DataFrame({"a": ["x"], "b": [1.5]}), "empty": pd.DataFrame()}
    assert check_frames(frames) is None


def test_message_is_one_line_even_with_odd_names() -> None:
    frame = pd.DataFrame({"no\nte": ["123456782"]})
    with pytest.raises(PrivacyError) as info:
        check_frames({"per\rsons": frame})
    assert "\n" not in str(info.value) and "\r" not in str(info.value)


def test_empty_frames_and_columns() -> None:
    assert scan_frame(pd.DataFrame(), "t") == []
    frame = pd.DataFrame({"a": pd.Series([], dtype="str"), "b": pd.Series([], dtype=object)})
    assert scan_frame(frame, "t") == []
    assert scan_frame(pd.DataFrame({"a": [None, None]}), "t") == []


def test_scan_frame_rejects_non_frames() -> None:
    with pytest.raises(TypeError):
        scan_frame({"a": [1]}, "t")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# Masking and purity
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "masked"),
    [("123456782", "12******2"), ("abcd", "ab*d"), ("abc", "***"), ("a", "*"), ("", "")],
)
def test_mask_value(value: str, masked: str) -> None:
    assert mask_value(value) == masked


@pytest.mark.parametrize(
    "value",
    ["123456782", "1234.56.782", "NL91ABNA0417164300", "jan@example.nl", "+31 6 12345678"],
)
def test_example_never_contains_the_full_value(value: str) -> None:
    (finding,) = scan_frame(one_column([f"zie {value} hier"]), "t")
    assert value not in finding.example
    assert finding.example.count("*") >= len(finding.example) - 3
    with pytest.raises(PrivacyError) as info:
        check_frames({"t": one_column([value])})
    assert value not in str(info.value)


def test_scan_does_not_mutate_input() -> None:
    frame = pd.DataFrame(
        {
            "note": ["klant 123456782", None],
            "n": [123456782, 1],
            "c": pd.Categorical(["a", "111222333"]),
            "o": pd.Series([1, "x"], dtype=object),
        }
    )
    before = frame.copy(deep=True)
    scan_frame(frame, "t")
    pd.testing.assert_frame_equal(frame, before)


# ---------------------------------------------------------------------------
# Recall / false alarms
# ---------------------------------------------------------------------------


def make_clean_frame(rng: np.random.Generator, n: int) -> pd.DataFrame:
    amounts = rng.gamma(2.0, 600.0, n).round(2)
    dates = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 2000, n), unit="D")
    hex_digits = np.array(list("0123456789abcdef"))
    return pd.DataFrame(
        {
            "person_id": np.arange(n),
            "case_number": make_failing_nine_digit(rng, n),
            "case_text": [str(v) for v in make_failing_nine_digit(rng, n)],
            "amount": amounts,
            "amount_text": [f"{a:.2f}".replace(".", ",") for a in amounts],
            "pseudo_id": [f"P{v:07d}" for v in rng.integers(0, 10**7, n)],
            "household": [f"HH{v:07d}" for v in rng.integers(0, 10**7, n)],
            "dossier": [f"A-{v:06d}" for v in rng.integers(0, 10**6, n)],
            "token": ["".join(rng.choice(hex_digits, 16)) for _ in range(n)],
            "reference": [str(v) for v in rng.integers(10**11, 10**12, n)],
            "start_date": dates,
            "date_text": dates.strftime("%Y-%m-%d"),
            "date_nl": dates.strftime("%d-%m-%Y"),
            "postcode4": [str(v) for v in rng.integers(1000, 10000, n)],
            "district": pd.Categorical(rng.choice([f"wijk {i:02d}" for i in range(30)], n)),
            "household_size": rng.integers(1, 8, n),
            "flag": rng.random(n) < 0.2,
            "note": [
                f"bedrag {a:.2f} op {d} dossier A-{v:06d}"
                for a, d, v in zip(
                    amounts,
                    dates.strftime("%d-%m-%Y %H:%M"),
                    rng.integers(0, 10**6, n),
                    strict=True,
                )
            ],
        }
    )


def test_clean_frame_has_no_findings() -> None:
    frame = make_clean_frame(np.random.default_rng(20240131), 20_000)
    assert scan_frame(frame, "clean") == []
    check_frames({"clean": frame})


PLANT_N = 37


def test_planted_identifiers_are_found_with_exact_counts() -> None:
    rng = np.random.default_rng(13616)
    n = 20_000
    frame = make_clean_frame(rng, n)
    text_columns = [
        "case_text", "amount_text", "pseudo_id", "household",
        "dossier", "token", "note", "date_text",
    ]  # fmt: skip
    targets = rng.permutation(text_columns)
    bsns = make_bsns(rng, PLANT_N * 3)
    planted = {
        "bsn": [
            [b, f"{b[:4]}.{b[4:6]}.{b[6:]}", f"{b[:3]} {b[3:6]} {b[6:]}", f"klant {b}"][i % 4]
            for i, b in enumerate(bsns[:PLANT_N])
        ],
        "iban": [
            iban if i % 2 else " ".join(iban[j : j + 4] for j in range(0, len(iban), 4))
            for i, iban in enumerate(make_ibans(rng, PLANT_N))
        ],
        "email": [f"mail van user{i}@example{i % 3}.nl" for i in range(PLANT_N)],
        "phone": make_phones(rng, PLANT_N),
    }
    expected = set()
    dirty = frame.copy()
    for (kind, values), column in zip(planted.items(), targets, strict=False):
        rows = rng.choice(n, PLANT_N, replace=False)
        dirty.loc[rows, column] = values
        expected.add((str(column), kind))
    # numeric plants: integer and float columns
    for column, cast in (("case_number", int), ("amount", float)):
        rows = rng.choice(n, PLANT_N, replace=False)
        values = [cast(b) for b in bsns[PLANT_N * (1 + (column == "amount")) :][:PLANT_N]]
        dirty.loc[rows, column] = np.array(values, dtype=dirty[column].dtype)
        expected.add((column, "bsn"))

    findings = scan_frame(dirty, "dirty")
    assert {(f.column, f.kind) for f in findings} == expected
    assert all(f.count == PLANT_N for f in findings)
    assert scan_frame(frame, "clean") == []  # input of the plant step untouched
