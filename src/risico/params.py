"""Reading ``params.yaml``: one section per stage, checked before any work starts.

Every stage parses its own section into a frozen dataclass with a
:class:`SectionReader`. A wrong value stops the stage with one line that names
the key, the value and what is allowed, in the form scikit-learn made familiar::

    The 'n_persons' parameter of generate must be an int >= 1. Got -5 instead.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from risico.errors import RisicoError

__all__ = [
    "ParamError",
    "SectionReader",
    "load_section",
    "BAD_VALUE",
    "UNKNOWN_KEY",
    "MISSING_SECTION",
    "MISSING_KEY",
]

BAD_VALUE = "The '{key}' parameter of {section} must be {allowed}. Got {value!r} instead."
UNKNOWN_KEY = "The '{key}' parameter of {section} is unknown. Allowed keys: {allowed}."
MISSING_KEY = "The '{key}' parameter of {section} is missing. It must be {allowed}."
MISSING_SECTION = "{path} has no '{section}' section. Add it (the repository's params.yaml shows the defaults)."
NOT_A_MAPPING = "{path} must hold a mapping of sections at the top level. Got {kind} instead."


class ParamError(RisicoError, ValueError):
    """A parameter in ``params.yaml`` is missing, unknown or out of range."""


def load_section(path: str | Path, section: str) -> Mapping[str, Any]:
    """Return one section of a params file.

    Parameters
    ----------
    path : str or Path
        The YAML file, usually ``params.yaml``.
    section : str
        The stage's section name.

    Raises
    ------
    ParamError
        If the file does not hold a mapping or the section is missing.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            content = yaml.safe_load(handle)
    except FileNotFoundError:
        raise ParamError(f"Params file {path} does not exist. Pass the path of params.yaml with --params.") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ParamError(f"Params file {path} is not valid YAML{where}.") from None
    if not isinstance(content, Mapping):
        raise ParamError(NOT_A_MAPPING.format(path=path, kind=type(content).__name__))
    if section not in content or not isinstance(content[section], Mapping):
        raise ParamError(MISSING_SECTION.format(path=path, section=section))
    return content[section]


