"""A generated catalogue of identifier spellings the privacy gate must catch, and of look-alikes it must pass.

Built from rules, not typed in: valid IBANs of several banks and countries in
every case and separator spelling, BSNs of 9 digits in every spelling and of
8 and 7 digits (leading zeros lost) in identifier-like columns, Dutch phone
numbers (mobile, 3- and 4-digit area codes) in every common spelling, e-mail
addresses, and column names that hold personal names. The reference checks
(elfproef, mod-97) are written here independently of :mod:`risico.privacy`.

Used by ``tests/test_privacy_catalogue.py`` (recall must be 100%) and by
``bench/bench_privacy.py`` (prints recall and false alarms).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from risico.privacy import scan_frame

__all__ = ["LOOK_ALIKES", "Spelling", "build_catalogue", "caught", "look_alike_frame", "recall"]

BSN_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)
FREE_TEXT_COLUMN = "toelichting"


@dataclass(frozen=True)
class Spelling:
    """One identifier as it may reach the gate: the column it sits in, its value and the kind to be found."""

    rule: str
    column: str
    value: object
    kind: str

    def frame(self) -> pd.DataFrame:
        """A small table: the identifier in row 2 of 3, between harmless values of the same type."""
        if isinstance(self.value, str):
            filler: list[object] = ["geen bijzonderheden", None]
        else:
            filler = [type(self.value)(1), None]
        return pd.DataFrame({self.column: [filler[0], self.value, filler[1]]})


def caught(spelling: Spelling) -> bool:
    """Whether the gate reports ``spelling`` as its expected kind in its column."""
    findings = scan_frame(spelling.frame(), "catalogue")
    return any(f.kind == spelling.kind and f.column == spelling.column for f in findings)


def look_alike_frame(column: str, value: object) -> pd.DataFrame:
    """A two-row table: a harmless value of the same type, then the look-alike."""
    return pd.DataFrame({column: ["geen" if isinstance(value, str) else type(value)(1), value]})


def recall(catalogue: list[Spelling]) -> tuple[float, list[Spelling]]:
    """(share caught, the spellings missed)."""
    missed = [s for s in catalogue if not caught(s)]
    return 1 - len(missed) / len(catalogue), missed


# --------------------------------------------------------------------------
# Reference generators
# --------------------------------------------------------------------------


def _digits(rng: np.random.Generator, n: int) -> str:
    return "".join(str(d) for d in rng.integers(0, 10, n))


def make_bsn(rng: np.random.Generator, leading_zeros: int = 0) -> str:
    """A 9-digit string passing the elfproef, starting with exactly ``leading_zeros`` zeros."""
    while True:
        head = "0" * leading_zeros + str(rng.integers(1, 10)) + _digits(rng, 7 - leading_zeros)
        check = sum(w * int(d) for w, d in zip(BSN_WEIGHTS[:8], head, strict=True)) % 11
        if check < 10:
            return head + str(check)


def make_iban(country: str, bban: str) -> str:
    """A valid IBAN: check digits from ISO 7064 mod 97-10."""
    numeric = int("".join(str(int(c, 36)) for c in bban + country + "00"))
    return f"{country}{98 - numeric % 97:02d}{bban}"


def _ibans(rng: np.random.Generator) -> list[tuple[str, str]]:
    banks = ["ABNA", "INGB", "RABO", "SNSB", "TRIO", "ASNB", "KNAB", "BUNQ"]
    out = [(f"NL {bank}", make_iban("NL", bank + _digits(rng, 10))) for bank in banks]
    be_account = _digits(rng, 10)
    be_check = int(be_account) % 97 or 97
    out.append(("BE", make_iban("BE", f"{be_account}{be_check:02d}")))
    out.append(("DE", make_iban("DE", _digits(rng, 18))))
    out.append(("GB", make_iban("GB", "NWBK" + _digits(rng, 14))))
    out.append(("FR", make_iban("FR", _digits(rng, 23))))
    return out


def _grouped(text: str, separator: str) -> str:
    return separator.join(text[i : i + 4] for i in range(0, len(text), 4))


IBAN_SPELLINGS: dict[str, Callable[[str], str]] = {
    "upper": lambda iban: iban,
    "lower": str.lower,
    "mixed case": lambda iban: iban[:2].title() + iban[2:4] + iban[4:].title(),
    "groups of 4": lambda iban: _grouped(iban, " "),
    "lower, groups of 4": lambda iban: _grouped(iban.lower(), " "),
    "hyphens": lambda iban: _grouped(iban, "-"),
    "space after the check digits": lambda iban: f"{iban[:4]} {iban[4:]}",
    "in a sentence": lambda iban: f"betaald op rekening {iban.lower()} op 3 mei",
    "after 'IBAN:'": lambda iban: f"IBAN:{_grouped(iban, ' ')}",
}


def _phone_spellings(kind: str, area: str, subscriber: str) -> dict[str, str]:
    """Spellings of ``0<area><subscriber>`` (area without its 0, subscriber the rest)."""
    pairs = " ".join(subscriber[i : i + 2] for i in range(0, len(subscriber), 2))
    half = len(subscriber) // 2
    out = {
        "compact": f"0{area}{subscriber}",
        "hyphen after the area code": f"0{area}-{subscriber}",
        "space after the area code": f"0{area} {subscriber}",
        "pairs": f"0{area} {pairs}",
        "dots": f"0{area}." + ".".join(pairs.split(" ")),
        "hyphens between pairs": f"0{area}-" + "-".join(pairs.split(" ")),
        "area code in parentheses": f"(0{area}) {subscriber}",
        "parentheses and hyphen": f"(0{area})-{subscriber}",
        "' - ' and halves": f"0{area} - {subscriber[:half]} {subscriber[half:]}",
        "slash": f"0{area}/{subscriber}",
        "+31 compact": f"+31{area}{subscriber}",
        "+31 spaced": f"+31 {area} {subscriber}",
        "+31 (0)": f"+31 (0){area} {subscriber}",
        "+31(0) and hyphen": f"+31(0){area}-{subscriber[:half]} {subscriber[half:]}",
        "0031 compact": f"0031{area}{subscriber}",
        "0031 spaced": f"0031 {area} {pairs}",
        "+31 hyphens": f"+31-{area}-{subscriber}",
        "+31 (0) spaced pairs": f"+31 (0) {area} {pairs}",
        "in a sentence": f"bel 0{area}.{'.'.join(pairs.split(' '))} na vijf uur",
        "after 'tel:'": f"tel: (0{area}) {subscriber}",
    }
    if kind != "mobile":  # the first 12 spellings and two more cover landlines
        out = {key: out[key] for key in list(out)[:12]} | {
            "+31 (0) landline": out["+31 (0)"],
            "0031 landline": out["0031 spaced"],
        }
    return out


# --------------------------------------------------------------------------
# The catalogue
# --------------------------------------------------------------------------

NAME_COLUMNS = (
    "naam", "Naam", "NAAM", "voornaam", "voornamen", "achternaam", "geslachtsnaam", "klantnaam",
    "KlantNaam", "naam_aanvrager", "Naam aanvrager", "aanvrager_naam", "naam_partner", "partner_achternaam",
    "volledige_naam", "roepnaam", "meisjesnaam", "tussenvoegsel", "voorletters", "initialen", "name",
    "first_name", "FirstName", "last_name", "surname", "client_name", "full_name", "given-name",
)  # fmt: skip
SHORT_BSN_COLUMNS = ("bsn", "BSN_nummer", "klant_nr", "persoonsnummer", "clientId", "burgerservicenummer")
EMAILS = (
    "jan.jansen@example.nl", "J.Jansen@Gemeente-Rotterdam.NL", "p.de-vries+zorg@mail.example.com",
    "info@zorg-bv.nl", "a_b@c.io", "mail: piet@voorbeeld.nl graag", "<k.bakker@example.org>",
    "x.y.z@sub.domein.example.nl", "JAN@EXAMPLE.NL", "klant2024@example.nl",
)  # fmt: skip


def build_catalogue(seed: int = 13) -> list[Spelling]:
    """Every identifier spelling, generated from ``seed`` (the same seed gives the same catalogue)."""
    rng = np.random.default_rng(seed)
    out: list[Spelling] = []
    for bank, iban in _ibans(rng):
        for spelling, write in IBAN_SPELLINGS.items():
            out.append(Spelling(f"IBAN {bank}, {spelling}", FREE_TEXT_COLUMN, write(iban), "iban"))
    numbers = [("mobile", "6", _digits(rng, 8)) for _ in range(3)]
    numbers += [("landline 3-digit area", "10", _digits(rng, 7)), ("landline 3-digit area", "20", _digits(rng, 7))]
    numbers += [("landline 4-digit area", "513", _digits(rng, 6))]
    for kind, area, subscriber in numbers:
        for spelling, value in _phone_spellings(kind, area, subscriber).items():
            out.append(Spelling(f"phone {kind}, {spelling}", FREE_TEXT_COLUMN, value, "phone"))
    out.extend(_bsn_spellings(rng))
    out.extend(Spelling("e-mail", FREE_TEXT_COLUMN, email, "email") for email in EMAILS)
    out.extend(Spelling("name column", column, "Jansen", "column_name") for column in NAME_COLUMNS)
    return out


def _bsn_spellings(rng: np.random.Generator) -> list[Spelling]:
    out = []
    for _ in range(5):
        b = make_bsn(rng)
        spellings = {
            "compact": b, "dots 4.2.3": f"{b[:4]}.{b[4:6]}.{b[6:]}", "spaces 3 3 3": f"{b[:3]} {b[3:6]} {b[6:]}",
            "hyphens 3-3-3": f"{b[:3]}-{b[3:6]}-{b[6:]}", "spaces 4 2 3": f"{b[:4]} {b[4:6]} {b[6:]}",
            "in a sentence": f"klant met BSN {b} belde", "padded": f"  {b} ",
        }  # fmt: skip
        out.extend(Spelling(f"BSN 9 digits, {k}", FREE_TEXT_COLUMN, v, "bsn") for k, v in spellings.items())
        out.append(Spelling("BSN 9 digits, integer", "kenmerk", int(b), "bsn"))
        out.append(Spelling("BSN 9 digits, float", "kenmerk", float(b), "bsn"))
    for index in range(6):
        zeros = 1 + index % 2
        b = make_bsn(rng, leading_zeros=zeros).lstrip("0")
        for offset in range(3):
            column = SHORT_BSN_COLUMNS[(index + offset) % len(SHORT_BSN_COLUMNS)]
            label = f"BSN {9 - zeros} digits (leading zero lost) in '{column}'"
            out.append(Spelling(f"{label}, text", column, b, "bsn_short"))
            out.append(Spelling(f"{label}, integer", column, int(b), "bsn_short"))
    return out


#: Values the gate must pass: (column, value) look-alikes of identifiers that are not.
LOOK_ALIKES: tuple[tuple[str, object], ...] = (
    (FREE_TEXT_COLUMN, "NL91ABNA0417164301"),  # IBAN with a wrong check digit
    (FREE_TEXT_COLUMN, "nl91abna041716430"),  # one character short
    (FREE_TEXT_COLUMN, "NL91ABNA041716430012"),  # too long for NL
    (FREE_TEXT_COLUMN, "ab12cdef34567890abcd"),  # hex token
    (FREE_TEXT_COLUMN, "06-01-2024"),
    (FREE_TEXT_COLUMN, "06.01.2024 12:30"),
    (FREE_TEXT_COLUMN, "06/01/2024 1234"),
    (FREE_TEXT_COLUMN, "openingstijden 09.00 - 17.30"),
    (FREE_TEXT_COLUMN, "bedrag 1.234.567,89"),
    (FREE_TEXT_COLUMN, "0,12345678"),
    (FREE_TEXT_COLUMN, "aandeel 0,0612345678"),  # a decimal fraction, not a phone number
    (FREE_TEXT_COLUMN, "061234567"),  # 9 digits: too short for a phone
    (FREE_TEXT_COLUMN, "(06) 1234567"),  # one digit short
    (FREE_TEXT_COLUMN, "3011 AB"),
    (FREE_TEXT_COLUMN, "AV00000001"),
    (FREE_TEXT_COLUMN, "INV0000001"),
    (FREE_TEXT_COLUMN, "123456789"),  # fails the elfproef
    ("declared_assets", 10000021),  # passes the elfproef zero-padded, but an amount
    ("amount_monthly", 10000021.0),
    (FREE_TEXT_COLUMN, "10000021"),  # not an identifier-like column
    ("klant_nr", "10000022"),  # identifier-like, fails the elfproef
    ("klant_nr", "100000210"),  # 9 digits failing the elfproef
    ("person_id", "P0000001"),
    ("kvk_nummer", 10000021),  # a KvK number (8 digits) is not searched for short BSNs
    ("KvKNr", "10000021"),
)
