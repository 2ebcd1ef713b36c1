"""The APIs NKI 0.4.0 added (nki-spec.md §11.1): nisa.activate2, nl.abs_max / nl.abs_min (functions and
ALU operators), nl.prelu, nl.bypass, tensor_scalar's nl.square / nl.relu op0, tensor_scalar_reduce's
reduce_cmd / reduce_init (the VectorE accumulator), DMA priority=, dma_compute oob_mode=, the bytes-aware
nl.tile_size fields. Our own kernels vs NumPy under 0.4.0 and the default release, and the error under
0.3.0. Tolerances: ScalarE exp is compared with rtol 1e-6 (our fp32 exp rounds the double result once);
everything else is exact (fp32 multiply/add/max, sign-preserving selections)."""
import os
import sys

import numpy as np
import pytest

import nki

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "kernels"))
import r04_kernels as k  # noqa: E402
from release_util import error_line, needs_release_selection, run  # noqa: E402

import nki.language as nl  # noqa: E402

KFILE = os.path.join(HERE, "kernels", "r04_kernels.py")
RELEASES = [None, "0.4", "0.5"]  # None: the default
rng = np.random.default_rng(4)


def randn(*shape):
    return rng.standard_normal(shape, dtype=np.float32)


@pytest.fixture
def trn3(monkeypatch):
    monkeypatch.setenv("NEURON_PLATFORM_TARGET_OVERRIDE", "trn3")


f32 = np.float32


# ---- nisa.activate2 ----
@pytest.mark.parametrize("ver", RELEASES)
def test_activate2_scale_bias(trn3, ver):
    x = randn(64, 32)
    out = run(k.act2_scale_bias, x, ver=ver)
    np.testing.assert_allclose(out[:, :32], np.exp(x * f32(0.5) + f32(0.25)), rtol=1e-6)
    np.testing.assert_array_equal(out[:, 32:], x * f32(2) - f32(1))


@pytest.mark.parametrize("ver", RELEASES)
def test_activate2_prelu_tiles_and_reverse(trn3, ver):
    x, col, slope = randn(32, 16), randn(32, 1), rng.uniform(0, 0.5, (32, 1)).astype(f32)
    out = run(k.act2_prelu, x, col, slope, ver=ver)
    v = col - x
    np.testing.assert_array_equal(out, np.where(v < 0, v * slope, v))


def test_activate2_prelu_immediate_slope(trn3):
    x = randn(16, 8)
    np.testing.assert_array_equal(run(k.act2_prelu_imm, x), np.where(x < 0, x * f32(0.125), x))


@pytest.mark.parametrize("rop, ref", [
    ("add", lambda a, b: (a.sum(1, dtype=f32) + b.sum(1, dtype=f32))),
    ("maximum", lambda a, b: np.maximum(a.max(1), b.max(1))),
    ("minimum", lambda a, b: np.minimum(a.min(1), b.min(1))),
    ("abs_max", lambda a, b: np.concatenate([a, b], 1)[np.arange(a.shape[0]),
                                                       np.abs(np.concatenate([a, b], 1)).argmax(1)]),
    ("abs_min", lambda a, b: np.concatenate([a, b], 1)[np.arange(a.shape[0]),
                                                       np.abs(np.concatenate([a, b], 1)).argmin(1)]),
])
def test_activate2_reductions(trn3, rop, ref):
    x, y = randn(32, 8), randn(32, 8)
    out = run(k.act2_reduce, x, y, getattr(nl, rop))
    if rop == "add":  # sequential fp32 sums: compare to 1 ulp-ish
        np.testing.assert_allclose(out[:, 0], ref(x, y), rtol=1e-5)
    else:
        np.testing.assert_array_equal(out[:, 0], ref(x, y))


def test_prelu_needs_activate2():
    with pytest.raises(nki.NkiCompileError, match="nl.prelu needs a slope"):
        run(k.prelu_probe, randn(8, 4))


def test_activate2_needs_neuroncore_v4():
    with pytest.raises(nki.NkiCompileError, match="NeuronCore-v4"):
        run(k.act2_scale_bias, randn(8, 4))


def test_activate2_rejects_unsupported_pair(trn3):
    def bad(x):
        t = k._load(x)
        nisa = k.nisa
        nisa.activate2(t, nl.copy, t, 1.0, 1.0, nl.add, nl.add)
        return k._store(t)
    with pytest.raises(nki.NkiCompileError, match=r"\(op0, op1\) = \(nl.add, nl.add\) is not supported"):
        run(bad, randn(8, 4))


# ---- nl.abs_max / nl.abs_min ----
def _absmax(a, b):
    return np.where(np.abs(a) > np.abs(b), a, b)


