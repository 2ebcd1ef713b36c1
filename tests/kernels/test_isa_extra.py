"""exponential (NeuronCore-v4), sequence_bounds, nonzero_with_count (NeuronCore-v3+), dropout, nl.dropout and
core_barrier vs NumPy. Tolerances: exponential is exp in double rounded once to fp32 (rtol 1e-6 vs NumPy
float64 exp rounded to fp32; bf16 outputs within one bf16 ulp), its running sum is a sequential fp32 sum
(rtol 1e-6 vs np.cumsum in float32); sequence_bounds, nonzero_with_count and dropout's kept values are exact."""
import os
import sys

import ml_dtypes
import numpy as np
import pytest

import nki

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import isa_extra_kernels as k  # noqa: E402

rng = np.random.default_rng(23)
f32 = np.float32


@pytest.fixture
def trn3(monkeypatch):
    monkeypatch.setenv("NEURON_PLATFORM_TARGET_OVERRIDE", "trn3")


def exp_ref(x, m):
    return np.exp(x.astype(f32) - np.asarray(m, f32)).astype(f32)


# ---- exponential

@pytest.mark.parametrize("tile_max,split", [(False, 1), (True, 1), (True, 3)])
def test_exponential_fp32(trn3, tile_max, split):
    x = rng.standard_normal((128, 96), dtype=f32) * f32(3)
    m = x.max(axis=1, keepdims=True)
    o, r = k.exponential_k(x, m=m if tile_max else None, scalar_max=0.0 if tile_max else 1.5, split=split)
    ref = exp_ref(x, m if tile_max else f32(1.5))
    np.testing.assert_allclose(o, ref, rtol=1e-6)
    np.testing.assert_allclose(r[:, 0], np.cumsum(ref, axis=1, dtype=f32)[:, -1], rtol=1e-6)


def test_exponential_load_reduce_bf16_out(trn3):
    x = rng.standard_normal((32, 40), dtype=f32)
    o, r = k.exponential_k(x, scalar_max=0.5, out_dtype="bfloat16", init=10.0)
    ref = exp_ref(x, f32(0.5))
    np.testing.assert_allclose(o.astype(f32), ref, rtol=2 ** -8)
    np.testing.assert_allclose(r[:, 0], f32(10) + np.cumsum(ref, axis=1, dtype=f32)[:, -1], rtol=1e-6)


def test_exponential_int_src(trn3):
    x = rng.integers(-5, 5, (16, 8)).astype(np.int32)
    o, _ = k.exponential_k(x, scalar_max=1.0)
    np.testing.assert_allclose(o, exp_ref(x.astype(f32), f32(1)), rtol=1e-6)


# ---- sequence_bounds

@pytest.mark.parametrize("dt", ["int32", "float32"])
def test_sequence_bounds_doc_example(dt):
    ids = np.array([[0, 1, 1, 2, 2, 2, 0, 3, 3]], dtype=dt)
    o = k.sequence_bounds_k(ids)
    assert o.shape == (1, 2, 9) and o.dtype == np.dtype(dt)
    np.testing.assert_array_equal(o[0, 0], [9, 1, 1, 3, 3, 3, 9, 7, 7])
    np.testing.assert_array_equal(o[0, 1], [-1, 3, 3, 6, 6, 6, -1, 9, 9])


def _bounds_ref(ids):
    n = ids.size
    st, en = np.full(n, n), np.full(n, -1)
    i = 0
    while i < n:
        j = i
        while j < n and ids[j] == ids[i]:
            j += 1
        if ids[i] != 0:
            st[i:j], en[i:j] = i, j
        i = j
    return st, en


def test_sequence_bounds_random_packed():
    lens = rng.integers(1, 40, 30)
    ids = np.concatenate([np.full(n, s + 1 if s % 5 else 0) for s, n in enumerate(lens)])[None, :512]
    ids = ids.astype(np.int32)
    o = k.sequence_bounds_k(ids, out_dtype="float32")  # fp32 dst from int32 ids
    st, en = _bounds_ref(ids[0])
    np.testing.assert_array_equal(o[0, 0], st)
    np.testing.assert_array_equal(o[0, 1], en)


# ---- nonzero_with_count

@pytest.mark.parametrize("dt", ["float32", "int32"])
def test_nonzero_with_count(dt):
    x = (rng.random((128, 37)) < 0.3) * rng.integers(1, 9, (128, 37))
    x = x.astype(dt)
    o = k.nonzero_k(x, offset=16, pad=-3)
    for p in range(128):
        if p % 16:
            np.testing.assert_array_equal(o[p], -7)  # untouched
            continue
        nz = np.nonzero(x[p])[0] + 16
        ref = np.concatenate([nz, np.full(37 - nz.size, -3), [nz.size]])
        np.testing.assert_array_equal(o[p], ref)


def test_nonzero_with_count_doc_example():
    x = np.zeros((16, 8), f32)
    x[0] = [0, 1, 1, 0, 0, 1, 0, 0]
    np.testing.assert_array_equal(k.nonzero_k(x, offset=16)[0], [17, 18, 21, -1, -1, -1, -1, -1, 3])


def test_nonzero_with_count_needs_v3(monkeypatch):
    monkeypatch.setenv("NEURON_PLATFORM_TARGET_OVERRIDE", "trn1")
    with pytest.raises(nki.NkiError, match="NeuronCore-v3 or later"):
        k.nonzero_k(np.zeros((16, 8), f32))


# ---- dropout (randomness: see test_isa_random.py)

@pytest.mark.parametrize("dt", ["float32", "bfloat16", "int32"])
def test_dropout_keeps_or_zeroes(dt):
    x = (rng.standard_normal((128, 256), dtype=f32) * f32(50)).astype(dt if dt != "bfloat16" else ml_dtypes.bfloat16)
    x[x == 0] = 1
    o = k.dropout_k(x, prob=0.3)
    kept = o != 0
    np.testing.assert_array_equal(o[kept], x[kept])  # bit-exact, no 1/(1-p) rescaling
    frac = 1 - kept.mean()
    assert abs(frac - 0.3) < 0.01, frac  # 32768 draws: sigma = 0.0025
    np.testing.assert_array_equal(k.dropout_k(x, prob=0.3), o)  # deterministic per run


def test_dropout_extremes_and_per_partition_prob():
    x = rng.standard_normal((64, 512), dtype=f32) + f32(10)
    np.testing.assert_array_equal(k.dropout_k(x, prob=0.0), x)
    np.testing.assert_array_equal(k.dropout_k(x, prob=1.0), 0)
    p = np.linspace(0, 1, 64, dtype=f32)[:, None]
    o = k.dropout_k(x, prob_t=p)
    drop = (o == 0).mean(axis=1)
    np.testing.assert_array_equal(o[0], x[0])
    np.testing.assert_array_equal(o[-1], 0)
    assert np.all(np.abs(drop - p[:, 0]) < 0.1), drop  # 512 draws per partition: sigma <= 0.023


def test_nl_dropout():
    x = rng.standard_normal((32, 64), dtype=f32) + f32(10)
    y = k.nl_dropout_k(x, 0.5, out_dtype="bfloat16")
    assert y.dtype == ml_dtypes.bfloat16
    kept = y != 0
    np.testing.assert_array_equal(y[kept], x[kept].astype(ml_dtypes.bfloat16))
    assert 0.4 < kept.mean() < 0.6


# ---- core_barrier: a no-op on one core

def test_core_barrier_single_core_noop():
    x = rng.standard_normal((8, 16), dtype=f32)
    np.testing.assert_array_equal(k.core_barrier_k(x), x)
