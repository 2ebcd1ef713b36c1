"""NKI 0.7.0 NkiScalar arithmetic (nki-spec.md §11.4): `+`, binary/unary `-` and `*` with an int or another
NkiScalar give a new NkiScalar (nkic: one RegisterAlu sequencer instruction each; int32 wraps). Our own
kernels vs NumPy int32 arithmetic (exact; NumPy int32 wraps the same way), under the default and 0.7;
the errors nkic keeps (other operators, floats, ints beyond 32 bits, VirtualRegisters); scalar_load is an
error under 0.6. Tolerance: exact (integer arithmetic and copies)."""
import os
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "kernels"))
import r07_scalar_math_kernels as k  # noqa: E402
from release_util import error_line, run  # noqa: E402

KFILE = os.path.join(HERE, "kernels", "r07_scalar_math_kernels.py")
VALUES = [0, 1, 42, -7, 2**31 - 1, -2**31, 123456789]


def i32(v):
    return np.array([[v]], np.int32)


def wrap(v):
    """v as an int32 (two's complement wrap-around), what NumPy int32 arithmetic gives."""
    return i32(np.int64(v).astype(np.int32))


@pytest.mark.parametrize("ver", [None, "0.7"])
@pytest.mark.parametrize("v", VALUES)
def test_affine_and_neg(ver, v):
    lin, neg = run(k.affine_and_neg, i32(v), ver=ver)
    with np.errstate(over="ignore"):
        np.testing.assert_array_equal(lin, i32(v) * np.int32(2) + np.int32(1))
        np.testing.assert_array_equal(neg, -i32(v))


@pytest.mark.parametrize("ver", [None, "0.7"])
@pytest.mark.parametrize("v,w", [(5, 3), (-4, 9), (2**31 - 1, 1), (-2**31, 1), (65536, 65536), (-1, -2**31)])
def test_mixed(ver, v, w):
    got = run(k.mixed, i32(v), i32(w), ver=ver)
    want = [v - w, v * w, 10 - v, 3 * v + w, v - 5]
    for g, x in zip(got, want):
        np.testing.assert_array_equal(g, wrap(x))


@pytest.mark.parametrize("ver", [None, "0.7"])
def test_int32_wraps(ver):
    """2**31 - 1 + 1 wraps to -2**31 (and -(-2**31) stays -2**31)."""
    lin, neg = run(k.affine_and_neg, i32(2**30), ver=ver)  # 2**31 + 1 wraps
    np.testing.assert_array_equal(lin, i32(-2**31 + 1))
    got = run(k.mixed, i32(2**31 - 1), i32(-1), ver=ver)
    np.testing.assert_array_equal(got[0], i32(-2**31))  # (2**31 - 1) - (-1)
    _, neg = run(k.affine_and_neg, i32(-2**31), ver=ver)
    np.testing.assert_array_equal(neg, i32(-2**31))


@pytest.mark.parametrize("ver", [None, "0.7"])
@pytest.mark.parametrize("row", [1, 2, 3])
def test_scalar_offset_from_math(ver, row):
    a = np.random.default_rng(77).standard_normal((6, 8, 16)).astype(np.float32)
    np.testing.assert_array_equal(run(k.offset_from_math, a, i32(row), ver=ver), a[2 * row - 1])


@pytest.mark.parametrize("v", [0, 9, -3])
def test_augmented(v):
    np.testing.assert_array_equal(run(k.augmented, i32(v)), i32((v + 1) * 3))


@pytest.mark.parametrize("fn,message", [
    ("scalar_div", "NkiScalar arithmetic ('FloorDiv') is not supported: an NkiScalar takes +, - and * only"),
    ("scalar_float", "NkiScalar arithmetic ('+') takes an int or another NkiScalar, not float"),
    ("scalar_big_int", "the int 4294967296 does not fit in 32 bits"),
    ("scalar_and_register", "takes an int or another NkiScalar, not a VirtualRegister"),
])
def test_errors(fn, message):
    with pytest.raises(Exception) as e:
        run(getattr(k, fn), i32(1))
    assert message in str(e.value)
    assert e.value.lineno == error_line(KFILE, fn)


def test_missing_before_0_7():
    with pytest.raises(Exception) as e:
        run(k.affine_and_neg, i32(1), ver="0.6")
    assert "'nki.isa.scalar_load' is not in NKI 0.6.0: it was added in NKI 0.7.0" in str(e.value)
