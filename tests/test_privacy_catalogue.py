"""Recall of the privacy gate on the generated identifier catalogue, and false alarms on clean data."""

from __future__ import annotations

from collections import Counter

import pytest

from risico.privacy import PrivacyError, check_frames, identifying_name_rule, is_identifier_like, scan_frame
from tests.privacy_catalogue import LOOK_ALIKES, Spelling, build_catalogue, caught, look_alike_frame, recall

CATALOGUE = build_catalogue()


def test_catalogue_is_large_and_covers_every_kind() -> None:
    assert len(CATALOGUE) >= 200
    counts = Counter(s.kind for s in CATALOGUE)
    assert set(counts) == {"bsn", "bsn_short", "iban", "phone", "email", "column_name"}
    assert min(counts.values()) >= 10
    assert build_catalogue() == CATALOGUE  # the same seed gives the same catalogue
    assert len({(s.column, repr(s.value)) for s in CATALOGUE}) == len(CATALOGUE)  # no repeats


def test_recall_on_the_catalogue_is_100_percent() -> None:
    share, missed = recall(CATALOGUE)
    print(f"privacy gate recall: {share:.1%} of {len(CATALOGUE)} identifier spellings")
    assert [(s.rule, s.column) for s in missed] == []
    assert share == 1.0


@pytest.mark.parametrize("spelling", CATALOGUE[::7], ids=lambda s: s.rule)
def test_a_catalogued_identifier_stops_check_frames_with_a_masked_one_line_message(spelling: Spelling) -> None:
    with pytest.raises(PrivacyError) as info:
        check_frames({"extract": spelling.frame()})
    message = str(info.value)
    assert message.startswith(f"Privacy gate: table 'extract', column '{spelling.column}' ")
    assert "\n" not in message
    if spelling.kind != "column_name":
        assert str(spelling.value).strip() not in message


@pytest.mark.parametrize(("column", "value"), LOOK_ALIKES)
def test_look_alikes_are_not_flagged(column: str, value: object) -> None:
    assert scan_frame(look_alike_frame(column, value), "t") == []


def test_look_alikes_become_identifiers_when_they_should() -> None:
    """The negative cases sit next to positives: the same shapes with a valid check or in an identifier column."""
    assert caught(Spelling("", "klant_nr", "10000021", "bsn_short"))  # 'toelichting' holds it as a look-alike
    assert caught(Spelling("", "toelichting", "NL91ABNA0417164300", "iban"))  # one digit from a look-alike
    assert caught(Spelling("", "toelichting", "(06) 12345678", "phone"))  # one digit more than a look-alike


def test_the_clean_synthetic_world_raises_no_alarm(small_world) -> None:
    findings = [f for name, frame in small_world.raw.items() for f in scan_frame(frame, name)]
    print(f"privacy gate false alarms on a {len(small_world.raw['persons'])}-person world: {len(findings)}")
    assert findings == []
    assert check_frames(small_world.raw) is None


def test_no_column_of_the_contract_has_an_identifying_name() -> None:
    from risico.contract import CONTRACT, TRUTH_CONTRACT

    names = {c.name for table in [*CONTRACT.values(), *TRUTH_CONTRACT.values()] for c in table.columns}
    assert {name: identifying_name_rule(name) for name in names if identifying_name_rule(name)} == {}


def test_identifier_like_columns_of_the_contract_hold_no_digit_only_values() -> None:
    """Short BSNs are looked for in these columns: the contract's ids are letter-prefixed, counts are small."""
    from risico.contract import CONTRACT

    like = sorted({c.name for t in CONTRACT.values() for c in t.columns if is_identifier_like(c.name)})
    assert like == [
        "absence_id", "address_id", "application_id", "declaration_id", "director_id", "household_id",
        "intermediary_id", "investigation_id", "landlord_id", "location_address_id", "person_id",
        "persons_registered", "provider_id",
    ]  # fmt: skip
    numeric = {c.name: c.maximum for t in CONTRACT.values() for c in t.columns if c.name in like and c.kind != "str"}
    assert numeric == {"persons_registered": 500}  # never 7 or 8 digits
