"""The generate stage from the command line: bad parameters, nothing half-written, byte-identical output."""

import hashlib
import re
import subprocess
import sys

import pytest
import yaml

from risico.cli import main
from risico.io import MARKER
from risico.synth.world import RAW_TABLES, TRUTH_TABLES
from tests.conftest import repo_params, set_key


def write_params(tmp_path, values):
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(values, sort_keys=False), encoding="utf-8")
    return path


def run_generate(tmp_path, values, capsys=None):
    params = write_params(tmp_path, values)
    return main(["--quiet", "generate", "--params", str(params),
                 "--raw", str(tmp_path / "data" / "raw"), "--truth", str(tmp_path / "data" / "truth")])


BAD = [
    ("generate.n_persons", -5,
     "The 'n_persons' parameter of generate must be an int in [100, 5e+07]. Got -5 instead."),
    ("generate.investigation.random_share", 1.5,
     "The 'investigation.random_share' parameter of generate must be a number in [0, 1]. Got 1.5 instead."),
    ("generate.detection.rate", -0.1,
     "The 'detection.rate' parameter of generate must be a number in [0, 1]. Got -0.1 instead."),
    ("generate.applications.scheme_mix", {"pw_bijstand": 0.5, "wmo_huishoudelijk": 0.5},
     "The 'applications.scheme_mix.wmo_huishoudelijk' parameter of generate must be one of the names "
     "pw_bijstand, wmo_zin, wmo_pgb, jw_zin, jw_pgb. Got 'wmo_huishoudelijk' instead."),
    ("generate.applications.scheme_mix", {"pw_bijstand": 0.5, "wmo_zin": 0.6},
     "The 'applications.scheme_mix' parameter of generate must be a mapping of pw_bijstand, wmo_zin, wmo_pgb, "
     "jw_zin, jw_pgb to numbers >= 0 summing to 1. Got {'pw_bijstand': 0.5, 'wmo_zin': 0.6} instead."),
    ("generate.investigation.targeted_districts", ["W09", "Centrum"],
     "The 'investigation.targeted_districts' parameter of generate must be a list of distinct values from "
     "W01, W02, W03, W04, W05, W06, W07, W08, W09, W10, W11, W12. Got 'Centrum' instead."),
    ("generate.n_years", 2, "The 'n_years' parameter of generate must be an int in [3, 20]. Got 2 instead."),
    ("generate.start_date", "01-01-2022",
     "The 'start_date' parameter of generate must be a date as YYYY-MM-DD. Got '01-01-2022' instead."),
    ("generate.detection.ratio_non_western", 2.0,
     "The 'detection.ratio_non_western' parameter of generate must be a number in (0, 1.429] "
     "(detection.rate times it must stay <= 1). Got 2.0 instead."),
    ("generate.fair_world", "yes", "The 'fair_world' parameter of generate must be true or false. Got 'yes' instead."),
    ("generate.seeed", 1, "The 'seeed' parameter of generate is unknown. Allowed keys: absences, applications, "
     "detection, fair_world, investigation, n_persons, n_years, population, providers, proxies, seed, start_date, "
     "violation."),
    ("generate.absences.honest_error_rate", 1.5,
     "The 'absences.honest_error_rate' parameter of generate must be a number in [0, 1]. Got 1.5 instead."),
    ("generate.absences.hospital_mean_days", 0.5,
     "The 'absences.hospital_mean_days' parameter of generate must be a number in [1, 365]. Got 0.5 instead."),
    ("generate.absences.abroad_ratio_non_western", 0,
     "The 'absences.abroad_ratio_non_western' parameter of generate must be a number in (0, 20]. Got 0 instead."),
    ("generate.absences.abroad_rate", -0.1,
     "The 'absences.abroad_rate' parameter of generate must be a number in [0, 10]. Got -0.1 instead."),
]


@pytest.mark.parametrize(("key", "value", "message"), BAD, ids=[row[0].split(".", 1)[1] for row in BAD])
def test_bad_parameter_stops_with_one_line_and_writes_nothing(tmp_path, capsys, key, value, message):
    status = run_generate(tmp_path, set_key(repo_params(), key, value))
    err = capsys.readouterr().err
    assert status == 2
    assert err == f"risico generate: error: {message}\n"
    assert not (tmp_path / "data").exists()


def test_missing_section_stops(tmp_path, capsys):
    values = repo_params()
    del values["generate"]
    assert run_generate(tmp_path, values) == 2
    assert "has no 'generate' section" in capsys.readouterr().err
    assert not (tmp_path / "data").exists()


def test_failure_while_writing_leaves_previous_output_untouched(tmp_path, monkeypatch):
    values = set_key(repo_params(), "generate.n_persons", 500)
    assert run_generate(tmp_path, values) == 0
    before = digest_tree(tmp_path / "data")

    def broken(frame, path):
        raise OSError("disk full")

    monkeypatch.setattr("risico.synth.stage.write_parquet", broken)
    with pytest.raises(OSError):
        run_generate(tmp_path, set_key(values, "generate.seed", 7))
    assert digest_tree(tmp_path / "data") == before
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["raw", "truth"]


def digest_tree(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_gives_byte_identical_parquet_and_another_seed_does_not(tmp_path):
    values = set_key(repo_params(), "generate.n_persons", 2000)
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for folder, seed in ((first, 1), (second, 1), (other, 2)):
        folder.mkdir()
        assert run_generate(folder, set_key(values, "generate.seed", seed)) == 0
    a, b, c = digest_tree(first / "data"), digest_tree(second / "data"), digest_tree(other / "data")
    expected = {f"raw/{t}.parquet" for t in RAW_TABLES} | {f"truth/{t}.parquet" for t in TRUTH_TABLES}
    assert set(a) == expected | {f"raw/{MARKER}", f"truth/{MARKER}"}
    assert a == b                                                   # the markers too: no timestamp in them
    assert all(a[name] != c[name] for name in expected)


def test_cli_help_lists_every_pipeline_stage():
    dvc = yaml.safe_load(open(__import__("tests.conftest").conftest.REPO / "dvc.yaml"))
    result = subprocess.run([sys.executable, "-m", "risico", "--help"], capture_output=True, text=True, check=True)
    for stage, spec in dvc["stages"].items():
        command = spec["cmd"].split()[3]          # python -m risico <command> ...
        assert re.search(rf"\n    {command}\s", result.stdout), stage


def test_fair_world_sets_the_abroad_ratio_to_one(make_params):
    assert make_params().effective().absences.abroad_ratio_non_western == 1.5
    fair = make_params(fair_world=True)
    assert fair.absences.abroad_ratio_non_western == 1.5          # the parameter as written ...
    assert fair.effective().absences.abroad_ratio_non_western == 1.0   # ... and as the generator applies it


def test_batch_holds_only_new_applications_with_absences_in_the_history(tmp_path):
    import pandas as pd
    values = set_key(repo_params(), "generate.n_persons", 1500)
    params = write_params(tmp_path, values)
    assert main(["--quiet", "generate", "--params", str(params), "--raw", str(tmp_path / "raw"),
                 "--truth", str(tmp_path / "truth"), "--batch", str(tmp_path / "batch")]) == 0
    assert sorted(p.name for p in (tmp_path / "batch").iterdir()) == [MARKER, "applications.parquet"]
    absences = pd.read_parquet(tmp_path / "raw" / "absences.parquet")
    batch = pd.read_parquet(tmp_path / "batch" / "applications.parquet")
    assert len(absences) > 0 and len(batch) > 0
    assert absences["end_date"].max() < batch["application_date"].min()
