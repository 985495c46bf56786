"""Texts: one Catalog per consumer; every key defined once, in both languages, used, and every key family complete.

A key is *used* when the code spells it as a literal, or when it belongs to a family the code builds with an
f-string (``text(f"dilemma.{kind}.title")``). Such families are listed in ``FAMILIES`` with their members
enumerated from the code's own constants; each member must render in both languages, and (for closed
families) every key with the family's prefix must be a member, so a text for a removed feature is found.
"""

from __future__ import annotations

import ast
import functools
import importlib
import re
import typing
from pathlib import Path

import pytest

from risico.texts import LANGUAGES, Catalog, TextError, placeholders

SRC = Path(__file__).resolve().parents[1] / "src" / "risico"
NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
MODULES = ("common", "world", "validation", "model", "audit", "network", "governance", "register")
TARGET_SUFFIXES = (".providers",)     # own_key/variant: ``<key>.<target>`` for a target with its own wording


def _module(name: str):
    return importlib.import_module(f"risico.texts.{name}")


def _catalog(name: str) -> Catalog:
    return _module(name).TEXTS


@functools.cache
def _code() -> str:
    files = [p for p in SRC.rglob("*.py") if "texts" not in p.relative_to(SRC).parts]
    return "\n".join(p.read_text(encoding="utf-8") for p in [*files, *NOTEBOOKS.glob("*.ipynb")])


@functools.cache
def _fstring_families() -> tuple[re.Pattern[str], ...]:
    """A regex per key the code builds: an f-string ``"prefix.{x}..."`` or a sum ``"prefix." + x``."""
    patterns = []
    for node in ast.walk(ast.parse("\n".join(p.read_text(encoding="utf-8") for p in SRC.rglob("*.py")))):
        if isinstance(node, ast.JoinedStr):
            values = node.values
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and isinstance(node.left, ast.Constant):
            values = [node.left, node.right]
        else:
            continue
        if not values or not isinstance(values[0], ast.Constant) or not isinstance(values[0].value, str):
            continue
        if not re.fullmatch(r"[a-z_]+(\.[a-z_0-9]*)*\.?", values[0].value):
            continue
        parts = [re.escape(str(v.value)) if isinstance(v, ast.Constant) else r"[A-Za-z0-9_]+" for v in values]
        patterns.append(re.compile("".join(parts)))
    return tuple(patterns)


# -- the implementation ----------------------------------------------------------------------------------
def test_text_fills_placeholders_and_names_an_unknown_key_or_language():
    texts = Catalog("example", {"a.b": {"nl": "{n} stuks", "en": "{n} pieces"}, "a.c": {"nl": "{x}", "en": "{x}"}})
    assert texts.text("a.b", "en", n=3) == "3 pieces" and texts.text("a.b", n=3) == "3 stuks"
    assert texts.text("a.c", "nl") == "{x}"          # no values: the template as it is (as before)
    with pytest.raises(TextError, match=r"^Text key 'a\.d' is not in the example texts \(risico\.texts\.example\)\. "
                                        r"Add it there with 'nl' and 'en'\.$"):
        texts.text("a.d", "nl")
    with pytest.raises(TextError, match=r"^Language 'de' is not allowed for text 'a\.b'\. Allowed: nl, en\.$"):
        texts.text("a.b", "de", n=3)  # type: ignore[arg-type]


@pytest.mark.parametrize("parts, message", [
    ([{"k": {"nl": "x"}}], "Text 'k' in the bad texts has languages nl. Each text needs exactly: nl, en."),
    ([{"k": {"nl": "x", "en": "y", "de": "z"}}],
     "Text 'k' in the bad texts has languages nl, en, de. Each text needs exactly: nl, en."),
    ([{"k": {"nl": "{a} en {b}", "en": "{a} and {c}"}}],
     "Text 'k' in the bad texts has placeholders ['a', 'b'] in 'nl' but ['a', 'c'] in 'en'. "
     "Both languages need the same placeholders."),
    ([{"k": {"nl": "x", "en": "y"}}, {"k": {"nl": "x", "en": "y"}}],
     "Text key 'k' is defined twice in the bad texts. Keep it in one texts module."),
])
def test_a_malformed_catalogue_is_refused_when_made(parts, message):
    with pytest.raises(TextError) as error:
        Catalog("bad", *parts)
    assert str(error.value) == message


