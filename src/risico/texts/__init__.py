"""All user-facing text, Dutch and English side by side, one catalogue per consumer.

Reports, reasons and worklists take their words from here, never from strings
scattered through the code. Dutch is the default language.

This module holds the one implementation (:class:`Catalog`); each consumer's
words live in their own module, so a DVC stage depends only on the texts it
shows:

======================================  ==============================================
module                                  consumer
======================================  ==============================================
:mod:`risico.texts.common`              words several consumers share (headers, groups)
:mod:`risico.texts.world`               ``describe`` (the world page)
:mod:`risico.texts.validation`          ``validate`` (the validation report)
:mod:`risico.texts.model`               ``evaluate`` (model card, reasons)
:mod:`risico.texts.audit`               ``audit`` (report, dilemmas, trade-offs)
:mod:`risico.texts.network`             provider network (audit and worklist)
:mod:`risico.texts.governance`          ``approve``, ``worklist``, ``feedback``, ``where``
:mod:`risico.texts.register`            ``register`` (the algorithm register entry)
======================================  ==============================================

Each consumer module defines ``ENTRIES`` (its own keys; every key is defined in
exactly one module) and ``TEXTS``, the :class:`Catalog` of its entries plus the
shared ones it builds on, with ``text = TEXTS.text``. Importing this package
imports none of them.
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping
from typing import Literal

from risico.errors import RisicoError

__all__ = ["Language", "LANGUAGES", "Catalog", "TextError", "placeholders"]

Language = Literal["nl", "en"]
LANGUAGES: tuple[str, ...] = ("nl", "en")

UNKNOWN_KEY = "Text key {key!r} is not in the {name} texts (risico.texts.{name}). Add it there with 'nl' and 'en'."
UNKNOWN_LANGUAGE = "Language {language!r} is not allowed for text {key!r}. Allowed: " + ", ".join(LANGUAGES) + "."
BAD_LANGUAGES = ("Text {key!r} in the {name} texts has languages {found}. Each text needs exactly: "
                 + ", ".join(LANGUAGES) + ".")
BAD_PLACEHOLDERS = ("Text {key!r} in the {name} texts has placeholders {found} in 'nl' but {other} in 'en'. "
                    "Both languages need the same placeholders.")
DUPLICATE_KEY = "Text key {key!r} is defined twice in the {name} texts. Keep it in one texts module."


class TextError(RisicoError):
    """A text key or language that a catalogue does not have, or a malformed catalogue."""


def placeholders(template: str) -> frozenset[str]:
    """The names of the ``{placeholders}`` in ``template``.

    >>> sorted(placeholders("{n} of {total:.0%}"))
    ['n', 'total']
    """
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


class Catalog(Mapping[str, Mapping[str, str]]):
    """Texts by key, each in every language of :data:`LANGUAGES`, checked when the catalogue is made.

    Parameters
    ----------
    name : str
        The consumer (the module under ``risico.texts``), named in error messages.
    *parts : Mapping
        ``{key: {"nl": ..., "en": ...}}``; a key may appear in one part only.

    Raises
    ------
    TextError
        If a key appears twice, or an entry lacks a language or has different placeholders per language.
    """

    def __init__(self, name: str, *parts: Mapping[str, Mapping[str, str]]) -> None:
        self.name = name
        self._entries: dict[str, Mapping[str, str]] = {}
        for part in parts:
            for key, entry in part.items():
                self._check(key, entry)
                self._entries[key] = entry

    def _check(self, key: str, entry: Mapping[str, str]) -> None:
        if key in self._entries:
            raise TextError(DUPLICATE_KEY.format(key=key, name=self.name))
        if sorted(entry) != sorted(LANGUAGES):
            raise TextError(BAD_LANGUAGES.format(key=key, name=self.name, found=", ".join(entry) or "none"))
        found, other = placeholders(entry["nl"]), placeholders(entry["en"])
        if found != other:
            raise TextError(BAD_PLACEHOLDERS.format(key=key, name=self.name, found=sorted(found),
                                                    other=sorted(other)))

    def __getitem__(self, key: str) -> Mapping[str, str]:
        return self._entries[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def text(self, key: str, language: Language = "nl", **values: object) -> str:
        """The text for ``key`` in ``language``, with ``{placeholders}`` filled in.

        >>> texts = Catalog("example", {"n": {"nl": "onderdrukt (n < {n})", "en": "suppressed (n < {n})"}})
        >>> texts.text("n", "en", n=10)
        'suppressed (n < 10)'
        >>> texts.text("m", "en")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        risico.texts.TextError: Text key 'm' is not in the example texts (risico.texts.example). Add it there ...
        """
        entry = self._entries.get(key)
        if entry is None:
            raise TextError(UNKNOWN_KEY.format(key=key, name=self.name))
        if language not in entry:
            raise TextError(UNKNOWN_LANGUAGE.format(language=language, key=key))
        template = entry[language]
        return template.format(**values) if values else template

    def own_key(self, key: str, target: str) -> str:
        """The key of ``target``'s own wording (``<key>.<target>``, e.g. for providers) where this catalogue has
        one, else ``key`` (the wording both units of analysis share).

        >>> texts = Catalog("example", {"audit.title": {"nl": "Audit", "en": "Audit"},
        ...                             "audit.title.providers": {"nl": "Audit aanbieders", "en": "Provider audit"}})
        >>> texts.own_key("audit.title", "providers"), texts.own_key("audit.title", "applications")
        ('audit.title.providers', 'audit.title')
        """
        specific = f"{key}.{target}"
        return specific if specific in self._entries else key
