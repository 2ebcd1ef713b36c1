"""The tutorial kernels vs NumPy, and their compiled instruction counts vs the loop structure.

Tolerances: tensor add, transpose and max pool are exact; avg pool is the sequential fp32
window sum times fp32(1/k^2) (exact); bf16 matmuls are compared with an fp32 NumPy matmul of the same bf16-rounded inputs, the
result rounded to bf16: rtol 1e-2 plus atol = 1e-3 * sqrt(K) (fp32 sum-order differences);
softmax/layernorm/rmsnorm vs float64 NumPy at rtol 1e-5 (fp32 pipeline); mamba vs a float64
recurrence at rtol 1e-4."""
import os
import sys

import ml_dtypes
import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tutorial_kernels as t  # noqa: E402

rng = np.random.default_rng(3)
f32, bf16 = np.float32, ml_dtypes.bfloat16


def randn(*shape, dtype=f32):
    return rng.standard_normal(shape, dtype=np.float32).astype(dtype)


def counts(kernel, *args, **kw):
    return kernel.compile(*args, **kw).opcode_counts()


def test_tensor_add():
    a, b = randn(512, 300), randn(512, 300)
    np.testing.assert_array_equal(t.tensor_add(a, b), a + b)
    c = counts(t.tensor_add, a, b)
    assert c == {"dma_copy": 3 * 4, "tensor_tensor": 4}


# ---- matmul

MATMULS = [t.matmul_tiled, t.matmul_hoisted, t.matmul_blocked_n, t.matmul_blocked]


def check_matmul(out, lhsT, rhs):
    K = lhsT.shape[0]
    ref = lhsT.astype(f32).T @ rhs.astype(f32)
    assert out.dtype == bf16
    np.testing.assert_allclose(out.astype(f32), ref, rtol=1e-2, atol=1e-3 * np.sqrt(K))


def test_matmul_basic():
    lhsT, rhs = randn(128, 64, dtype=bf16), randn(128, 512, dtype=bf16)
    check_matmul(t.matmul_basic(lhsT, rhs), lhsT, rhs)
    assert counts(t.matmul_basic, lhsT, rhs) == {"dma_copy": 3, "nc_matmul": 1, "tensor_copy": 1}


@pytest.mark.parametrize("kernel", MATMULS, ids=lambda k: k.func.__name__)
def test_matmul_steps_small(kernel):
    K, M, N = 1024, 512, 1024
    lhsT, rhs = randn(K, M, dtype=bf16), randn(K, N, dtype=bf16)
    check_matmul(kernel(lhsT, rhs), lhsT, rhs)


