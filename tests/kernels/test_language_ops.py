"""nl.* convenience APIs lowered to ISA instructions, vs NumPy. Tolerances: elementwise fp32 exact;
transcendentals 3e-7 relative (exact math rounded once per step); reductions sequential fp32 (1e-5);
matmul 1e-4 relative."""
import os
import sys

import numpy as np
import pytest

import nki

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import language_ops_kernels as k  # noqa: E402

rng = np.random.default_rng(3)
f32 = np.float32


def randn(*shape):
    return rng.standard_normal(shape, dtype=np.float32)


def test_quickstart_add():
    a, b = randn(128, 512), randn(128, 512)
    np.testing.assert_array_equal(k.quickstart_add(a, b), a + b)


def test_elementwise_mix():
    a, b = randn(64, 32), randn(64, 32)
    e = np.exp(b.astype(np.float64)).astype(f32)
    z = f32(1) - np.maximum((a - b) * f32(2), e)
    np.testing.assert_allclose(k.elementwise_mix(a, b), np.tanh(z.astype(np.float64)), rtol=3e-7)


def test_reductions():
    a = randn(96, 70)
    s, m, mu = k.reductions(a)
    np.testing.assert_allclose(s[:, 0], a.astype(np.float64).sum(axis=1), rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(m[:, 0], a.max(axis=1))
    np.testing.assert_allclose(mu[:, 0], a.astype(np.float64).mean(axis=1), rtol=1e-5, atol=1e-6)


def test_softmax():
    a = randn(128, 100)
    x = a.astype(np.float64)
    ref = np.exp(x - x.max(axis=1, keepdims=True))
    ref /= ref.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(k.softmax_k(a), ref, rtol=1e-5)


def test_matmul_and_transpose():
    xT, y = randn(128, 64), randn(128, 200)
    np.testing.assert_allclose(k.matmul_k(xT, y), xT.T.astype(np.float64) @ y, rtol=1e-4, atol=1e-4)
    a = randn(100, 60)
    np.testing.assert_array_equal(k.transpose_k(a), a.T)


def test_errors():
    with pytest.raises(nki.NkiValidationError) as e:
        k.bad_broadcast(randn(16, 8), randn(16, 1))
    assert "must have the same shape" in str(e.value)
    with pytest.raises(nki.NkiValidationError) as e:
        k.bad_store_psum(randn(16, 8), randn(16, 8))
    assert "PSUM" in str(e.value)