def test_own_key_takes_the_targets_wording_where_there_is_one():
    texts = _catalog("audit")
    assert texts.own_key("audit.title", "providers") == "audit.title.providers"
    assert texts.own_key("audit.title", "applications") == "audit.title"
    assert texts.own_key("audit.summary", "providers") == "audit.summary"


# -- the catalogues --------------------------------------------------------------------------------------
def test_every_key_is_defined_in_exactly_one_texts_module():
    seen: dict[str, str] = {}
    for name in MODULES:
        for key in _module(name).ENTRIES:
            assert key not in seen, f"{key!r} is in texts.{seen[key]} and texts.{name}"
            seen[key] = name
    assert len(seen) > 400


@pytest.mark.parametrize("name", MODULES)
def test_every_entry_has_both_languages_with_the_same_placeholders(name):
    for key, entry in _module(name).ENTRIES.items():
        assert tuple(entry) == LANGUAGES, key
        assert all(entry[language].strip() for language in LANGUAGES), key
        assert placeholders(entry["nl"]) == placeholders(entry["en"]), key


@pytest.mark.parametrize("name", MODULES)
def test_a_consumer_catalogue_is_its_own_entries_plus_the_shared_ones(name):
    texts, own = _catalog(name), _module(name).ENTRIES
    assert set(own) <= set(texts)
    for key in set(texts) - set(own):
        assert any(key in _module(base).ENTRIES for base in ("common", "network")), (name, key)


@pytest.mark.parametrize("name", MODULES)
def test_every_key_is_used_by_the_code(name):
    """A literal in src/ or notebooks/, a member of an f-string family, or a target's own wording of a used key."""
    code, families = _code(), _fstring_families()

    def literal(key: str) -> bool:
        return re.search(rf"""(?<![\w.])['"]{re.escape(key)}\\?['"]""", code) is not None

    def used(key: str) -> bool:
        if literal(key) or any(pattern.fullmatch(key) for pattern in families):
            return True
        base = next((key[: -len(s)] for s in TARGET_SUFFIXES if key.endswith(s)), None)
        return base is not None and (literal(base) or base in _catalog(name) and used(base))

    unused = [key for key in _module(name).ENTRIES if not used(key)]
    assert not unused, f"texts.{name} has keys no code uses: {unused}"


def test_the_unused_key_check_can_fail():
    families = _fstring_families()
    assert not any(p.fullmatch("col.importance.x") for p in families)
    assert '"col.importance"' not in _code()


# -- families the code builds with f-strings, with their members from the code's own constants ---------------
def _features() -> list[str]:
    from risico.features import FEATURE_GROUPS
    from risico.features.providers import FEATURE_GROUPS as PROVIDER_FEATURE_GROUPS
    return sorted({f for groups in (FEATURE_GROUPS, PROVIDER_FEATURE_GROUPS) for names in groups.values()
                   for f in names})


def _reason_keys() -> list[str]:
    texts = _catalog("model")
    out = []
    for feature in _features():
        flags = [f"reason.{feature}.true", f"reason.{feature}.false"]
        out += flags if flags[0] in texts else [f"reason.{feature}"]
        out += [f"reason.{feature}.missing"] if f"reason.{feature}.missing" in texts else []
    return out


def _dilemma_kinds() -> list[str]:
    source = (SRC / "audit" / "dilemmas.py").read_text(encoding="utf-8")
    kinds = re.findall(r'_dilemma\("(\w+)"', source) + list(re.search(r'kind = "(\w+)" if \w+ else "(\w+)"',
                                                                       source).groups())
    return sorted(set(kinds))


def _label_sources() -> tuple[str, ...]:
    from risico.train_params import TrainParams
    return typing.get_args(typing.get_type_hints(TrainParams)["label_source"])