def test_matmul_instruction_counts():
    K, M, N = 1024, 512, 1024
    lhsT, rhs = randn(K, M, dtype=bf16), randn(K, N, dtype=bf16)
    mt, nt, kt = M // 128, N // 512, K // 128
    for kernel in MATMULS:
        assert counts(kernel, lhsT, rhs)["nc_matmul"] == mt * nt * kt, kernel.func.__name__
    # loads: tiled reloads both operands per matmul; hoisted loads lhsT once per M tile; blocked-N loads
    # rhs once; fully blocked loads each K block's operands once per (N block, M block).
    assert counts(t.matmul_tiled, lhsT, rhs)["dma_copy"] == 2 * mt * nt * kt + mt * nt
    assert counts(t.matmul_hoisted, lhsT, rhs)["dma_copy"] == mt * kt + mt * nt * kt + mt * nt
    bn = 2
    assert counts(t.matmul_blocked_n, lhsT, rhs)["dma_copy"] == (nt // bn) * kt + (nt // bn) * mt * kt + mt * nt
    c = counts(t.matmul_blocked, lhsT, rhs)  # bm=4, bn=2, bk=8: one block per dim here
    nbn, nbm, nbk = nt // 2, mt // 4, kt // 8
    assert c["dma_copy"] == nbn * nbm * nbk * 2 * 8 + nbn * nbm * 4
    assert c["tensor_tensor"] == nbn * nbm * nbk * 4 * 2
    assert c["memset"] == nbn * nbm and c["tensor_copy"] == nbn * nbm * 4


def test_matmul_blocked_large_bf16():
    """The [1024, 4096] x [1024, 2048] bf16 case: lhsT [K=1024, M=4096], rhs [K=1024, N=2048]."""
    lhsT, rhs = randn(1024, 4096, dtype=bf16), randn(1024, 2048, dtype=bf16)
    k = t.matmul_blocked.compile(lhsT, rhs)
    assert k.opcode_counts()["nc_matmul"] == (4096 // 128) * (2048 // 512) * (1024 // 128)
    check_matmul(t.matmul_blocked(lhsT, rhs), lhsT, rhs)


# ---- the others

def test_transpose2d():
    x = randn(64, 8 * 16)
    out = t.transpose2d(x, f1=8, f2=16)
    np.testing.assert_array_equal(out, x.reshape(64, 8, 16).transpose(0, 2, 1).reshape(64, -1))
    assert counts(t.transpose2d, x, f1=8, f2=16) == {"dma_copy": 2, "tensor_copy": 1}


@pytest.mark.parametrize("mode,k", [("avg", 2), ("max", 2), ("max", 4)])
def test_pool2d(mode, k):
    x = randn(128, 16, 24)
    out = t.pool2d(x, k=k, mode=mode)
    win = x.reshape(128, 16 // k, k, 24 // k, k)
    if mode == "max":
        np.testing.assert_array_equal(out, win.max(axis=(2, 4)))
    else:
        acc = win[:, :, 0, :, 0].copy()  # the window's fp32 sum in row-major order, then * fp32(1/k^2)
        for a in range(k):
            for b in range(k):
                if a or b:
                    acc = acc + win[:, :, a, :, b]
        np.testing.assert_array_equal(out, acc * f32(1.0 / (k * k)))
    assert counts(t.pool2d, x, k=k, mode=mode)["tensor_reduce"] == 1


def test_softmax():
    x = randn(256, 200) * f32(4)
    x64 = x.astype(np.float64)
    e = np.exp(x64 - x64.max(1, keepdims=True))
    np.testing.assert_allclose(t.softmax(x), e / e.sum(1, keepdims=True), rtol=1e-5, atol=1e-7)
    c = counts(t.softmax, x)
    assert c["activation"] == 2 and c["tensor_reduce"] == 2 and c["reciprocal"] == 2


def test_layernorm():
    x, g, b = randn(256, 1000) * f32(2) + f32(3), randn(1, 1000), randn(1, 1000)
    x64 = x.astype(np.float64)
    ref = (x64 - x64.mean(1, keepdims=True)) / np.sqrt(x64.var(1, keepdims=True) + 1e-5) * g + b
    np.testing.assert_allclose(t.layernorm(x, g, b), ref, rtol=1e-5, atol=1e-5)
    c = counts(t.layernorm, x, g, b)
    assert c["bn_stats"] == 2 * 2 and c["bn_aggr"] == 2


def test_rmsnorm():
    x, w = randn(384, 512), randn(1, 512)
    x64 = x.astype(np.float64)
    ref = x64 / np.sqrt((x64 ** 2).mean(1, keepdims=True) + 1e-6) * w
    np.testing.assert_allclose(t.rmsnorm(x, w), ref, rtol=1e-5, atol=1e-6)
    assert counts(t.rmsnorm, x, w)["activation"] == 3


def test_mamba_scan():
    Ch, L, S = 256, 64, 4
    delta = np.abs(randn(Ch, L)) * f32(0.1)
    u, B, C = randn(Ch, L), randn(S, L), randn(S, L)
    A = -np.abs(randn(Ch, S))
    y = t.mamba_scan(delta, u, A, B, C)
    d64 = delta.astype(np.float64)
    ref = np.zeros((Ch, L))
    for s in range(S):
        dA = np.exp(d64 * A[:, s:s + 1])
        dBu = d64 * u * B[s]
        h = np.zeros(Ch)
        for i in range(L):
            h = dA[:, i] * h + dBu[:, i]
            ref[:, i] += h * C[s, i]
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-5)
    assert counts(t.mamba_scan, delta, u, A, B, C)["tensor_tensor_scan"] == (Ch // 128) * S