def _absmin(a, b):
    return np.where(np.abs(a) < np.abs(b), a, b)


@pytest.mark.parametrize("ver", RELEASES)
def test_abs_max_min(trn3, ver):
    x, y = randn(32, 8), randn(32, 8)
    y[0, :4] = -x[0, :4]  # ties: y wins
    out = run(k.abs_max_min, x, y, ver=ver)
    np.testing.assert_array_equal(out[:, 0:8], _absmax(x, y))
    np.testing.assert_array_equal(out[:, 8:16], _absmin(x, y))
    np.testing.assert_array_equal(out[:, 16:24], _absmax(x, y))
    np.testing.assert_array_equal(out[:, 24:32], _absmin(x, np.full_like(x, 0.5)))


def test_abs_max_needs_neuroncore_v4():
    with pytest.raises(nki.NkiCompileError, match="NeuronCore-v4 or later for nl.abs_max"):
        run(k.abs_max_min, randn(8, 4), randn(8, 4))


# ---- tensor_scalar op0 additions, tensor_scalar_reduce accumulator ----
def test_tensor_scalar_square_relu(trn3):
    x = randn(32, 16)
    out = run(k.ts_square_relu, x)
    np.testing.assert_array_equal(out[:, :16], x * x + f32(1))
    np.testing.assert_array_equal(out[:, 16:], np.maximum(x, 0) * f32(3))


@pytest.mark.parametrize("ver", RELEASES)
def test_tensor_scalar_reduce_accumulator(ver):
    x, y = randn(32, 16), randn(32, 16)
    out = run(k.tsr_accumulate, x, y, ver=ver)

    def seq(start, v):  # the engine's order: one fp32 add per element
        acc = np.asarray(start, f32).copy()
        for j in range(v.shape[1]):
            acc = (acc + v[:, j]).astype(f32)
        return acc
    x2, y2 = x * f32(2), y * f32(2)
    first = seq(x2[:, 0], x2[:, 1:])
    np.testing.assert_array_equal(out[:, 0], seq(first, y2))
    np.testing.assert_array_equal(out[:, 1], seq(np.full(32, 5, f32), y2))
    np.testing.assert_array_equal(out[:, 2], np.maximum(x.max(1), y2.max(1)))


# ---- DMA priority, tile_size, nl.bypass ----
@pytest.mark.parametrize("ver", RELEASES)
def test_dma_priority(trn3, ver):
    x = randn(16, 8)
    np.testing.assert_array_equal(run(k.dma_priority, x, ver=ver), x)


@pytest.mark.parametrize("ver", RELEASES)
def test_tile_size_fields(ver):
    x = randn(4, 4)
    np.testing.assert_array_equal(run(k.tile_sizes, x, ver=ver), x)


@pytest.mark.parametrize("ver", RELEASES)
def test_bypass(ver):
    x = randn(8, 8)
    np.testing.assert_array_equal(run(k.bypass_probe, x, ver=ver), x + f32(1))


# ---- under NKI 0.3.0: each name / parameter is an error at its line ----
@pytest.mark.parametrize("kernel, args, marker, message", [
    (k.act2_scale_bias, lambda: (randn(8, 4),), "act2", "'nki.isa.activate2' is not in NKI 0.3.0: it was added in NKI 0.4.0"),
    (k.prelu_probe, lambda: (randn(8, 4),), "prelu_probe", "'nki.language.prelu' is not in NKI 0.3.0"),
    (k.abs_max_min, lambda: (randn(8, 4), randn(8, 4)), "abs_max", "'nki.language.abs_max' is not in NKI 0.3.0"),
    (k.tsr_accumulate, lambda: (randn(8, 4), randn(8, 4)), "tsr",
     "parameter 'reduce_cmd' is not in NKI 0.3.0: it was added in NKI 0.4.0"),
    (k.dma_priority, lambda: (randn(8, 4),), "priority", "parameter 'priority' is not in NKI 0.3.0"),
    (k.tile_sizes, lambda: (randn(8, 4),), "tile_size", "'nki.language.tile_size.sbuf_fmax_bytes' is not in NKI 0.3.0"),
    (k.bypass_probe, lambda: (randn(8, 4),), "bypass", "'nki.language.bypass' is not in NKI 0.3.0"),
])
def test_error_under_0_3(trn3, kernel, args, marker, message):
    needs_release_selection(k.act2_scale_bias, (randn(8, 4),), "0.3")
    with pytest.raises(nki.NkiCompileError) as e:
        run(kernel, *args(), ver="0.3")
    text = str(e.value)
    assert message in text
    assert f'r04_kernels.py", line {error_line(KFILE, marker)},' in text, text
