"""A blocked bf16 matmul, out[M, N] = lhsT[K, M].T @ rhs[K, N], in the shape of a tuned kernel: each
[128, 512] output tile accumulates over K in one PSUM bank, the stationary lhsT tiles of a row of output
tiles are loaded once and reused across its columns, and every tile declared in an nl.affine_range body
is multi-buffered, so DMA overlaps TensorE.

Run it:  python examples/blocked_matmul.py     (prints the error vs NumPy and the estimated trn2 latency)
"""
import numpy as np

import nki
import nki.isa as nisa
import nki.language as nl

TILE_K = 128  # contraction (partition) tile
TILE_M = 128  # stationary free size: rows of the output tile
TILE_N = 512  # moving free size: one PSUM bank of fp32


@nki.jit
def blocked_matmul(lhsT, rhs):
    K, M = lhsT.shape
    _, N = rhs.shape
    assert K % TILE_K == 0 and M % TILE_M == 0 and N % TILE_N == 0, "shapes must tile by 128/128/512"
    out = nl.ndarray((M, N), dtype=lhsT.dtype, buffer=nl.shared_hbm)
    for m in nl.affine_range(M // TILE_M):
        # The stationary column block of lhsT for this row of output tiles: loaded once, used N/512 times.
        lhs_block = nl.ndarray((TILE_K, K // TILE_K, TILE_M), dtype=lhsT.dtype, buffer=nl.sbuf)
        for k in nl.affine_range(K // TILE_K):
            nisa.dma_copy(dst=lhs_block[:, k, :], src=lhsT[k * TILE_K:(k + 1) * TILE_K, m * TILE_M:(m + 1) * TILE_M])
        for n in nl.affine_range(N // TILE_N):
            rhs_block = nl.ndarray((TILE_K, K // TILE_K, TILE_N), dtype=rhs.dtype, buffer=nl.sbuf)
            for k in nl.affine_range(K // TILE_K):
                nisa.dma_copy(dst=rhs_block[:, k, :],
                              src=rhs[k * TILE_K:(k + 1) * TILE_K, n * TILE_N:(n + 1) * TILE_N])
            acc = nl.ndarray((TILE_M, TILE_N), dtype=nl.float32, buffer=nl.psum)
            for k in nl.affine_range(K // TILE_K):
                nisa.nc_matmul(dst=acc, stationary=lhs_block[:, k, :], moving=rhs_block[:, k, :])
            res = nl.ndarray((TILE_M, TILE_N), dtype=lhsT.dtype, buffer=nl.sbuf)
            nisa.tensor_copy(dst=res, src=acc)
            nisa.dma_copy(dst=out[m * TILE_M:(m + 1) * TILE_M, n * TILE_N:(n + 1) * TILE_N], src=res)
    return out


if __name__ == "__main__":
    import ml_dtypes

    import nkic

    rng = np.random.default_rng(0)
    lhsT = rng.standard_normal((1024, 1024), dtype=np.float32).astype(ml_dtypes.bfloat16)
    rhs = rng.standard_normal((1024, 2048), dtype=np.float32).astype(ml_dtypes.bfloat16)
    p = nkic.profile(blocked_matmul, lhsT, rhs)
    ref = lhsT.astype(np.float64).T @ rhs.astype(np.float64)
    print("max relative error vs numpy:", float(np.abs(p.outputs.astype(np.float64) - ref).max() / np.abs(ref).max()))
    print(p.summary())