class SectionReader:
    """Typed, checked access to one (possibly nested) section of parameters.

    Each getter removes the key from the set of unread keys; :meth:`finish`
    then rejects keys nobody asked for, so a typo never passes silently.

    Examples
    --------
    >>> r = SectionReader({"capacity": 0}, "worklist")
    >>> r.int("capacity", minimum=1)
    Traceback (most recent call last):
    ...
    risico.params.ParamError: The 'capacity' parameter of worklist must be an int >= 1. Got 0 instead.
    """

    def __init__(self, values: Mapping[str, Any], section: str, prefix: str = "") -> None:
        if not isinstance(values, Mapping):
            raise ParamError(
                BAD_VALUE.format(key=prefix.rstrip(".") or section, section=section,
                                 allowed="a mapping", value=values)
            )
        self._values = dict(values)
        self._section = section
        self._prefix = prefix
        self._unread = set(self._values)

    # -- helpers -----------------------------------------------------------
    def _fail(self, key: str, allowed: str, value: Any) -> ParamError:
        return ParamError(
            BAD_VALUE.format(key=self._prefix + key, section=self._section, allowed=allowed, value=value)
        )

    def _get(self, key: str, allowed: str) -> Any:
        if key not in self._values:
            raise ParamError(MISSING_KEY.format(key=self._prefix + key, section=self._section, allowed=allowed))
        self._unread.discard(key)
        return self._values[key]

    # -- getters -----------------------------------------------------------
    def sub(self, key: str) -> SectionReader:
        """A reader for a nested mapping."""
        value = self._get(key, "a mapping")
        if not isinstance(value, Mapping):
            raise self._fail(key, "a mapping", value)
        return SectionReader(value, self._section, prefix=f"{self._prefix}{key}.")

    def int(self, key: str, minimum: int | None = None, maximum: int | None = None) -> int:
        allowed = _range_text("an int", minimum, maximum)
        value = self._get(key, allowed)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._fail(key, allowed, value)
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            raise self._fail(key, allowed, value)
        return value

    def float(self, key: str, minimum: float | None = None, maximum: float | None = None,
              exclusive_minimum: bool = False) -> float:
        allowed = _range_text("a number", minimum, maximum, exclusive_minimum)
        value = self._get(key, allowed)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise self._fail(key, allowed, value)
        too_low = minimum is not None and (value <= minimum if exclusive_minimum else value < minimum)
        if too_low or (maximum is not None and value > maximum):
            raise self._fail(key, allowed, value)
        return float(value)

    def share(self, key: str) -> float:
        """A proportion in [0, 1]."""
        return self.float(key, 0.0, 1.0)

    def bool(self, key: str) -> bool:
        value = self._get(key, "true or false")
        if not isinstance(value, bool):
            raise self._fail(key, "true or false", value)
        return value

    def str(self, key: str) -> str:
        value = self._get(key, "a non-empty string")
        if not isinstance(value, str) or not value.strip():
            raise self._fail(key, "a non-empty string", value)
        return value

    def value(self, key: str, allowed: str) -> Any:
        """The raw value, for shapes the typed getters do not cover; check it with :meth:`fail`."""
        return self._get(key, allowed)

    def fail(self, key: str, allowed: str, value: Any) -> ParamError:
        """The standard error for ``key`` (to raise)."""
        return self._fail(key, allowed, value)

    def int_mapping(self, key: str, minimum: int, maximum: int) -> dict[str, int]:
        """A mapping of names to ints in [minimum, maximum] (e.g. monotone constraints)."""
        allowed = f"a mapping of names to ints in [{minimum}, {maximum}]"
        value = self._get(key, allowed)
        if not isinstance(value, Mapping):
            raise self._fail(key, allowed, value)
        for name, number in value.items():
            if isinstance(number, bool) or not isinstance(number, int) or not minimum <= number <= maximum:
                raise ParamError(BAD_VALUE.format(key=f"{self._prefix}{key}.{name}", section=self._section,
                                                  allowed=f"an int in [{minimum}, {maximum}]", value=number))
        return {str(name): int(number) for name, number in value.items()}

    def text(self, key: str) -> str:
        """Any string, the empty string included."""
        value = self._get(key, "a string")
        if not isinstance(value, str):
            raise self._fail(key, "a string", value)
        return value

    def choice(self, key: str, options: Iterable[str]) -> str:
        options = list(options)
        allowed = "one of " + ", ".join(repr(o) for o in options)
        value = self._get(key, allowed)
        if value not in options:
            raise self._fail(key, allowed, value)
        return value

    def subset(self, key: str, options: Iterable[str]) -> tuple[str, ...]:
        """A list whose items all come from ``options`` (no duplicates)."""
        options = list(options)
        allowed = "a list of distinct values from " + ", ".join(options)
        value = self._get(key, allowed)
        if not isinstance(value, list) or len(set(value)) != len(value):
            raise self._fail(key, allowed, value)
        for item in value:
            if item not in options:
                raise self._fail(f"{key}", allowed, item)
        return tuple(value)

    def date(self, key: str) -> dt.date:
        allowed = "a date as YYYY-MM-DD"
        value = self._get(key, allowed)
        if isinstance(value, dt.datetime) or not isinstance(value, (dt.date, str)):
            raise self._fail(key, allowed, value)
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                raise self._fail(key, allowed, value) from None
        return value

    def weights(self, key: str, options: Iterable[str], *, sums_to_one: bool = True) -> dict[str, float]:
        """A mapping from known names to non-negative weights.

        With ``sums_to_one`` the weights are shares that must add up to 1
        (within 1e-6). Names missing from the mapping get weight 0.
        """
        options = list(options)
        total_text = " summing to 1" if sums_to_one else ""
        allowed = f"a mapping of {', '.join(options)} to numbers >= 0{total_text}"
        value = self._get(key, allowed)
        if not isinstance(value, Mapping) or not value:
            raise self._fail(key, allowed, value)
        for name, weight in value.items():
            if name not in options:
                raise ParamError(
                    BAD_VALUE.format(key=f"{self._prefix}{key}.{name}", section=self._section,
                                     allowed="one of the names " + ", ".join(options), value=name)
                )
            if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not weight >= 0:
                raise ParamError(
                    BAD_VALUE.format(key=f"{self._prefix}{key}.{name}", section=self._section,
                                     allowed="a number >= 0", value=weight)
                )
        total = float(sum(value.values()))
        if total <= 0 or (sums_to_one and abs(total - 1.0) > 1e-6):
            raise self._fail(key, allowed, dict(value))
        return {name: float(value.get(name, 0.0)) for name in options}

    def finish(self) -> None:
        """Reject keys that no getter read."""
        if self._unread:
            key = sorted(self._unread)[0]
            raise ParamError(
                UNKNOWN_KEY.format(key=self._prefix + key, section=self._section,
                                   allowed=", ".join(sorted(self._values.keys() - self._unread)) or "none")
            )


def _range_text(kind: str, minimum: float | None, maximum: float | None,
                exclusive_minimum: bool = False) -> str:
    if minimum is not None and maximum is not None:
        left = "(" if exclusive_minimum else "["
        return f"{kind} in {left}{minimum:g}, {maximum:g}]"
    if minimum is not None:
        return f"{kind} {'>' if exclusive_minimum else '>='} {minimum:g}"
    if maximum is not None:
        return f"{kind} <= {maximum:g}"
    return kind
