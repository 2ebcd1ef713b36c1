"""Beta 1 tiled matmul, PSUM accumulation with `+=` (migration fixture)."""
import nki
import nki.language as nl
import nki.isa as nisa

TK, TM, TN = 128, 128, 512


@nki.jit
def matmul_tiled(lhsT, rhs):
    K, M = lhsT.shape
    N = rhs.shape[1]
    result = nl.ndarray((M, N), dtype=lhsT.dtype, buffer=nl.shared_hbm)
    for m in nl.affine_range(M // TM):
        for n in nl.affine_range(N // TN):
            res_psum = nl.zeros((TM, TN), nl.float32, buffer=nl.psum)
            for k in nl.affine_range(K // TK):
                lhsT_tile = nl.ndarray(lhsT[k * TK:(k + 1) * TK, m * TM:(m + 1) * TM].shape, dtype=lhsT[k * TK:(k + 1) * TK, m * TM:(m + 1) * TM].dtype, buffer=nl.sbuf)
                nisa.dma_copy(dst=lhsT_tile, src=lhsT[k * TK:(k + 1) * TK, m * TM:(m + 1) * TM])
                rhs_tile = nl.ndarray(rhs[k * TK:(k + 1) * TK, n * TN:(n + 1) * TN].shape, dtype=rhs[k * TK:(k + 1) * TK, n * TN:(n + 1) * TN].dtype, buffer=nl.sbuf)
                nisa.dma_copy(dst=rhs_tile, src=rhs[k * TK:(k + 1) * TK, n * TN:(n + 1) * TN])
                nisa.nc_matmul(res_psum, lhsT_tile, rhs_tile, accumulate=True)
            res_sb = nl.ndarray(res_psum.shape, dtype=result.dtype, buffer=nl.sbuf)
            nisa.tensor_copy(res_sb, res_psum)
            nisa.dma_copy(dst=result[m * TM:(m + 1) * TM, n * TN:(n + 1) * TN], src=res_sb)
    return result
