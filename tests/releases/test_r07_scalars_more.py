"""The last items of issue #15 (nki-spec.md §11.2, §11.4, §11.5; decisions in docs/semantics.md, "NKI
0.7.0 int64 scalars, scalar comparisons ..."): nl.int64 tiles and 64-bit NkiScalars, traced int32
comparisons (storable, otherwise unusable), the fori_loop induction value as an NkiScalar, the 0.5.0
default engine of rand_set_state / rand_get_state, the 0.3.0 dma_transpose rank padding. Our own kernels
vs NumPy under the release that has each behaviour and the default, and the error (message + line) where
a release lacks it. Tolerance: exact everywhere (integer arithmetic, 0/1 comparisons, copies, states)."""
import os
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "kernels"))
import r07_scalars_more_kernels as k  # noqa: E402
from release_util import error_line, run  # noqa: E402

KFILE = os.path.join(HERE, "kernels", "r07_scalars_more_kernels.py")
rng = np.random.default_rng(707)


def i32(v):
    return np.array([[v]], np.int32)


def i64(v):
    return np.array([[v]], np.int64)


def expect_error(fn, args, ver, message, line_name, **kw):
    with pytest.raises(Exception) as e:
        run(fn, *args, ver=ver, **kw)
    assert message in str(e.value)
    assert e.value.lineno == error_line(KFILE, line_name)
    return e.value


# ---- nl.int64 and 64-bit NkiScalars (0.7.0) ----
@pytest.mark.parametrize("ver", [None, "0.7"])
@pytest.mark.parametrize("v,w", [(5, 3), (2**31, 1), (-(2**33) + 7, 2**32), (3 * 2**40, -(2**20)),
                                 (2**62, 2)])
def test_int64_math(ver, v, w):
    got = run(k.int64_math, i64(v), i64(w), ver=ver)
    a, b = np.int64(v), np.int64(w)
    with np.errstate(over="ignore"):  # int64 wraps (2**62 * 3 + 2**40 and 2**62 * 2 do)
        want = [a * np.int64(3) + np.int64(2**40), a - b, -a, np.int64(7) - b, a * b]
    for g, x in zip(got, want):
        assert g.dtype == np.int64
        np.testing.assert_array_equal(g, i64(x))


@pytest.mark.parametrize("ver", [None, "0.7"])
@pytest.mark.parametrize("v", [0, -1, 2**40 + 3, -(2**63), 2**63 - 1])
def test_int64_tiles_dma_and_memset(ver, v):
    copied, memset = run(k.int64_tiles, i64(v), ver=ver)
    np.testing.assert_array_equal(copied, i64(v))
    np.testing.assert_array_equal(memset, i64(-5))


@pytest.mark.parametrize("ver", [None, "0.7"])
@pytest.mark.parametrize("row", [0, 2, 5])
def test_int64_offset_on_hbm(ver, row):
    a = rng.standard_normal((6, 8, 16)).astype(np.float32)
    np.testing.assert_array_equal(run(k.int64_offset, a, i64(row), ver=ver), a[row])


@pytest.mark.parametrize("fn,args,message", [
    ("int64_offset_sbuf", (np.zeros((2, 4, 8), np.float32), i64(0)), "an int64 NkiScalar can offset only an HBM view"),
    ("int64_fori_bound", (np.zeros((2, 2), np.float32), i64(1)),
     "an int64 NkiScalar cannot be a fori_loop bound"),
    ("int64_compare", (i64(1),), "of int64 NkiScalars is rejected in NKI 0.7.0"),
    ("int64_mixed_width", (i64(1), i32(1)), "of an int64 and an int32 NkiScalar: the widths must match"),
    ("int64_store_narrow", (i64(1),), "scalar_store needs the same width"),
    ("int64_compute", (i64(1),), "int64 tensors hold NkiScalar values only"),
    ("int64_dma_convert", (i64(1),), "a DMA does not convert int64"),
])
@pytest.mark.parametrize("ver", [None, "0.7"])
def test_int64_errors(fn, args, message, ver):
    expect_error(getattr(k, fn), args, ver, message, fn)


@pytest.mark.parametrize("ver", ["0.6", "0.3"])
def test_int64_missing_before_0_7(ver):
    expect_error(k.int64_name, (i64(1),), ver,
                 f"'nki.language.int64' is not in NKI {ver}.0: it was added in NKI 0.7.0", "int64_name")


def test_int64_host_array_default():
    """Under the default an int64 host array is an nl.int64 tensor (DMA round trip)."""
    copied, _ = run(k.int64_tiles, i64(2**45))
    np.testing.assert_array_equal(copied, i64(2**45))


# ---- traced comparisons of int32 NkiScalars (0.7.0) ----
@pytest.mark.parametrize("ver", [None, "0.7"])
@pytest.mark.parametrize("v,w", [(1, 2), (2, 1), (3, 3), (-2**31, 2**31 - 1), (-2, -2), (6, -1)])
def test_comparisons_stored(ver, v, w):
    got = run(k.compare_all, i32(v), i32(w), ver=ver)
    want = [v < w, v <= w, v > w, v >= w, v == w, v != w, 5 < v, v > -2]
    for g, x in zip(got, want):
        np.testing.assert_array_equal(g, i32(int(x)))


