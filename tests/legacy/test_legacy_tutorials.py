"""The team's own Beta 1 versions of the tutorial kernels (tests/legacy/kernels/tutorial_*.py) run through
the legacy launchers and match NumPy. Tolerances: exact for copies and adds; fp32 transcendental and
reductions 1e-5 relative; bf16 matmul 1e-2 relative to the largest output."""
import os
import sys

import ml_dtypes
import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernels"))

import tutorial_alloc as ta  # noqa: E402
import tutorial_basics as tb  # noqa: E402
import tutorial_matmul as tm  # noqa: E402
import tutorial_models as tmo  # noqa: E402

RNG = np.random.default_rng(7)


def f32(*shape):
    return RNG.standard_normal(shape, dtype=np.float32)


def test_tensor_add():
    a, b = f32(128, 512), f32(128, 512)
    np.testing.assert_array_equal(tb.tensor_add(a, b), a + b)


def test_tensor_add_tiled_with_grids():
    a, b = f32(256, 1024), f32(256, 1024)
    np.testing.assert_array_equal(tb.tensor_add_tiled(a, b), a + b)


def test_transpose():
    x = f32(128, 96)
    np.testing.assert_array_equal(tb.transpose_2d(x), x.T)


def test_softmax():
    x = f32(128, 300)
    e = np.exp(x - x.max(axis=1, keepdims=True))
    np.testing.assert_allclose(tb.softmax_rows(x), e / e.sum(axis=1, keepdims=True), rtol=1e-5, atol=1e-7)


def test_masked_partial_tile():
    x = f32(300, 64)
    np.testing.assert_array_equal(tb.masked_scale(x, 3.0), x * np.float32(3.0))


@pytest.mark.parametrize("kernel", [tm.matmul_tiled, tm.matmul_hoist_load, tm.matmul_block_free_dimension])
def test_matmul_steps(kernel):
    lhsT = f32(256, 256).astype(ml_dtypes.bfloat16)
    rhs = f32(256, 1024).astype(ml_dtypes.bfloat16)
    ref = lhsT.astype(np.float64).T @ rhs.astype(np.float64)
    out = kernel(lhsT, rhs).astype(np.float64)
    assert np.abs(out - ref).max() <= 1e-2 * np.abs(ref).max()


def test_layernorm():
    x, g, b = f32(300, 256), f32(256), f32(256)
    mean = x.mean(axis=1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=1, keepdims=True)
    ref = (x - mean) / np.sqrt(var + 1e-5) * g + b
    np.testing.assert_allclose(tmo.layernorm(x, g, b), ref, rtol=1e-4, atol=1e-4)


def test_mamba():
    nb, ch, L, S = 1, 256, 64, 4
    delta = RNG.uniform(0.01, 0.1, (nb, ch, L)).astype(np.float32)
    u, A = f32(nb, ch, L), -RNG.uniform(0.5, 1.5, (ch, S)).astype(np.float32)
    B, C = f32(nb, S, L), f32(nb, S, L)
    ref = np.zeros((nb, ch, L), np.float64)
    for s in range(S):
        dA = np.exp(delta * A[None, :, s:s + 1])
        dbu = delta * u * B[:, s:s + 1, :]
        h = np.zeros((nb, ch), np.float64)
        for t in range(L):
            h = dA[:, :, t] * h + dbu[:, :, t]
            ref[:, :, t] += h * C[:, s, t][:, None]
    np.testing.assert_allclose(tmo.mamba(delta, u, A, B, C), ref, rtol=1e-4, atol=1e-4)


def test_mod_alloc_double_buffer():
    x = f32(128, 4 * 512)
    np.testing.assert_array_equal(ta.scale_double_buffered(x), x * np.float32(2.0))


def test_alloc_with_a_closure():
    a, b = f32(128, 3 * 512), f32(128, 3 * 512)
    np.testing.assert_array_equal(ta.add_with_bump_allocator(a, b), a + b)
