"""The vocabularies of the data contract: which codes a coded column may hold.

The defaults are the synthetic world's codes. A municipality sets its own in the
``vocabularies`` section of ``params.yaml`` (documented in ``docs/pipeline.md``);
:func:`parse_vocabularies` checks that section once, and
:func:`risico.contract.contract_for` applies it to the contract. The synthetic
generator imports its codes from here; this module imports no pipeline stage.

``districts`` may also be ``cbs``: any CBS wijkcode (``WK`` + 4-digit municipality
code + 2-digit district number, e.g. ``WK036301``), or ``cbs:0363``: the wijkcodes
of one municipality (Amsterdam's code is 0363).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from risico.params import SectionReader

__all__ = [
    "DISTRICTS",
    "SCHEMES",
    "CARE_SCHEMES",
    "MIGRATION_GROUPS",
    "HOUSEHOLD_TYPES",
    "GENDERS",
    "LAWS",
    "AGE_BANDS",
    "age_band",
    "CBS_DISTRICT_PATTERN",
    "Vocabulary",
    "Vocabularies",
    "DEFAULT_VOCABULARIES",
    "parse_vocabularies",
]

SECTION = "vocabularies"

#: District (wijk) codes of the fictional municipality.
DISTRICTS: tuple[str, ...] = tuple(f"W{i:02d}" for i in range(1, 13))
SCHEMES: tuple[str, ...] = ("pw_bijstand", "wmo_zin", "wmo_pgb", "jw_zin", "jw_pgb")
CARE_SCHEMES: tuple[str, ...] = ("wmo_zin", "wmo_pgb", "jw_zin", "jw_pgb")
MIGRATION_GROUPS: tuple[str, ...] = ("none", "western", "non_western")
HOUSEHOLD_TYPES: tuple[str, ...] = ("single", "single_parent", "couple", "couple_with_children")
GENDERS: tuple[str, ...] = ("female", "male", "x")
#: Laws a scheme code starts with (Participatiewet, Wmo, Jeugdwet); the features count awards per law.
LAWS: tuple[str, ...] = ("pw", "wmo", "jw")
#: Age bands of every published table and of the audit: ``[low, high)`` in years, and the label.
AGE_BANDS: tuple[tuple[int, int, str], ...] = (
    (18, 27, "18-26"), (27, 40, "27-39"), (40, 55, "40-54"), (55, 67, "55-66"), (67, 200, "67+"))


def age_band(age: pd.Series) -> pd.Series:
    """The :data:`AGE_BANDS` label of each age; ``unknown`` outside them.

    >>> age_band(pd.Series([17, 18, 66, 67])).tolist()
    ['unknown', '18-26', '55-66', '67+']
    """
    labels = np.full(len(age), "unknown", dtype=object)
    values = age.to_numpy()
    for low, high, label in AGE_BANDS:
        labels[(values >= low) & (values < high)] = label
    return pd.Series(labels, index=age.index, dtype="str")

#: Any CBS wijkcode: WK, a 4-digit municipality code and a 2-digit district number.
CBS_DISTRICT_PATTERN = r"^WK\d{6}$"
_CBS_ONE_MUNICIPALITY = re.compile(r"^cbs:(\d{4})$")
_SCHEME_CODE = re.compile(rf"^({'|'.join(LAWS)})_[a-z0-9]+(_[a-z0-9]+)*$")
#: The group the world description and the provider audit (``clients_non_western``) compare.
COMPARED_MIGRATION_GROUP = "non_western"


@dataclasses.dataclass(frozen=True)
class Vocabulary:
    """The codes a column may hold: listed ``values``, or every text matching ``pattern``."""

    values: tuple[str, ...] = ()
    pattern: str | None = None

    def __post_init__(self) -> None:
        if bool(self.values) == (self.pattern is not None):
            raise ValueError("a vocabulary has either values or a pattern")

    def accepts(self, value: str) -> bool:
        """Whether ``value`` is a code of this vocabulary.

        >>> Vocabulary(pattern=CBS_DISTRICT_PATTERN).accepts("WK036301")
        True
        >>> Vocabulary(("W01",)).accepts("WK036301")
        False
        """
        if self.pattern is not None:
            return re.search(self.pattern, value) is not None
        return value in self.values


@dataclasses.dataclass(frozen=True)
class Vocabularies:
    """The municipality's vocabularies, one per coded column group of the contract."""

    districts: Vocabulary
    schemes: Vocabulary
    household_types: Vocabulary
    migration_groups: Vocabulary


#: The synthetic world's codes (the ``vocabularies`` section of the repository's ``params.yaml``).
DEFAULT_VOCABULARIES = Vocabularies(districts=Vocabulary(DISTRICTS), schemes=Vocabulary(SCHEMES),
                                    household_types=Vocabulary(HOUSEHOLD_TYPES),
                                    migration_groups=Vocabulary(MIGRATION_GROUPS))

_LIST = "a non-empty list of unique strings"
_ALLOWED = {
    "districts": f"{_LIST}, 'cbs' (any CBS wijkcode WK + 6 digits) or 'cbs:<4-digit municipality code>'",
    "schemes": f"{_LIST} '<law>_<form>' with law {', '.join(LAWS)} (lower case letters, digits and '_')",
    "household_types": _LIST,
    "migration_groups": f"{_LIST} that includes '{COMPARED_MIGRATION_GROUP}'",
}


def parse_vocabularies(values: Mapping[str, Any]) -> Vocabularies:
    """Parse and check the ``vocabularies`` section.

    Raises
    ------
    risico.params.ParamError
        On the first missing, unknown or malformed vocabulary, e.g. ``The 'districts' parameter of
        vocabularies must be a non-empty list of unique strings, ... Got [] instead.``

    Examples
    --------
    >>> parse_vocabularies({"districts": "cbs:0363", "schemes": ["pw_bijstand"], "household_types": ["single"],
    ...                     "migration_groups": ["none", "non_western"]}).districts
    Vocabulary(values=(), pattern='^WK0363\\\\d{2}$')
    """
    r = SectionReader(values, SECTION)
    found = {key: _parse_one(r, key) for key in _ALLOWED}
    r.finish()
    return Vocabularies(**found)


def _parse_one(r: SectionReader, key: str) -> Vocabulary:
    value = r.value(key, _ALLOWED[key])
    if key == "districts" and isinstance(value, str):
        return _district_pattern(r, value)
    unique_texts = (isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value)
                    and len(set(value)) == len(value))
    if (not unique_texts or (key == "schemes" and not all(_SCHEME_CODE.match(v) for v in value))
            or (key == "migration_groups" and COMPARED_MIGRATION_GROUP not in value)):
        raise r.fail(key, _ALLOWED[key], value)
    return Vocabulary(tuple(value))


def _district_pattern(r: SectionReader, value: str) -> Vocabulary:
    if value == "cbs":
        return Vocabulary(pattern=CBS_DISTRICT_PATTERN)
    found = _CBS_ONE_MUNICIPALITY.match(value)
    if found is None:
        raise r.fail("districts", _ALLOWED["districts"], value)
    return Vocabulary(pattern=rf"^WK{found.group(1)}\d{{2}}$")
