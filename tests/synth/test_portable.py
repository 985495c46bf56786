"""The processor-independent exp, log and power, and the world they make byte-identical on every processor.

``test_world_is_byte_identical_without_the_vector_paths`` is the proof the issue asks for: it generates a world
once as this processor runs it and once with NumPy's vector code switched off (``NPY_DISABLE_CPU_FEATURES``) and
glibc's FMA variants of exp/log/pow switched off (``GLIBC_TUNABLES``), as on an older or another make of
processor, and compares every file's bytes. With ``np.exp`` in the sigmoid the truth tables differed.
"""

from __future__ import annotations

import decimal
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from risico.synth import _portable
from risico.synth._common import sigmoid
from tests.conftest import repo_params, set_key

decimal.getcontext().prec = 40


def ulps(got: np.ndarray, exact: list[decimal.Decimal]) -> np.ndarray:
    """|got - exact| in units of the last place of the exact value (rounded to double)."""
    ref = np.array([float(v) for v in exact])
    error = np.array([abs(decimal.Decimal(float(g)) - v) for g, v in zip(got, exact)], dtype=float)
    return error / np.spacing(np.abs(ref))


def sample(low: float, high: float, n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform(low, high, n)


@pytest.mark.parametrize("x", [sample(-708, 709, 3000, 1), sample(-40, 40, 3000, 2), sample(-0.35, 0.35, 1000, 3),
                               np.array([-1.0, -0.5, 0.0, 1e-300, 1e-10, 0.5, 1.0, 2.0, 700.0])])
def test_exp_is_within_one_ulp_of_the_exact_value(x):
    assert ulps(_portable.exp(x), [decimal.Decimal(float(v)).exp() for v in x]).max() <= 1.0


@pytest.mark.parametrize("x", [sample(0.5, 2.0, 3000, 4), np.exp(sample(-700, 700, 3000, 5)), np.arange(2.0, 501.0),
                               np.array([1e-300, 0.1, 0.7071067811865476, 1.4142135623730951, 3.0, 1e300])])
def test_log_is_within_two_ulp_of_the_exact_value(x):
    assert ulps(_portable.log(x), [decimal.Decimal(float(v)).ln() for v in x]).max() <= 2.0


def test_power_of_staff_sizes_is_within_eight_ulp():
    x = np.arange(1.0, 501.0)
    assert ulps(_portable.power(x, 0.7), [decimal.Decimal(float(v)) ** decimal.Decimal(0.7) for v in x]).max() <= 8.0


def test_exp_limits_and_nan():
    got = _portable.exp(np.array([-1e6, -746.0, 0.0, -0.0, 710.0, 1e6, np.nan]))
    np.testing.assert_array_equal(got[:6], [0.0, 0.0, 1.0, 1.0, np.inf, np.inf])
    assert np.isnan(got[6])


def test_log_of_one_is_zero_and_exact_powers_of_two():
    assert _portable.log(1.0) == 0.0
    assert _portable.log(2.0 ** 10) == 10 * 0.6931471805599453


@pytest.mark.parametrize("bad", [0.0, -1.0, np.inf, np.nan])
def test_log_rejects_what_has_no_real_logarithm(bad):
    with pytest.raises(ValueError, match=r"^log takes positive finite values; got "):
        _portable.log(np.array([1.0, bad]))


def test_sigmoid_uses_the_portable_exp():
    x = sample(-30, 30, 2000, 6)
    np.testing.assert_array_equal(sigmoid(x), 1.0 / (1.0 + _portable.exp(-x)))
    np.testing.assert_allclose(sigmoid(x), 1.0 / (1.0 + np.exp(-x)), rtol=1e-15, atol=0)


# -- the world, with and without the vector paths ----------------------------------------------------------------
def vector_features() -> list[str]:
    """NumPy's dispatch targets this processor has beyond the build's baseline (what NumPy would switch to)."""
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    return [name for name in __cpu_dispatch__ if __cpu_features__.get(name)]


def generate(folder: Path, env: dict[str, str]) -> dict[str, str]:
    values = set_key(set_key(repo_params(), "generate.n_persons", 3000), "generate.providers.doorstart_share", 0.5)
    folder.mkdir()
    (folder / "params.yaml").write_text(yaml.safe_dump(values), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "risico", "generate", "--params", "params.yaml", "--raw", "raw",
                             "--truth", "truth", "--batch", "batch"], cwd=folder, env=env, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*.parquet"))}


def enabled_features(env: dict[str, str]) -> set[str]:
    probe = "from numpy._core._multiarray_umath import __cpu_features__ as f; print(' '.join(k for k, v in f.items() if v))"
    result = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    return set(result.stdout.split())


def test_world_is_byte_identical_without_the_vector_paths(tmp_path):
    features = vector_features()
    if not features:
        pytest.skip("this processor has no vector features beyond NumPy's baseline to switch off")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    scalar = {**env, "NPY_DISABLE_CPU_FEATURES": " ".join(features),
              "GLIBC_TUNABLES": "glibc.cpu.hwcaps=-AVX2,-FMA,-AVX512F"}
    assert not enabled_features(scalar) & set(features), "NPY_DISABLE_CPU_FEATURES did not switch the features off"
    native, without = generate(tmp_path / "native", env), generate(tmp_path / "scalar", scalar)
    assert {name.split("/")[0] for name in native} == {"raw", "truth", "batch"}
    assert native == without
