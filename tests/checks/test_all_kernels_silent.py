"""Every check together reports nothing on the example kernels and our tutorial kernels (tests/kernels as a
whole runs under NKIC_CHECKS=all in ./dev). Each output is also compared with NumPy: exact for the adds,
copies and max pool; matmuls vs float64 at rtol 1e-2 + atol 1e-3 * sqrt(K) (bf16 inputs, fp32
accumulation); softmax/layernorm/rmsnorm at rtol 1e-5 (fp32 pipeline); mamba at rtol 1e-4."""
import os
import sys

import ml_dtypes
import numpy as np
import pytest

import nkic
from checks_util import ROOT

sys.path.insert(0, os.path.join(ROOT, "examples"))
sys.path.insert(0, os.path.join(ROOT, "tests", "kernels", "tutorials"))
import blocked_matmul as ex_blocked  # noqa: E402
import matmul as ex_matmul  # noqa: E402
import tensor_add as ex_add  # noqa: E402
import tiled_add as ex_tiled  # noqa: E402
import tutorial_kernels as t  # noqa: E402

rng = np.random.default_rng(5)
f32, bf16 = np.float32, ml_dtypes.bfloat16


def randn(*shape, dtype=f32):
    return rng.standard_normal(shape, dtype=np.float32).astype(dtype)


def close_matmul(out, lhsT, rhs):
    ref = lhsT.astype(np.float64).T @ rhs.astype(np.float64)
    np.testing.assert_allclose(out.astype(np.float64), ref, rtol=1e-2, atol=1e-3 * np.sqrt(lhsT.shape[0]))


def test_examples():
    a, b = randn(128, 512), randn(128, 512)
    np.testing.assert_array_equal(nkic.check(ex_add.tensor_add, a, b), a + b)
    a, b = randn(512, 1024), randn(512, 1024)
    np.testing.assert_array_equal(nkic.check(ex_tiled.tiled_add, a, b), a + b)
    lhsT, rhs = randn(128, 128), randn(128, 512)
    close_matmul(nkic.check(ex_matmul.matmul, lhsT, rhs), lhsT, rhs)
    lhsT, rhs = randn(512, 256, dtype=bf16), randn(512, 1024, dtype=bf16)
    close_matmul(nkic.check(ex_blocked.blocked_matmul, lhsT, rhs), lhsT, rhs)


MATMULS = [t.matmul_tiled, t.matmul_hoisted, t.matmul_blocked_n, t.matmul_blocked]


@pytest.mark.parametrize("kernel", MATMULS, ids=lambda k: k.func.__name__)
def test_tutorial_matmuls(kernel):
    lhsT, rhs = randn(1024, 512, dtype=bf16), randn(1024, 1024, dtype=bf16)
    close_matmul(nkic.check(kernel, lhsT, rhs), lhsT, rhs)


def test_tutorial_others():
    a, b = randn(512, 300), randn(512, 300)
    np.testing.assert_array_equal(nkic.check(t.tensor_add, a, b), a + b)
    lhsT, rhs = randn(128, 64, dtype=bf16), randn(128, 512, dtype=bf16)
    close_matmul(nkic.check(t.matmul_basic, lhsT, rhs), lhsT, rhs)
    x = randn(64, 8 * 16)
    np.testing.assert_array_equal(nkic.check(t.transpose2d, x, f1=8, f2=16),
                                  x.reshape(64, 8, 16).transpose(0, 2, 1).reshape(64, -1))
    x = randn(128, 16, 24)
    np.testing.assert_array_equal(nkic.check(t.pool2d, x, k=2, mode="max"),
                                  x.reshape(128, 8, 2, 12, 2).max(axis=(2, 4)))
    x = randn(256, 200) * f32(4)
    e = np.exp(x - x.max(1, keepdims=True).astype(np.float64))
    np.testing.assert_allclose(nkic.check(t.softmax, x), e / e.sum(1, keepdims=True), rtol=1e-5, atol=1e-7)
    x, g, b = randn(256, 1000) * f32(2) + f32(3), randn(1, 1000), randn(1, 1000)
    x64 = x.astype(np.float64)
    ref = (x64 - x64.mean(1, keepdims=True)) / np.sqrt(x64.var(1, keepdims=True) + 1e-5) * g + b
    np.testing.assert_allclose(nkic.check(t.layernorm, x, g, b), ref, rtol=1e-5, atol=1e-5)
    x, w = randn(384, 512), randn(1, 512)
    x64 = x.astype(np.float64)
    ref = x64 / np.sqrt((x64 ** 2).mean(1, keepdims=True) + 1e-6) * w
    np.testing.assert_allclose(nkic.check(t.rmsnorm, x, w), ref, rtol=1e-5, atol=1e-6)


def test_tutorial_mamba():
    Ch, L, S = 256, 64, 4
    delta = np.abs(randn(Ch, L)) * f32(0.1)
    u, B, C = randn(Ch, L), randn(S, L), randn(S, L)
    A = -np.abs(randn(Ch, S))
    y = nkic.check(t.mamba_scan, delta, u, A, B, C)
    d64 = delta.astype(np.float64)
    ref = np.zeros((Ch, L))
    for s in range(S):
        dA, dBu, h = np.exp(d64 * A[:, s:s + 1]), d64 * u * B[s], np.zeros(Ch)
        for i in range(L):
            h = dA[:, i] * h + dBu[:, i]
            ref[:, i] += h * C[s, i]
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-5)
