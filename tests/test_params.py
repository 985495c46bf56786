import datetime as dt

import pytest

from risico.params import ParamError, SectionReader, load_section


@pytest.mark.parametrize(
    ("values", "call", "message"),
    [
        ({"capacity": 0}, lambda r: r.int("capacity", minimum=1),
         "The 'capacity' parameter of worklist must be an int >= 1. Got 0 instead."),
        ({"capacity": True}, lambda r: r.int("capacity", minimum=1),
         "The 'capacity' parameter of worklist must be an int >= 1. Got True instead."),
        ({"share": 1.5}, lambda r: r.share("share"),
         "The 'share' parameter of worklist must be a number in [0, 1]. Got 1.5 instead."),
        ({"share": float("nan")}, lambda r: r.share("share"),
         "The 'share' parameter of worklist must be a number in [0, 1]. Got nan instead."),
        ({"lang": "de"}, lambda r: r.choice("lang", ["nl", "en"]),
         "The 'lang' parameter of worklist must be one of 'nl', 'en'. Got 'de' instead."),
        ({"day": "31-01-2024"}, lambda r: r.date("day"),
         "The 'day' parameter of worklist must be a date as YYYY-MM-DD. Got '31-01-2024' instead."),
        ({}, lambda r: r.int("capacity", minimum=1),
         "The 'capacity' parameter of worklist is missing. It must be an int >= 1."),
        ({"mix": {"a": 0.5, "b": 0.6}}, lambda r: r.weights("mix", ["a", "b"]),
         "The 'mix' parameter of worklist must be a mapping of a, b to numbers >= 0 summing to 1. "
         "Got {'a': 0.5, 'b': 0.6} instead."),
        ({"mix": {"a": 0.5, "c": 0.5}}, lambda r: r.weights("mix", ["a", "b"]),
         "The 'mix.c' parameter of worklist must be one of the names a, b. Got 'c' instead."),
        ({"mix": {"a": -0.5, "b": 1.5}}, lambda r: r.weights("mix", ["a", "b"]),
         "The 'mix.a' parameter of worklist must be a number >= 0. Got -0.5 instead."),
        ({"ds": ["W01", "W99"]}, lambda r: r.subset("ds", ["W01", "W02"]),
         "The 'ds' parameter of worklist must be a list of distinct values from W01, W02. Got 'W99' instead."),
    ],
)
def test_reader_rejects_with_exact_message(values, call, message):
    with pytest.raises(ParamError) as info:
        call(SectionReader(values, "worklist"))
    assert str(info.value) == message


def test_reader_accepts_and_converts():
    r = SectionReader({"n": 3, "x": 0.5, "d": "2024-01-31", "flag": False, "mix": {"a": 1}}, "s")
    assert r.int("n", minimum=1) == 3
    assert r.share("x") == 0.5
    assert r.date("d") == dt.date(2024, 1, 31)
    assert r.bool("flag") is False
    assert r.weights("mix", ["a", "b"]) == {"a": 1.0, "b": 0.0}
    r.finish()


def test_unknown_key_is_rejected():
    r = SectionReader({"seed": 1, "sede": 2}, "generate")
    r.int("seed")
    with pytest.raises(ParamError, match=r"^The 'sede' parameter of generate is unknown. Allowed keys: seed.$"):
        r.finish()


def test_nested_keys_are_named_with_their_path():
    r = SectionReader({"investigation": {"rate": 2.0}}, "generate")
    with pytest.raises(ParamError, match=r"'investigation.rate' parameter of generate"):
        r.sub("investigation").share("rate")


def test_missing_section_and_missing_file(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text("other: {a: 1}\n", encoding="utf-8")
    with pytest.raises(ParamError) as info:
        load_section(path, "generate")
    assert str(info.value) == (f"{path} has no 'generate' section. "
                               "Add it (the repository's params.yaml shows the defaults).")
    with pytest.raises(ParamError, match="does not exist"):
        load_section(tmp_path / "nope.yaml", "generate")
    path.write_text("a: [1, 2\n", encoding="utf-8")
    with pytest.raises(ParamError, match=r"is not valid YAML at line"):
        load_section(path, "generate")
