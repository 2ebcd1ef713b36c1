"""VectorE statistics / selection / accumulator instructions, the gathers, and the nl.* functions
lowered to them, vs NumPy. Tolerances: selections, gathers, shuffles, max8 and index searches are
exact (bit-exact copies or exact comparisons); bf16/fp8 outputs are the fp32 reference cast with
ml_dtypes; bn_stats/bn_aggr/var are computed in double and rounded once (rtol 1e-6 vs float64 NumPy);
scans are sequential fp32 (checked against the same fp32 recurrence in NumPy, exact)."""
import os
import sys

import ml_dtypes
import numpy as np
import pytest

import nki

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import isa_select_kernels as k  # noqa: E402

rng = np.random.default_rng(11)
f32 = np.float32


def randn(*shape):
    return rng.standard_normal(shape, dtype=np.float32)


@pytest.mark.parametrize("P,F,chunks", [(128, 512, 1), (32, 1000, 4), (7, 9, 1)])
def test_bn_stats_aggr(P, F, chunks):
    x = randn(P, F) * f32(3) + f32(1)
    st, mv = k.bn_stats_aggr_k(x, chunks=chunks)
    c = F // chunks
    x64 = x.astype(np.float64)
    for i in range(chunks):
        part = x64[:, i * c:(i + 1) * c]
        ev, od = part[:, 0::2], part[:, 1::2]
        s = st[:, 6 * i:6 * i + 6]
        np.testing.assert_array_equal(s[:, 0], ev.shape[1])
        np.testing.assert_allclose(s[:, 1], ev.mean(1), rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(s[:, 2], ev.var(1) * ev.shape[1], rtol=1e-6)
        np.testing.assert_array_equal(s[:, 3], od.shape[1])
        np.testing.assert_allclose(s[:, 4], od.mean(1), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(mv[:, 0], x64.mean(1), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(mv[:, 1], x64.var(1), rtol=1e-5)


@pytest.mark.parametrize("dt", ["float32", "bfloat16"])
def test_max8(dt):
    x = randn(64, 300)
    x[0, :20] = 5.0  # duplicates are kept
    out = k.max8_k(x, out_dtype=dt)
    ref = -np.sort(-x, axis=1)[:, :8]
    np.testing.assert_array_equal(out, ref.astype(ml_dtypes.bfloat16 if dt == "bfloat16" else f32))


def test_max8_bf16_input_5d():
    x = randn(16, 2, 3, 4, 5).astype(ml_dtypes.bfloat16)
    out = k.max8_k(x)
    ref = -np.sort(-x.astype(f32).reshape(16, -1), axis=1)[:, :8]
    np.testing.assert_array_equal(out, ref)


@pytest.mark.parametrize("idx_dtype", ["uint32", "uint16"])
def test_topk_round(idx_dtype):
    x = randn(32, 100)
    m, idx, rep, idx2 = k.topk_k(x, idx_dtype=idx_dtype)
    order = np.argsort(-x, axis=1, kind="stable")[:, :8]
    np.testing.assert_array_equal(m, np.take_along_axis(x, order, 1))
    np.testing.assert_array_equal(idx, order)
    np.testing.assert_array_equal(idx2, order)
    ref = x.copy()
    np.put_along_axis(ref, order, f32(-1e9), 1)
    np.testing.assert_array_equal(rep, ref)


def test_find_index8_duplicates_and_missing():
    x = np.zeros((2, 16), f32)
    x[0, [3, 7, 9]] = 2.0
    x[1, 5] = 1.0
    v = np.array([[2, 2, 2, 2, 0, 0, 9, 9], [1, 0, 0, 0, 0, 0, 0, 0]], f32)
    idx = k.find_index8_k(x, v)
    none = 0xFFFFFFFF
    np.testing.assert_array_equal(idx[0], [3, 7, 9, none, 0, 1, none, none])
    np.testing.assert_array_equal(idx[1], [5, 0, 1, 2, 3, 4, 6, 7])


@pytest.mark.parametrize("rev,scalar_false,dt", [(False, False, "float32"), (True, False, "float32"),
                                                 (False, True, "bfloat16")])
def test_select_reduce(rev, scalar_false, dt):
    pred = rng.integers(0, 2, size=(64, 40)).astype(np.uint8)
    t, f = randn(64, 40), randn(64, 1)
    o, r = k.select_reduce_k(pred, t, f, out_dtype=dt, rev=rev, scalar_false=scalar_false)
    fv = np.full((64, 1), -5.0, f32) if scalar_false else f
    sel = (pred != 0) != rev
    ref = np.where(sel, t, fv)
    np.testing.assert_array_equal(o, ref.astype(ml_dtypes.bfloat16 if dt == "bfloat16" else f32))
    np.testing.assert_array_equal(r[:, 0], ref.max(1))


@pytest.mark.parametrize("op0,op1,start", [("greater_equal", "less", 0), ("greater", "less_equal", 10),
                                           ("equal", "less", 3)])
def test_range_select(op0, op1, start):
    x = randn(16, 50)
    b0 = rng.integers(0, 40, size=(16, 1)).astype(f32)
    b1 = b0 + rng.integers(1, 20, size=(16, 1)).astype(f32)
    o, r = k.range_select_k(x, b0, b1, op0=op0, op1=op1, start=start)
    idx = np.arange(50, dtype=f32)[None, :] + f32(start)
    cmp = {"greater_equal": np.greater_equal, "less": np.less, "greater": np.greater, "less_equal": np.less_equal,
           "equal": np.equal}
    m = cmp[op0](idx, b0) & cmp[op1](idx, b1)
    ref = np.where(m, x, f32(-3.4028235e38))
    np.testing.assert_array_equal(o, ref)
    np.testing.assert_array_equal(r[:, 0], ref.max(1))


@pytest.mark.parametrize("op0,c,rop", [("multiply", 2.0, "add"), ("add", -1.0, "maximum"), ("subtract", 0.5, "minimum")])
def test_tensor_scalar_reduce(op0, c, rop):
    x = randn(128, 64)
    o, r = k.tensor_scalar_reduce_k(x, op0=op0, c=c, rop=rop)
    y = {"multiply": x * f32(c), "add": x + f32(c), "subtract": x - f32(c)}[op0]
    np.testing.assert_array_equal(o, y)
    acc = y[:, 0].copy()
    f = {"add": np.add, "maximum": np.maximum, "minimum": np.minimum}[rop]
    for i in range(1, y.shape[1]):
        acc = f(acc, y[:, i])
    np.testing.assert_array_equal(r[:, 0], acc)


def cum_ref(x, op0, c, op1, init):
    f0 = {"multiply": np.multiply, "add": np.add}[op0]
    f1 = {"add": np.add, "maximum": np.maximum, "multiply": np.multiply}[op1]
    reg = np.full(x.shape[0], init, f32)
    out = np.empty_like(x)
    for i in range(x.shape[1]):
        reg = f1(f0(x[:, i], f32(c)), reg).astype(f32)
        out[:, i] = reg
    return out


@pytest.mark.parametrize("op0,c,op1,init,split", [("multiply", 1.0, "add", None, False), ("add", 0.5, "maximum", None, False),
                                                  ("multiply", 2.0, "add", 3.0, False), ("multiply", 1.0, "add", None, True)])
def test_tensor_scalar_cumulative(op0, c, op1, init, split):
    x = randn(64, 40)
    o = k.cumulative_k(x, op0=op0, c=c, op1=op1, init=init, split=split)
    start = init if init is not None else {"add": 0.0, "maximum": -np.inf, "multiply": 1.0}[op1]
    np.testing.assert_array_equal(o, cum_ref(x, op0, c, op1, start))


def test_tensor_scalar_cumulative_bf16_out():
    x = randn(8, 32)
    o = k.cumulative_k(x, out_dtype="bfloat16")
    np.testing.assert_array_equal(o, cum_ref(x, "multiply", 1.0, "add", 0.0).astype(ml_dtypes.bfloat16))


def test_stream_shuffle():
    x = randn(128, 10)
    mask = [(i * 7) % 32 for i in range(32)]
    mask[5] = 255
    o = k.shuffle_k(x, tuple(mask))
    ref = np.zeros_like(x)
    for q in range(4):
        for i in range(32):
            if mask[i] != 255:
                ref[32 * q + i] = x[32 * q + mask[i]]
    np.testing.assert_array_equal(o, ref)


def test_stream_shuffle_fp8_broadcast_partition0():
    x = randn(32, 6).astype(ml_dtypes.float8_e4m3)
    o = k.shuffle_k(x, (0,) * 32)
    np.testing.assert_array_equal(o.view(np.uint8), np.repeat(x[:1], 32, 0).view(np.uint8))


@pytest.mark.parametrize("e,nv", [(1, None), (4, 20)])
def test_local_gather(e, nv):
    src = randn(32, 64).astype(ml_dtypes.bfloat16)
    idx = rng.integers(0, 64 - e + 1, size=(32, 3)).astype(np.uint16)
    o = k.local_gather_k(src, idx, e=e, nv=nv)
    n = 48 if nv is None else nv
    ref = np.empty((32, n * e), src.dtype)
    for core in range(2):
        flat = idx[16 * core:16 * core + 16].T.reshape(-1)[:n]  # partition-first
        for p in range(16 * core, 16 * core + 16):
            for j, at in enumerate(flat):
                ref[p, j * e:(j + 1) * e] = src[p, at:at + e]
    np.testing.assert_array_equal(o.view(np.uint16), ref.view(np.uint16))


def test_n_gather_and_oob_error():
    data = randn(16, 100)
    idx = rng.integers(0, 100, size=(16, 30)).astype(np.uint32)
    np.testing.assert_array_equal(k.n_gather_k(data, idx), np.take_along_axis(data, idx.astype(np.int64), 1))
    idx[3, 4] = 100
    with pytest.raises(nki.NkiError, match="outside data"):
        k.n_gather_k(data, idx)


# ---- validation

@nki.jit
def _bad_bn_stats(x):
    xt = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=xt, src=x)
    st = nl.ndarray((x.shape[0], 6), dtype=nl.float32, buffer=nl.sbuf)
    nisa.bn_stats(dst=st, data=xt)
    return None


@nki.jit
def _bad_shuffle(x):
    xt = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.nc_stream_shuffle(dst=xt, src=xt, shuffle_mask=[40] * 32)
    return None


@nki.jit
def _bad_select(x):
    xt = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    pr = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.select_reduce(dst=xt, predicate=pr, on_true=xt, on_false=0.0)
    return None


import nki.isa as nisa  # noqa: E402
import nki.language as nl  # noqa: E402


@pytest.mark.parametrize("kern,shape,msg", [(_bad_bn_stats, (8, 600), "bn_stats_fmax"),
                                           (_bad_shuffle, (32, 4), r"\[0, 31\] or 255"),
                                           (_bad_select, (8, 4), "predicate must be int8")])
def test_validation_errors(kern, shape, msg):
    with pytest.raises(nki.NkiError, match=msg):
        kern(np.zeros(shape, f32))


# ---- nl.* functions

@pytest.mark.parametrize("fn", ["cos", "tan", "ceil", "floor", "trunc"])
def test_nl_unary(fn):
    x = randn(32, 16) * f32(1.2)
    ref = getattr(np, fn)(x.astype(np.float64)).astype(f32)
    np.testing.assert_allclose(k.nl_unary_k(x, fn=fn), ref, rtol=1e-6, atol=1e-7)


def test_nl_var():
    x = randn(64, 200) + f32(4)
    np.testing.assert_allclose(k.nl_var_k(x)[:, 0], x.astype(np.float64).var(1), rtol=1e-5)


@pytest.mark.parametrize("scalar_y", [False, True])
def test_nl_where(scalar_y):
    c = (randn(16, 24) > 0).astype(f32)
    x, y = randn(16, 24), randn(16, 24)
    ref = np.where(c != 0, x, f32(7) if scalar_y else y)
    np.testing.assert_array_equal(k.nl_where_k(c, x, y, scalar_y=scalar_y), ref)


def test_nl_broadcast_to():
    x = randn(1, 700).astype(ml_dtypes.bfloat16)
    np.testing.assert_array_equal(k.nl_broadcast_k(x, P=64), np.repeat(x, 64, 0))
    y = randn(8, 1)
    np.testing.assert_array_equal(k.nl_broadcast_free_k(y, F=16), np.repeat(y, 16, 1))


def test_nl_expand_dims():
    x = randn(8, 12)
    np.testing.assert_array_equal(k.nl_expand_dims_k(x), x[:, None, :])


def test_nl_rms_norm():
    x, w = randn(128, 256), randn(1, 256)
    x64 = x.astype(np.float64)
    ref = x64 / np.sqrt((x64 ** 2).mean(1, keepdims=True) + 1e-6) * w
    np.testing.assert_allclose(k.nl_rms_norm_k(x, w), ref, rtol=2e-6, atol=1e-6)


def test_nl_load_transpose2d():
    x = randn(256, 64)
    np.testing.assert_array_equal(k.nl_load_transpose2d_k(x), x.T)


def test_nl_gather_flattened():
    data = randn(8, 4, 6)
    idx = rng.integers(0, 24, size=(8, 10)).astype(np.uint32)
    np.testing.assert_array_equal(k.nl_gather_flattened_k(data, idx),
                                  np.take_along_axis(data.reshape(8, -1), idx.astype(np.int64), 1))
