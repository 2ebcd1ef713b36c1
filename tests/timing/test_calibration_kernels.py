"""The calibration kernels compute what they should: each against a NumPy reference at a small shape.
Tolerances: matmuls vs float64 at atol 1e-3 * sqrt(K) (fp32 inputs; fp32 sum-order differences), bf16
ones vs an fp32 matmul of the same bf16 inputs at rtol/atol 2e-2 (bf16 result rounding and, for the
fully optimised kernel, bf16 accumulation in SBUF over K/1024 blocks); mamba vs a float64 recurrence at
rtol 1e-4 of the largest output; layernorm vs float64 at 1e-4; micro kernels exact (copies) or 1e-5."""
import os
import sys

import ml_dtypes
import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernels"))
import cal_layernorm as layernorm  # noqa: E402
import cal_mamba as mamba  # noqa: E402
import cal_matmul as matmul  # noqa: E402
import cal_micro as micro  # noqa: E402

rng = np.random.default_rng(13)
f32, bf16 = np.float32, ml_dtypes.bfloat16

MATMULS = [(matmul.matmul_tiled, {}), (matmul.matmul_hoisted, {}), (matmul.matmul_block_free, {}),
           (matmul.matmul_fully_optimized, dict(bm=2, bn=2, bk=1))]


@pytest.mark.parametrize("tn", [512, 256])
@pytest.mark.parametrize("kernel,kw", MATMULS, ids=lambda x: getattr(getattr(x, "func", None), "__name__", ""))
def test_matmul_fp32(kernel, kw, tn):
    K, M, N = 256, 256, 1024
    a, b = rng.standard_normal((K, M), dtype=f32), rng.standard_normal((K, N), dtype=f32)
    out = kernel(a, b, tn=tn, **kw)
    np.testing.assert_allclose(out, a.T.astype(np.float64) @ b, rtol=0, atol=1e-3 * np.sqrt(K))


@pytest.mark.parametrize("kernel,kw", MATMULS, ids=lambda x: getattr(getattr(x, "func", None), "__name__", ""))
def test_matmul_bf16(kernel, kw):
    K, M, N = 256, 256, 1024
    a, b = rng.standard_normal((K, M)).astype(bf16), rng.standard_normal((K, N)).astype(bf16)
    out = kernel(a, b, **kw).astype(f32)
    ref = a.astype(f32).T @ b.astype(f32)
    np.testing.assert_allclose(out, ref, rtol=2e-2, atol=2e-2 * np.sqrt(K))


def _mamba_ref(delta, u, A, B, C):
    nb, ch, L = delta.shape
    out = np.zeros((nb, ch, L))
    for ib in range(nb):
        for s in range(A.shape[1]):
            dA = np.exp(delta[ib] * A[:, s:s + 1])
            dBu = delta[ib] * u[ib] * B[ib, s]
            h = np.zeros(ch)
            for t in range(L):
                h = dA[:, t] * h + dBu[:, t]
                out[ib, :, t] += h * C[ib, s, t]
    return out


@pytest.mark.parametrize("dma_bcast", [False, True])
@pytest.mark.parametrize("kernel", [mamba.mamba_v1, mamba.mamba_v2, mamba.mamba_v3], ids=["v1", "v2", "v3"])
def test_mamba(kernel, dma_bcast):
    nb, ch, L, S = 1, 256, 1024, 3
    delta = (rng.random((nb, ch, L)) * 0.1).astype(f32)
    u = rng.standard_normal((nb, ch, L), dtype=f32)
    A = -rng.random((ch, S), dtype=f32)
    B, C = rng.standard_normal((nb, S, L), dtype=f32), rng.standard_normal((nb, S, L), dtype=f32)
    ref = _mamba_ref(delta.astype(np.float64), u, A, B, C)
    out = kernel(delta, u, A, B, C, dma_bcast=dma_bcast)
    np.testing.assert_allclose(out, ref, rtol=0, atol=1e-4 * np.abs(ref).max())


@pytest.mark.parametrize("kernel", [layernorm.layernorm_v1, layernorm.layernorm_v2], ids=["v1", "v2"])
def test_layernorm(kernel):
    R, D = 300, 1000  # a partial last tile of 44 rows
    x = rng.standard_normal((R, D), dtype=f32)
    g, b = rng.standard_normal(D, dtype=f32), rng.standard_normal(D, dtype=f32)
    x64 = x.astype(np.float64)
    ref = (x64 - x64.mean(1, keepdims=True)) / np.sqrt(x64.var(1, keepdims=True) + 1e-5) * g + b
    np.testing.assert_allclose(kernel(x, g, b), ref, rtol=1e-4, atol=1e-4)


def test_micro_kernels():
    x = (rng.standard_normal((128, 1)) * 0.1).astype(f32)
    np.testing.assert_allclose(micro.act_chain(x, n=3), np.exp(np.exp(np.exp(x.astype(np.float64)))), rtol=1e-5)
    a = rng.standard_normal((4, 4096)).astype(bf16)
    np.testing.assert_array_equal(micro.dma_load(a), a[:, 0:1])
    t = rng.standard_normal((16, 512), dtype=f32)
    np.testing.assert_array_equal(micro.dma_dynamic_row(t, np.array([[5]], dtype=np.int32)), t[5:6])