@pytest.mark.parametrize("fn,args,message", [
    ("compare_if", (i32(1),), "an NkiScalar holds a run-time value: it has no truth value"),
    ("scalar_while", (i32(1),), "an NkiScalar holds a run-time value: it has no truth value"),
    ("compare_offset", (np.zeros((2, 4, 8), np.float32), i32(1)),
     "the result of an NkiScalar comparison cannot be used as a scalar_offset"),
    ("compare_math", (i32(1),), "the result of an NkiScalar comparison cannot be used in NkiScalar arithmetic"),
    ("compare_bound", (np.zeros((2, 2), np.float32), i32(1)),
     "the result of an NkiScalar comparison cannot be used as a fori_loop bound"),
    ("compare_chain", (i32(1),), "an NkiScalar holds a run-time value: it has no truth value"),
])
@pytest.mark.parametrize("ver", [None, "0.7"])
def test_comparison_unusable(fn, args, message, ver):
    expect_error(getattr(k, fn), args, ver, message, fn)


@pytest.mark.parametrize("ver", [None, "0.7"])
def test_truth_value_is_a_type_error(ver):
    """`if scalar < 3:` raises a TypeError the kernel can catch (as Python would)."""
    np.testing.assert_array_equal(run(k.truth_caught, i32(1), ver=ver), i32(1))


def test_comparisons_missing_before_0_7():
    """No NkiScalar (so no comparison of one) before 0.7.0."""
    with pytest.raises(Exception) as e:
        run(k.compare_all, i32(1), i32(2), ver="0.6")
    assert "'nki.isa.scalar_load' is not in NKI 0.6.0: it was added in NKI 0.7.0" in str(e.value)


# ---- the fori_loop induction value: an NkiScalar from 0.7.0 ----
@pytest.mark.parametrize("ver", [None, "0.7"])
def test_fori_induction_is_scalar(ver):
    a = rng.standard_normal((8, 4, 16)).astype(np.float32)
    np.testing.assert_array_equal(run(k.fori_even_rows, a, ver=ver), a[1::2])


@pytest.mark.parametrize("ver", [None, "0.7"])
def test_fori_induction_stored(ver):
    np.testing.assert_array_equal(run(k.fori_store_iv, np.zeros((1, 6), np.int32), ver=ver),
                                  (np.arange(6, dtype=np.int32) * 3)[None, :])


@pytest.mark.parametrize("ver", ["0.6"])
def test_fori_induction_is_register_before_0_7(ver):
    a = np.zeros((8, 4, 16), np.float32)
    expect_error(k.fori_even_rows, (a,), ver, "VirtualRegister", "fori_iv")


@pytest.mark.parametrize("ver", [None, "0.7"])
def test_fori_register_bound_keeps_register(ver):
    a = np.zeros((4, 4, 16), np.float32)
    expect_error(k.fori_register_iv, (a, i32(2)), ver, "VirtualRegister", "fori_reg")


# ---- rand_set_state / rand_get_state: GpSimd by default from 0.5.0 ----
@pytest.fixture
def trn3(monkeypatch):
    monkeypatch.setenv("NEURON_PLATFORM_TARGET_OVERRIDE", "trn3")


@pytest.mark.parametrize("ver", [None, "0.5", "0.7", "0.4", "0.3"])
def test_state_default_gpsimd(trn3, ver):
    st = rng.integers(1, 2**32, size=(8, 6), dtype=np.uint32)
    np.testing.assert_array_equal(run(k.state_default_engine, st, ver=ver), st)


@pytest.mark.parametrize("ver", ["0.4", "0.3"])
def test_state_size_picks_vector_before_0_5(trn3, ver):
    st = rng.integers(1, 2**32, size=(8, 24), dtype=np.uint32)
    np.testing.assert_array_equal(run(k.state_default_engine, st, ver=ver), st)


@pytest.mark.parametrize("ver", [None, "0.5", "0.7"])
def test_state_24_words_needs_vector_from_0_5(trn3, ver):
    st = np.ones((8, 24), np.uint32)
    expect_error(k.state_default_engine, (st,), ver, "the default engine is GpSimd (NKI 0.5.0)", "state_default")


# ---- dma_transpose: a dst of another rank (padded in 0.3.0, an error from 0.4.0) ----
@pytest.mark.parametrize("shape", [(32, 64), (16, 128)])
def test_transpose_padded_0_3(shape):
    x = rng.standard_normal(shape).astype(np.float32)
    got = run(k.transpose_padded, x, ver="0.3")
    assert got.shape == (shape[1], 1, shape[0])
    np.testing.assert_array_equal(got, x.T[:, None, :])


def test_transpose_squeezed_0_3():
    x = rng.standard_normal((1, 24, 48)).astype(np.float32)
    np.testing.assert_array_equal(run(k.transpose_squeezed, x, ver="0.3"), x[0].T)


@pytest.mark.parametrize("ver", [None, "0.4", "0.7"])
def test_transpose_rank_error_from_0_4(ver):
    x = np.zeros((32, 64), np.float32)
    e = expect_error(k.transpose_padded, (x,), ver, "dst must have the same rank as src (2)", "transpose_padded")
    assert "NKI 0.3.0 padded" in str(e)


@pytest.mark.parametrize("ver", [None, "0.3"])
def test_transpose_other_shape_always_error(ver):
    expect_error(k.transpose_wrong, (np.zeros((32, 64), np.float32),), ver, "dst must have the same rank as src",
                 "transpose_wrong")


# ---- nl.empty_like's docstring (0.7.0) ----
def test_empty_like_doc_mentions_grids():
    import nki.language as nl
    assert "grid" in nl.empty_like.__doc__
