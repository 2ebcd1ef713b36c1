"""nc_matmul's blocked simulator kernel is bit-exact with the documented summation order: each output
is (((0 + s0*b0) + s1*b1) + ...) in increasing partition (k) order, every product and sum rounded to
fp32 (no FMA), then added to the PSUM value. Checked exactly against that recurrence in NumPy float32,
with shapes that exercise the register-blocked tiles and the row/column edges."""
import ml_dtypes
import numpy as np
import pytest

import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def mm_k(lhsT, rhs, twice=False):
    K, M = lhsT.shape
    N = rhs.shape[1]
    a = nl.ndarray((K, M), dtype=lhsT.dtype, buffer=nl.sbuf)
    b = nl.ndarray((K, N), dtype=rhs.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=a, src=lhsT)
    nisa.dma_copy(dst=b, src=rhs)
    ps = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.psum)
    nisa.nc_matmul(dst=ps, stationary=a, moving=b)
    if twice:
        nisa.nc_matmul(dst=ps, stationary=a, moving=b)
    r = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=r, src=ps)
    out = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=r)
    return out


def ref(lhsT, rhs):
    a, b = lhsT.astype(np.float32), rhs.astype(np.float32)
    acc = np.zeros((a.shape[1], b.shape[1]), np.float32)
    for k in range(a.shape[0]):
        acc = acc + np.outer(a[k], b[k]).astype(np.float32)  # fp32 product, then fp32 sum
    return acc


@pytest.mark.parametrize("K,M,N,dt", [(128, 128, 512, np.float32), (37, 13, 45, np.float32),
                                      (128, 100, 333, ml_dtypes.bfloat16), (5, 7, 3, ml_dtypes.float8_e4m3)])
def test_matmul_bit_exact(K, M, N, dt):
    rng = np.random.default_rng(K * M + N)
    lhsT = rng.standard_normal((K, M), dtype=np.float32).astype(dt)
    rhs = rng.standard_normal((K, N), dtype=np.float32).astype(dt)
    r = ref(lhsT, rhs)
    np.testing.assert_array_equal(mm_k(lhsT, rhs), r)
    np.testing.assert_array_equal(mm_k(lhsT, rhs, twice=True), r + r)  # second matmul accumulates
