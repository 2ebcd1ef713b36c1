"""NKI 0.7.0's nisa.NkiScalar (scalar_load / scalar_store; nki-spec.md §11.4) and engine= of activation /
activate2, and NKI 0.6.0's nisa.NkiInstruction handles (§11.3): our own kernels vs NumPy under the
releases that have them and the default, nkic's limits and the error
under the release before. Tolerance: exact for integer/copy/add kernels; activation on GpSimd must equal
the ScalarE result bit for bit (same numerics), checked against NumPy at rtol 1e-5."""
import os
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "kernels"))
import r07_kernels as k  # noqa: E402
from release_util import error_line, release, run  # noqa: E402

KFILE = os.path.join(HERE, "kernels", "r07_kernels.py")
rng = np.random.default_rng(70)


def i32(v):
    return np.array([[v]], np.int32)


def expect_error(fn, args, ver, message, line_name):
    with pytest.raises(Exception) as e:
        run(fn, *args, ver=ver)
    assert message in str(e.value)
    assert e.value.lineno == error_line(KFILE, line_name)


# ---- NkiScalar ----
@pytest.mark.parametrize("ver", [None, "0.7"])
@pytest.mark.parametrize("v", [0, 42, -7, 2**31 - 1, -2**31])
def test_scalar_load_store(ver, v):
    np.testing.assert_array_equal(run(k.scalar_roundtrip, i32(v), ver=ver), i32(v))


@pytest.mark.parametrize("ver", [None, "0.7"])
@pytest.mark.parametrize("n", [0, 1, 5])
def test_scalar_fori_loop_bound(ver, n):
    x = rng.standard_normal((16, 8)).astype(np.float32)
    want = np.zeros_like(x)
    for _ in range(n):
        want = (want + x).astype(np.float32)
    np.testing.assert_array_equal(run(k.scalar_fori_bound, x, i32(n), ver=ver), want)


@pytest.mark.parametrize("ver", [None, "0.7"])
@pytest.mark.parametrize("row", [0, 3, 4])
def test_scalar_offset(ver, row):
    a = rng.standard_normal((5, 8, 16)).astype(np.float32)
    np.testing.assert_array_equal(run(k.scalar_offset_row, a, i32(row), ver=ver), a[row] * np.float32(3))


@pytest.mark.parametrize("fn,args,message", [
    ("scalar_store_int", (i32(1),), "value must be an NkiScalar, not a Python int"),
    ("scalar_load_float", (np.zeros((1, 1), np.float32),), "src must be int32 or int64, not float32"),
    ("scalar_load_wide", (np.zeros((1, 2), np.int32),), "src must be a (1, 1) tensor"),
])
def test_scalar_errors(fn, args, message):
    expect_error(getattr(k, fn), args, None, message, fn)


@pytest.mark.parametrize("fn,want", [("scalar_add", lambda v: v + 1), ("scalar_neg", lambda v: -v)])
def test_scalar_arithmetic(fn, want):
    """More in test_r07_scalar_math.py."""
    np.testing.assert_array_equal(run(getattr(k, fn), i32(7)), i32(want(7)))


@pytest.mark.parametrize("ver,name", [("0.6", "scalar_load"), ("0.3", "scalar_load")])
def test_scalar_missing_before_0_7(ver, name):
    with pytest.raises(Exception) as e:
        run(k.scalar_roundtrip, i32(1), ver=ver)
    assert f"'nki.isa.{name}' is not in NKI {ver}.0: it was added in NKI 0.7.0" in str(e.value)


# ---- NkiInstruction handles (0.6.0) ----
@pytest.mark.parametrize("ver", [None, "0.6", "0.7"])
def test_handles_and_depends_on(ver):
    x, y = (rng.standard_normal((8, 32)).astype(np.float32) for _ in range(2))
    np.testing.assert_array_equal(run(k.handles, x, y, ver=ver), x + y)


@pytest.mark.parametrize("ver", ["0.3", "0.5"])
def test_isa_calls_return_none_before_0_6(ver):
    x = rng.standard_normal((8, 32)).astype(np.float32)
    np.testing.assert_array_equal(run(k.handle_is_none, x, ver=ver), x)


def test_nki_instruction_missing_before_0_6():
    expect_error(k.handle_class, (np.zeros((2, 2), np.float32),), "0.5",
                 "'nki.isa.NkiInstruction' is not in NKI 0.5.0: it was added in NKI 0.6.0", "handle_class")


def test_depends_on_takes_handles():
    expect_error(k.depends_on_tensor, (np.zeros((2, 2), np.float32),), None,
                 "depends_on takes NkiInstruction handles", "depends_on_tensor")


# ---- engine= of activation / activate2 (0.7.0, NeuronCore-v4) ----
@pytest.fixture
def trn3(monkeypatch):
    monkeypatch.setenv("NEURON_PLATFORM_TARGET_OVERRIDE", "trn3")


@pytest.mark.parametrize("ver", [None, "0.7"])
def test_activation_on_gpsimd(trn3, ver):
    x = rng.standard_normal((32, 64)).astype(np.float32)
    got = run(k.activation_on, x, "gpsimd", ver=ver)
    np.testing.assert_array_equal(got, run(k.activation_on, x, "scalar", ver=ver))
    np.testing.assert_allclose(got, np.exp(x * 0.5 + 0.25), rtol=1e-5)


@pytest.mark.parametrize("ver", [None, "0.7"])
def test_activate2_on_gpsimd(trn3, ver):
    x = rng.standard_normal((32, 64)).astype(np.float32)
    got = run(k.activate2_on, x, "gpsimd", ver=ver)
    np.testing.assert_array_equal(got, np.maximum(x * np.float32(2) - np.float32(0.5), 0))


def test_activation_gpsimd_errors(trn3):
    x = np.zeros((4, 8), np.float32)
    expect_error(k.activation_gpsimd_reduce, (x,), None, "uses ScalarE's accumulator: it needs engine=nisa.engine.scalar",
                 "activation_gpsimd_reduce")
    expect_error(k.activation_on, (x, "gpsimd"), "0.6", "parameter 'engine' is not in NKI 0.6.0", "activation_on")
    expect_error(k.activate2_on, (x, "gpsimd"), "0.6", "parameter 'engine' is not in NKI 0.6.0", "activate2_on")


def test_activation_gpsimd_needs_nc_v4():
    expect_error(k.activation_on, (np.zeros((4, 8), np.float32), "gpsimd"), None, "NeuronCore-v4", "activation_on")
