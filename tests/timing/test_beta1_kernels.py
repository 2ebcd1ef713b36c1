"""Our Beta 1 (neuronxcc.nki) calibration kernels compute what they should, each against NumPy at a small
shape, through the Beta 1 launcher (calling the @nki.jit kernel simulates it). Tolerances: bf16 matmuls vs
an fp32 matmul of the same bf16 inputs at 1e-2 of the largest output (bf16 result rounding; the fully
optimised one also accumulates its K blocks in bf16 in SBUF); layernorm vs float64 at 1e-4; mamba vs a
float64 recurrence at 1e-4 of the largest output."""
import os
import sys
import warnings

import ml_dtypes
import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import calibration_points as cp  # noqa: E402  (puts the kernel directories and neuronxcc on sys.path)
import beta1_layernorm as ln  # noqa: E402
import beta1_mamba as mb  # noqa: E402
import tutorial_matmul as tm  # noqa: E402

rng = np.random.default_rng(21)
f32, bf16 = np.float32, ml_dtypes.bfloat16

MATMULS = [(tm.matmul_tiled, {}), (tm.matmul_hoist_load, {}), (tm.matmul_block_free_dimension, {}),
           (tm.matmul_fully_optimized, dict(bm=2, bn=2, bk=1))]


@pytest.mark.parametrize("kernel,kw", MATMULS, ids=lambda x: getattr(getattr(x, "func", None), "__name__", ""))
def test_matmul_bf16(kernel, kw):
    K, M, N = 256, 512, 2048
    a, b = rng.standard_normal((K, M)).astype(bf16), rng.standard_normal((K, N)).astype(bf16)
    ref = a.astype(f32).T @ b.astype(f32)
    out = kernel(a, b, **kw).astype(f32)
    assert np.abs(out - ref).max() <= 1e-2 * np.abs(ref).max()


@pytest.mark.parametrize("kernel", [ln.layernorm_v1, ln.layernorm_v2], ids=["v1", "v2"])
@pytest.mark.parametrize("R,D", [(300, 1000), (128, 2048)])
def test_layernorm(kernel, R, D):
    """(300, 1000): a masked partial row tile, and for v2 a masked last bn_stats chunk."""
    x, g, b = rng.standard_normal((R, D), dtype=f32), rng.standard_normal(D, dtype=f32), rng.standard_normal(D, dtype=f32)
    x64 = x.astype(np.float64)
    mean = x64.mean(axis=1, keepdims=True)
    ref = (x64 - mean) / np.sqrt(((x64 - mean) ** 2).mean(axis=1, keepdims=True) + 1e-5) * g + b
    np.testing.assert_allclose(kernel(x, g, b), ref, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("kernel", [mb.mamba_v1, mb.mamba_v2, mb.mamba_v3], ids=["v1", "v2", "v3"])
def test_mamba(kernel):
    nb, ch, L, S = 1, 256, 1024, 4  # v3: two 512-column chunks, the scan carried across
    delta = rng.uniform(0.01, 0.1, (nb, ch, L)).astype(f32)
    u, A = rng.standard_normal((nb, ch, L), dtype=f32), -rng.uniform(0.5, 1.5, (ch, S)).astype(f32)
    B, C = rng.standard_normal((nb, S, L), dtype=f32), rng.standard_normal((nb, S, L), dtype=f32)
    ref = np.zeros((nb, ch, L))
    for s in range(S):
        dA = np.exp(delta.astype(np.float64) * A[None, :, s:s + 1])
        dbu = delta.astype(np.float64) * u * B[:, s:s + 1, :]
        h = np.zeros((nb, ch))
        for t in range(L):
            h = dA[:, :, t] * h + dbu[:, :, t]
            ref[:, :, t] += h * C[:, s, t][:, None]
    out = kernel(delta, u, A, B, C)
    assert np.abs(out - ref).max() <= 1e-4 * np.abs(ref).max()


def test_benchmark_is_timing_only_and_matches_the_profile():
    """nki.benchmark's estimate is nkic.profile's timing-only latency; the call returns None."""
    from neuronxcc import nki
    x, g, b = np.zeros((256, 512), f32), np.zeros(512, f32), np.zeros(512, f32)
    k = nki.benchmark(warmup=5, iters=10, platform_target="trn1")(ln.layernorm_v2)
    assert k(x, g, b) is None
    import nkic
    with warnings.catch_warnings():  # nkic.profile is not a legacy launcher: it warns about the namespace
        warnings.simplefilter("ignore")
        expect = nkic.profile(ln.layernorm_v2, x, g, b, target="trn1", timing_only=True).latency_us
    assert k.benchmark_result.nc_latency.get_latency_percentile(50) == expect
    assert cp.BETA1  # the calibration points exist