def _families() -> list[tuple[str, str, list[str], bool]]:
    """(catalogue, prefix, member keys, closed: every key with the prefix must be a member)."""
    from risico.audit.verdict import VERDICTS
    from risico.audit.providers import CLIENT_SHARES
    from risico.audit.stage import PROFILES
    from risico.audit.tradeoffs import FAIRLEARN_CONSTRAINTS, SHIFT_TARGETS, frontier_figure
    from risico.describe import GROUP_ATTRIBUTES
    from risico.evaluate.reasons import N_REASONS
    from risico.governance.decisions import TARGETS
    from risico.governance.feedback import OUTCOMES
    from risico.governance.register import FIELDS
    from risico.governance.routes import ROUTES
    from risico.governance.worklist import BANDS
    from risico.network import RELATIONS
    from risico.train_params import FAMILIES

    axes = typing.get_args(typing.get_type_hints(frontier_figure)["x"])
    targets = [t for t in TARGETS if t != "applications"]
    return [
        ("world", "attr.", [f"attr.{a}" for a in GROUP_ATTRIBUTES], True),
        ("model", "reason.", _reason_keys(), True),
        ("model", "card.source.", [f"card.source.{s}" for s in _label_sources()]
         + [f"card.source.{s}.{t}" for s in _label_sources() for t in targets], True),
        ("model", "card.title", ["card.title"] + [f"card.title.{t}" for t in targets], True),
        ("governance", "check.", [f"check.{f}" for f in _features()] + ["check.none"], True),
        ("governance", "band.", [f"band.{b}" for b in BANDS], True),
        ("governance", "outcome.", [f"outcome.{o}" for o in OUTCOMES], True),
        ("governance", "worklist.col.reason_", [f"worklist.col.reason_{j + 1}" for j in range(N_REASONS)], True),
        ("governance", "feedback.route.", [f"feedback.route.{r}" for r in ROUTES], True),
        ("common", "provider_audit.ground.", [f"provider_audit.ground.{a}" for a in CLIENT_SHARES], True),
        ("network", "network.", [f"network.{r}" for r in (*RELATIONS, "title")], False),
        ("audit", "dilemma.", [f"dilemma.{k}.{part}" for k in _dilemma_kinds() for part in ("title", "text")],
         False),
        ("audit", "audit.verdict.", [f"audit.verdict.{v}" for v in VERDICTS], True),
        ("audit", "audit.skipped.", sorted({f"audit.skipped.{p}" for prof in PROFILES.values()
                                            for p in prof.skipped}), True),
        ("audit", "tradeoff.strategy.", [f"tradeoff.strategy.{s}" for s in ("unconstrained", *FAIRLEARN_CONSTRAINTS)],
         True),
        ("audit", "tradeoff.shift.", [f"tradeoff.shift.{s}" for s in SHIFT_TARGETS], True),
        ("audit", "tradeoff.x.", [f"tradeoff.x.{x}" for x in axes], True),
        ("audit", "tradeoff.statement", ["tradeoff.statement", "tradeoff.statement_equal"], True),
        ("register", "field.", [f"field.{name}" for name in FIELDS], True),
        ("register", "verdict.", [f"verdict.{v}" for v in VERDICTS], True),
        ("register", "family.", [f"family.{f}" for f in FAMILIES], True),
        ("register", "labels.", [f"labels.{s}" for s in _label_sources()]
         + [f"labels.{s}.{t}" for s in _label_sources() for t in targets], True),
    ]


FAMILY_IDS = [f"{name}:{prefix}" for name, prefix, _, _ in _families()]


@pytest.mark.parametrize("family", _families(), ids=FAMILY_IDS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_member_of_a_key_family_renders(family, language):
    name, prefix, members, _ = family
    texts = _catalog(name)
    assert members, prefix
    for key in members:
        assert key in texts, f"texts.{name} lacks {key!r} (family {prefix}*)"
        rendered = texts.text(key, language, **{p: 1.0 for p in placeholders(texts[key][language])})
        assert rendered.strip() and "{" not in rendered, key


@pytest.mark.parametrize("family", [f for f in _families() if f[3]], ids=[i for i, f in zip(FAMILY_IDS, _families())
                                                                          if f[3]])
def test_a_closed_family_has_no_key_beyond_its_members(family):
    name, prefix, members, _ = family
    extra = sorted(key for key in _catalog(name) if key.startswith(prefix) and key not in members)
    assert not extra, f"texts.{name} has {prefix}* keys for no member the code knows: {extra}"


def test_the_family_check_can_fail():
    texts = Catalog("example", {"band.low": {"nl": "laag", "en": "low"}, "band.old": {"nl": "oud", "en": "old"}})
    assert sorted(k for k in texts if k.startswith("band.") and k not in ["band.low"]) == ["band.old"]
    with pytest.raises(TextError):
        texts.text("band.high", "nl")
