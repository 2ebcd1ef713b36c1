"""The remaining NKI 0.5.0 changes, each under 0.5.0 (or later), the default, and the release before:
quantize_mx's block scale 2x the OCP reference, NkiTensor.vector_select, the runtime select(dim, (1, 1)
tensor), the on-chip integer-indexing rule, nl.rsqrt on GpSimd. Tolerances: exact everywhere (views and
DMAs move bits; quantize_mx is compared bit for bit with a NumPy model of both scale rules; rsqrt is
1/sqrt in float64 rounded to fp32, as nkic's ALU computes it)."""
import collections
import os
import re
import sys

import ml_dtypes
import numpy as np
import pytest

import nki

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "kernels"))
import r05_more_kernels as k  # noqa: E402
from release_util import error_line, needs_release_selection, release, run  # noqa: E402

KFILE = os.path.join(HERE, "kernels", "r05_more_kernels.py")
NEW = [None, "0.5", "0.6"]  # releases with the 0.5.0 behaviour (None: the default)
OLD = ["0.3", "0.4"]
rng = np.random.default_rng(55)
FP8 = {"float8_e4m3fn_x4": ml_dtypes.float8_e4m3fn, "float8_e5m2_x4": ml_dtypes.float8_e5m2}


def randn(*shape):
    return rng.standard_normal(shape).astype(np.float32)


@pytest.fixture(autouse=True)
def selection():
    needs_release_selection(k.gather_rows, (randn(4, 4), np.zeros((2, 1), np.int32)), "0.4")


def expect_error(kernel, args, ver, marker, message):
    with pytest.raises(nki.NkiCompileError) as e:
        run(kernel, *args, ver=ver)
    text = str(e.value)
    assert message in text, text
    assert f'r05_more_kernels.py", line {error_line(KFILE, marker)},' in text, text


