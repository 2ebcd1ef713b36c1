"""A single-tile matmul: out = lhsT.T @ rhs for lhsT [128, 128] and rhs [128, 512], through PSUM.

Run it:  python examples/matmul.py
"""
import numpy as np

import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def matmul(lhsT, rhs):
    k, m = lhsT.shape
    _, n = rhs.shape
    out = nl.ndarray((m, n), dtype=nl.float32, buffer=nl.shared_hbm)
    lhsT_tile = nl.ndarray((k, m), dtype=lhsT.dtype, buffer=nl.sbuf)
    rhs_tile = nl.ndarray((k, n), dtype=rhs.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=lhsT_tile, src=lhsT)
    nisa.dma_copy(dst=rhs_tile, src=rhs)
    acc = nl.ndarray((m, n), dtype=nl.float32, buffer=nl.psum)
    nisa.nc_matmul(dst=acc, stationary=lhsT_tile, moving=rhs_tile)
    result = nl.ndarray((m, n), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=result, src=acc)
    nisa.dma_copy(dst=out, src=result)
    return out


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    lhsT = rng.standard_normal((128, 128), dtype=np.float32)
    rhs = rng.standard_normal((128, 512), dtype=np.float32)
    out = nki.simulate(matmul)(lhsT, rhs)
    ref = lhsT.T.astype(np.float64) @ rhs.astype(np.float64)
    print("max abs error vs numpy:", float(np.abs(out - ref).max()))
