"""Column-name rules of the privacy gate: which names say a column holds a direct identifier.

A name is normalised first: camelCase boundaries and every run of characters
other than ``a-z0-9`` become ``_``, and the result is lower-cased, so
``KlantNaam``, ``klant-naam`` and ``Klant Naam`` all read ``klant_naam``; its
tokens are the parts between underscores.

Rules, first match wins:

1. Exempt: the name is ``id`` or ends in ``_id`` (pseudonymous keys such as
   ``person_id``), starts with a flag or count word (``has_``, ``is_``,
   ``heeft_``, ``n_``, ``aantal_``) or ends in a count word (``_count``,
   ``_aantal``, ``_length``, ``_lengte``).
2. Listed: the name, or the name without underscores, is one of
   :data:`IDENTIFYING_COLUMN_NAMES` (``bsn``, ``iban``, ``adres``, ...).
3. A personal name: a token that is, or ends in, ``naam``/``namen``
   (``naam``, ``klantnaam``, ``naam_aanvrager``, ``roepnaam``) or
   ``name``/``names`` (``name``, ``client_name``, ``firstName``,
   ``surname``), or a token that is a part of a name (``tussenvoegsel``,
   ``voorletters``, ``initialen``, ``initials``) -- unless the word in front
   of ``naam``/``name`` or another token names a place, an organisation or a
   thing (:data:`NON_PERSON_WORDS`: ``gemeente_naam``, ``wijknaam``,
   ``scheme_name``, ``bestandsnaam``).

Identifier-like columns (:func:`is_identifier_like`) are where a BSN that lost
its leading zero(s) is looked for: a token ``id``, ``nr``, ``nummer`` or
``number``, or a name that contains ``bsn``, ``burgerservice``, ``sofi``,
``nummer``, ``persoon``, ``person``, ``klant`` or ``client`` -- but not the
numbers of other registers (a token starting with ``kvk``, ``agb``, ``btw``,
``vestigings`` or ``handelsregister``): a KvK number has 8 digits and one in
eleven of them passes the elfproef.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

__all__ = ["IDENTIFYING_COLUMN_NAMES", "NON_PERSON_WORDS", "identifying_name_rule", "is_identifier_like"]

_CATEGORIES: Final[Mapping[str, tuple[str, ...]]] = {
    "a citizen service number": ("bsn", "burgerservicenummer", "sofinummer", "sofi_nummer"),
    "a personal name": (
        "naam", "voornaam", "voornamen", "achternaam", "geslachtsnaam", "name", "first_name",
        "last_name", "surname", "full_name",
    ),
    "an address": (
        "straat", "straatnaam", "street", "huisnummer", "house_number", "adres", "address",
        "woonadres", "postadres",
    ),
    "contact details": (
        "email", "e_mail", "emailadres", "e_mailadres", "email_address", "telefoon",
        "telefoonnummer", "phone", "phone_number",
    ),
    "a bank account": ("iban", "rekeningnummer"),
    "a date of birth": ("geboortedatum", "date_of_birth", "birth_date", "dob"),
}  # fmt: skip

#: Column names that name a direct identifier (after normalisation, see the module docstring).
IDENTIFYING_COLUMN_NAMES: Final[frozenset[str]] = frozenset(
    name for names in _CATEGORIES.values() for name in names
)
_LISTED: Final[Mapping[str, str]] = {
    name.replace("_", ""): category for category, names in _CATEGORIES.items() for name in names
}

#: Words that, in front of ``naam``/``name`` or as another token, say the name is not a person's.
NON_PERSON_WORDS: Final[frozenset[str]] = frozenset(
    {
        # places
        "gemeente", "municipality", "wijk", "buurt", "district", "neighbourhood", "stad", "city",
        "plaats", "woonplaats", "land", "country", "regio", "region", "provincie", "province",
        # organisations
        "organisatie", "organisation", "organization", "instelling", "institution", "aanbieder",
        "zorgaanbieder", "provider", "bedrijf", "company", "handels", "trade", "afdeling",
        "department", "team", "school", "bank",
        # things
        "regeling", "scheme", "product", "voorziening", "provision", "dienst", "service",
        "bestand", "file", "kolom", "column", "tabel", "table", "veld", "field", "model",
        "rapport", "report", "project", "categorie", "category", "groep", "group", "rol", "role",
        "host", "type", "soort", "code",
    }
)  # fmt: skip

_NAME_PARTS: Final[frozenset[str]] = frozenset(
    {"tussenvoegsel", "tussenvoegsels", "voorvoegsel", "voorletter", "voorletters", "initialen", "initials"}
)
_EXEMPT_FIRST: Final[frozenset[str]] = frozenset({"has", "is", "heeft", "n", "aantal"})
_EXEMPT_LAST: Final[frozenset[str]] = frozenset({"id", "count", "aantal", "length", "lengte"})
_PERSON_NAME = re.compile(r"(?P<stem>[a-z0-9]*?)(?P<word>naam|namen|name|names)", re.ASCII)

_IDENTIFIER_TOKENS: Final[frozenset[str]] = frozenset({"id", "nr", "nummer", "number"})
_IDENTIFIER_PARTS: Final[tuple[str, ...]] = (
    "bsn", "burgerservice", "sofi", "nummer", "persoon", "person", "klant", "client",
)  # fmt: skip

# numbers of other registers, 8 digits of which one in eleven passes the elfproef: not searched for short BSNs
_OTHER_REGISTERS: Final[tuple[str, ...]] = ("kvk", "agb", "btw", "vestigings", "handelsregister")

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise_name(name: object) -> str:
    """``KlantNaam`` -> ``klant_naam``.

    >>> normalise_name("Naam aanvrager (volledig)")
    'naam_aanvrager_volledig'
    """
    spaced = _CAMEL_BOUNDARY.sub("_", str(name))
    return _NON_ALNUM.sub("_", spaced.lower()).strip("_")


def identifying_name_rule(name: object) -> str | None:
    """The rule that flags a column name as a direct identifier, or ``None``.

    Parameters
    ----------
    name : object
        The column label (converted to ``str``).

    Returns
    -------
    str or None
        A short description of the rule for the gate's message.

    Examples
    --------
    >>> identifying_name_rule("naam_aanvrager")
    "a personal name: the word 'naam'"
    >>> identifying_name_rule("KlantNaam")
    "a personal name: the word 'naam'"
    >>> identifying_name_rule("klantnaam")
    "a personal name: a word ending in 'naam'"
    >>> identifying_name_rule("gemeente_naam") is None
    True
    """
    normalised = normalise_name(name)
    tokens = normalised.split("_")
    if not normalised or tokens[0] in _EXEMPT_FIRST or tokens[-1] in _EXEMPT_LAST:
        return None
    listed = _LISTED.get(normalised.replace("_", ""))
    if listed is not None:
        return f"{listed}: the listed name '{normalised}'"
    if any(token in NON_PERSON_WORDS for token in tokens):
        return None
    for token in tokens:
        rule = _person_name_rule(token)
        if rule is not None:
            return rule
    return None


def _person_name_rule(token: str) -> str | None:
    if token in _NAME_PARTS:
        return f"a personal name: the name part '{token}'"
    match = _PERSON_NAME.fullmatch(token)
    if match is None:
        return None
    stem, word = match.group("stem"), match.group("word")
    if stem in NON_PERSON_WORDS or (stem.endswith("s") and stem[:-1] in NON_PERSON_WORDS):
        return None
    if not stem:
        return f"a personal name: the word '{word}'"
    return f"a personal name: a word ending in '{word}'"


def is_identifier_like(name: object) -> bool:
    """Whether a column's name says it holds identifiers (where short BSNs are looked for).

    >>> [is_identifier_like(n) for n in ("person_id", "klantNr", "BSN", "amount_monthly", "kvk_nummer")]
    [True, True, True, False, False]
    """
    normalised = normalise_name(name)
    tokens = normalised.split("_")
    if any(token.startswith(_OTHER_REGISTERS) for token in tokens):
        return False
    if any(token in _IDENTIFIER_TOKENS for token in tokens):
        return True
    compact = normalised.replace("_", "")
    return any(part in compact for part in _IDENTIFIER_PARTS)