# ---- quantize_mx: the scale exponent is OCP's + 1 from NKI 0.5.0 on ----
def quantize_ref(x, dt, exp_offset):
    """NumPy model: per 8-partition x 4-column group, e = the largest biased fp32 exponent, scale =
    max(e - Emax + exp_offset, 0) (Emax 8 for e4m3fn, 15 for e5m2); values x / 2^(scale - 127), clipped
    to the format's max finite, rounded to nearest even."""
    P, F = x.shape
    emax, maxv = (15, 57344.0) if dt == "float8_e5m2_x4" else (8, 448.0)
    e = (x.astype(np.float32).view(np.uint32) >> 23) & 0xFF
    g = e.reshape(P // 8, 8, F // 4, 4).max(axis=(1, 3)).astype(np.int64)
    scale = np.maximum(g - emax + exp_offset, 0)
    div = np.repeat(np.repeat(2.0 ** (scale - 127), 8, 0), 4, 1)
    q = np.clip((x.astype(np.float64) / div).astype(np.float32), -maxv, maxv).astype(FP8[dt])
    packed = np.ascontiguousarray(q.view(np.uint8).reshape(P, F // 4, 4)).view("<u4").reshape(P, F // 4)
    return packed, scale.astype(np.uint8)


@pytest.mark.parametrize("ver, exp_offset", [(None, 1), ("0.5", 1), ("0.7", 1), ("0.4", 0), ("0.3", 0)])
@pytest.mark.parametrize("dt", ["float8_e4m3fn_x4", "float8_e5m2_x4"])
def test_quantize_mx_scale_follows_release(monkeypatch, ver, exp_offset, dt):
    monkeypatch.setenv("NEURON_PLATFORM_TARGET_OVERRIDE", "trn3")
    x = (rng.standard_normal((32, 16)) * np.exp(rng.uniform(-4, 4, (32, 1)))).astype(ml_dtypes.bfloat16)
    # A group whose largest value rounds up at the OCP scale (e4m3: 1.9375 * 2^8 = 496 > 448 saturates).
    x[0:8, 0:4] = 1.0
    x[3, 2] = 496.0
    q, s = run(k.quantize, x, dt, ver=ver)
    ref_q, ref_s = quantize_ref(x.astype(np.float32), dt, exp_offset)
    np.testing.assert_array_equal(s, ref_s)
    np.testing.assert_array_equal(q, ref_q)
    other_q, other_s = quantize_ref(x.astype(np.float32), dt, 1 - exp_offset)
    assert not np.array_equal(s, other_s)  # the two rules differ on this input


# ---- vector_select(0, (P, 1) indices): the DMA gather / scatter of .ap(vector_offset=) ----
@pytest.mark.parametrize("ver", NEW)
def test_vector_select_gather_and_scatter(ver):
    table = randn(20, 8)
    idx = rng.integers(0, 20, (6, 1)).astype(np.int32)
    np.testing.assert_array_equal(run(k.gather_rows, table, idx, ver=ver), table[idx[:, 0]])
    uidx = np.array([[3], [0], [7], [19], [5], [11]], np.int32)
    vals = randn(6, 8)
    ref = table.copy()
    ref[uidx[:, 0]] = vals
    np.testing.assert_array_equal(run(k.scatter_rows, table, uidx, vals, ver=ver), ref)


def test_vector_select_errors():
    expect_error(k.gather_rows, (randn(20, 8), np.zeros((6, 1), np.int32)), "0.4", "vsel",
                 "'NkiTensor.vector_select' is not in NKI 0.4.0: it was added in NKI 0.5.0")

    def on_chip(x, idx):
        t = k._load(x)
        v = t.vector_select(0, k._load(idx))
        return k._store(v)
    with pytest.raises(nki.NkiCompileError, match="vector_select indexes rows of an HBM tensor"):
        run(on_chip, randn(8, 8), np.zeros((4, 1), np.int32))

    def dim1(x, idx):
        v = x.vector_select(1, k._load(idx))
        return k._store(v)
    with pytest.raises(nki.NkiCompileError, match="supports only dim=0"):
        run(dim1, randn(8, 8), np.zeros((4, 1), np.int32))


# ---- select(dim, (1, 1) int tensor): a runtime select (scalar_offset along dim) ----
@pytest.mark.parametrize("ver", NEW)
@pytest.mark.parametrize("where", ["hbm", "sbuf"])
def test_runtime_select(ver, where):
    x = randn(4, 6, 8)
    kern = k.runtime_select_hbm if where == "hbm" else k.runtime_select_sbuf
    for i in (0, 2, 5):
        np.testing.assert_array_equal(run(kern, x, np.array([[i]], np.int32), ver=ver), x[:, i])


def test_runtime_select_errors():
    x, i = randn(4, 6, 8), np.array([[2]], np.int32)
    expect_error(k.runtime_select_hbm, (x, i), "0.4", "rsel",
                 "'NkiTensor.select' is not in NKI 0.4.0: it was added in NKI 0.5.0")
    expect_error(k.runtime_select_partition, (x, i), None, "rsel_p",
                 "cannot select at run time in the partition dim (dim 0) of an on-chip tensor")
    with pytest.raises(nki.NkiSimulationError, match="out of bounds"):  # checked when the DMA runs
        run(k.runtime_select_hbm, x, np.array([[6]], np.int32))


# ---- indexing: on chip, an integer index on a free dim keeps the result 2-D from 0.5.0 on ----
@pytest.mark.parametrize("ver", NEW + OLD)
def test_on_chip_int_index_rule(ver):
    x2, x3 = randn(8, 6), randn(4, 6, 8)
    new = ver not in OLD
    a = run(k.int_index_free_dim, x2, ver=ver)
    b = run(k.int_index_two_free_dims, x3, ver=ver)
    c = run(k.hbm_int_index, x2, ver=ver)
    assert a.shape == ((8, 1) if new else (8,))
    assert b.shape == ((4, 1) if new else (4,))
    assert c.shape == (8,)  # HBM drops the dim in every release
    np.testing.assert_array_equal(a.ravel(), x2[:, 3])
    np.testing.assert_array_equal(b.ravel(), x3[:, 1, 2])
    np.testing.assert_array_equal(c, x2[:, 3])


# ---- nl.rsqrt: a GpSimd tensor_scalar from 0.5.0 on (no PSUM input), ScalarE activation before ----
def engines(fn, *args, ver=None):
    c = collections.Counter()
    with release(ver):
        ir = nki.jit(fn).compile(*args).ir()
    for line in ir.splitlines():
        m = re.match(r"\s+\d+: (\S+) engine=(\S+)", line)
        if m and m.group(1) != "dma_copy":
            c[f"{m.group(2)}:{m.group(1)}"] += 1
    return dict(c)


@pytest.mark.parametrize("ver", NEW + OLD)
def test_rsqrt_engine(ver):
    x = (np.abs(randn(8, 6)) + 0.1).astype(np.float32)
    ref = (1 / np.sqrt(x.astype(np.float64))).astype(np.float32)
    np.testing.assert_array_equal(run(k.rsqrt, x, ver=ver), ref)
    want = {"scalar:activation": 1} if ver in OLD else {"gpsimd:tensor_scalar": 1}
    assert engines(k.rsqrt, x, ver=ver) == want


def test_rsqrt_psum_input():
    x = (np.abs(randn(8, 6)) + 0.1).astype(np.float32)
    ref = (1 / np.sqrt(x.astype(np.float64))).astype(np.float32)
    np.testing.assert_array_equal(run(k.rsqrt_psum, x, ver="0.4"), ref)  # ScalarE reads PSUM
    for ver in (None, "0.5"):
        expect_error(k.rsqrt_psum, (x,), ver, "rsqrt_psum",
                     "x is in PSUM, which nl.rsqrt (GpSimd since NKI 0.5.0) cannot read")
