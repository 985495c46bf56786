"""The protected-attribute firewall: no protected attribute, and nothing named after one, enters a model.

Protected attributes come from the data contract and ``params.yaml``
(``protected.attributes``). Age is protected by default, following the
Netherlands Institute for Human Rights; it may become a model input only when
``protected.age_justification`` gives a reason, which every report repeats.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from typing import Any

from risico.contract import protected_columns
from risico.errors import RisicoError
from risico.params import BAD_VALUE, ParamError, SectionReader

__all__ = ["ProtectedParams", "parse_protected_params", "FirewallError", "check_features", "PROTECTED_FEATURE",
           "PROXY_NAMED_FEATURE", "NAME_PATTERNS"]

PROTECTED_FEATURE = ("Feature '{feature}' is the protected attribute '{attribute}'. Protected attributes are read "
                     "only by the fairness audit and never become model inputs (protected.attributes in params.yaml).")
PROXY_NAMED_FEATURE = ("Feature '{feature}' is named after the protected attribute '{attribute}' ('{word}'). Rename "
                       "it if it is something else, or remove it: protected attributes never become model inputs.")

#: Words that, found in a feature name, tie it to a protected attribute (Dutch and English).
NAME_PATTERNS: dict[str, tuple[str, ...]] = {
    "age": ("age", "leeftijd", "birth", "geboorte", "born"),
    "gender": ("gender", "geslacht", "sex", "female", "male", "vrouw", "man"),
    "migration_background": ("migration", "migratie", "herkomst", "ethnic", "etnisch", "western",
                             "allochto", "autochto"),
    "nationality_group": ("nationality", "nationaliteit", "citizenship", "burgerschap"),
    "religion": ("religion", "religie", "geloof"),
    "disability": ("disability", "handicap", "beperking"),
}


class FirewallError(RisicoError):
    """A feature is, or is named after, a protected attribute."""


@dataclasses.dataclass(frozen=True)
class ProtectedParams:
    attributes: tuple[str, ...]
    age_justification: str

    @property
    def age_allowed(self) -> bool:
        return "age" not in self.attributes


def parse_protected_params(values: Mapping[str, Any]) -> ProtectedParams:
    """Parse the shared ``protected`` section; taking age out needs a justification."""
    r = SectionReader(values, "protected")
    known = sorted({c for cols in protected_columns().values() for c in cols} | set(NAME_PATTERNS))
    attributes = r.subset("attributes", known)
    justification = r.text("age_justification")
    r.finish()
    contract = {c for cols in protected_columns().values() for c in cols}
    missing = sorted(contract - set(attributes) - {"age"})
    if missing:
        raise ParamError(BAD_VALUE.format(key="attributes", section="protected", value=list(attributes),
                                          allowed=f"a list that keeps every protected column of the data contract "
                                                  f"(missing: {', '.join(missing)})"))
    if "age" not in attributes and not justification.strip():
        raise ParamError(BAD_VALUE.format(key="age_justification", section="protected", value=justification,
                                          allowed="a written justification when age is left out of "
                                                  "protected.attributes (age is protected by default)"))
    return ProtectedParams(attributes=tuple(attributes), age_justification=justification.strip())


def check_features(features: Iterable[str], params: ProtectedParams) -> None:
    """Raise :class:`FirewallError` if a feature is, or is named after, a protected attribute.

    >>> check_features(["scheme", "floor_area_m2"], ProtectedParams(("age", "gender"), ""))
    >>> check_features(["applicant_gender"], ProtectedParams(("age", "gender"), ""))
    Traceback (most recent call last):
    ...
    risico.firewall.FirewallError: Feature 'applicant_gender' is named after the protected attribute 'gender' ('gender'). Rename it if it is something else, or remove it: protected attributes never become model inputs.
    """
    for feature in features:
        if feature in params.attributes:
            raise FirewallError(PROTECTED_FEATURE.format(feature=feature, attribute=feature))
        words = set(re.split(r"[^a-z0-9]+", feature.lower()))
        for attribute in params.attributes:
            for word in NAME_PATTERNS.get(attribute, (attribute,)):
                if word in words or (len(word) >= 7 and word in feature.lower()):
                    raise FirewallError(PROXY_NAMED_FEATURE.format(feature=feature, attribute=attribute, word=word))
