"""Our own Beta 1 versions of the matrix-multiplication tutorial's steps (lhsT [K, M], rhs [K, N]):
tiled, hoisted loads, blocked free dimension, fully optimised; PSUM accumulation with `+=`."""
from neuronxcc import nki
import neuronxcc.nki.language as nl

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
                lhsT_tile = nl.load(lhsT[k * TK:(k + 1) * TK, m * TM:(m + 1) * TM])
                rhs_tile = nl.load(rhs[k * TK:(k + 1) * TK, n * TN:(n + 1) * TN])
                res_psum += nl.matmul(lhsT_tile, rhs_tile, transpose_x=True)
            res_sb = nl.copy(res_psum, dtype=result.dtype)
            nl.store(result[m * TM:(m + 1) * TM, n * TN:(n + 1) * TN], value=res_sb)
    return result


@nki.jit
def matmul_hoist_load(lhsT, rhs):
    K, M = lhsT.shape
    N = rhs.shape[1]
    result = nl.ndarray((M, N), dtype=lhsT.dtype, buffer=nl.shared_hbm)
    i_k = nl.arange(TK)[:, None]
    i_m = nl.arange(TM)[None, :]
    i_n = nl.arange(TN)[None, :]
    for m in nl.affine_range(M // TM):
        lhsT_tiles = nl.ndarray((K // TK, nl.par_dim(TK), TM), dtype=lhsT.dtype, buffer=nl.sbuf)
        for k in nl.affine_range(K // TK):
            lhsT_tiles[k, i_k, i_m] = nl.load(lhsT[k * TK + i_k, m * TM + i_m])
        for n in nl.affine_range(N // TN):
            rhs_tiles = nl.ndarray((K // TK, nl.par_dim(TK), TN), dtype=rhs.dtype, buffer=nl.sbuf)
            for k in nl.affine_range(K // TK):
                rhs_tiles[k, i_k, i_n] = nl.load(rhs[k * TK + i_k, n * TN + i_n])
            res_psum = nl.zeros((TM, TN), nl.float32, buffer=nl.psum)
            for k in nl.affine_range(K // TK):
                res_psum += nl.matmul(lhsT_tiles[k, i_k, i_m], rhs_tiles[k, i_k, i_n], transpose_x=True)
            res_sb = nl.copy(res_psum, dtype=result.dtype)
            nl.store(result[m * TM + nl.arange(TM)[:, None], n * TN + i_n], value=res_sb)
    return result


@nki.jit
def matmul_block_free_dimension(lhsT, rhs, bn=2):
    """Each rhs block of `bn` N tiles is loaded once and reused by every M tile."""
    K, M = lhsT.shape
    N = rhs.shape[1]
    BN = TN * bn
    result = nl.ndarray((M, N), dtype=lhsT.dtype, buffer=nl.shared_hbm)
    for nb in nl.affine_range(N // BN):
        rhs_tiles = nl.ndarray((K // TK, nl.par_dim(TK), BN), dtype=rhs.dtype, buffer=nl.sbuf)
        for k in nl.affine_range(K // TK):
            rhs_tiles[k] = nl.load(rhs[k * TK:(k + 1) * TK, nb * BN:(nb + 1) * BN])
        for m in nl.affine_range(M // TM):
            lhsT_tiles = nl.ndarray((K // TK, nl.par_dim(TK), TM), dtype=lhsT.dtype, buffer=nl.sbuf)
            for k in nl.affine_range(K // TK):
                lhsT_tiles[k] = nl.load(lhsT[k * TK:(k + 1) * TK, m * TM:(m + 1) * TM])
            for j in nl.affine_range(bn):
                res_psum = nl.zeros((TM, TN), nl.float32, buffer=nl.psum)
                for k in nl.affine_range(K // TK):
                    res_psum += nl.matmul(lhsT_tiles[k], rhs_tiles[k, :, j * TN:(j + 1) * TN], transpose_x=True)
                res_sb = nl.copy(res_psum, dtype=result.dtype)
                nl.store(result[m * TM:(m + 1) * TM, nb * BN + j * TN:nb * BN + (j + 1) * TN], value=res_sb)
    return result


@nki.jit
def matmul_fully_optimized(lhsT, rhs, bm=16, bn=2, bk=8):
    """Blocks of all three dims: for each N block, the result column stays in SBUF (fp32, zeroed); for
    each K block (sequential: the column accumulates) its rhs block is loaded once, then each M block's
    lhsT block, and each tile's PSUM sum over the K block is added into the column."""
    K, M = lhsT.shape
    N = rhs.shape[1]
    BM, BN, BK = TM * bm, TN * bn, TK * bk
    result = nl.ndarray((M, N), dtype=lhsT.dtype, buffer=nl.shared_hbm)
    for nb in nl.affine_range(N // BN):
        res = nl.zeros((M // TM, nl.par_dim(TM), BN), dtype=nl.float32, buffer=nl.sbuf)
        for kb in nl.sequential_range(K // BK):
            rhs_tiles = nl.ndarray((bk, nl.par_dim(TK), BN), dtype=rhs.dtype, buffer=nl.sbuf)
            for k in nl.affine_range(bk):
                k0 = kb * BK + k * TK
                rhs_tiles[k] = nl.load(rhs[k0:k0 + TK, nb * BN:(nb + 1) * BN])
            for mb in nl.affine_range(M // BM):
                lhsT_tiles = nl.ndarray((bk, nl.par_dim(TK), BM), dtype=lhsT.dtype, buffer=nl.sbuf)
                for k in nl.affine_range(bk):
                    k0 = kb * BK + k * TK
                    lhsT_tiles[k] = nl.load(lhsT[k0:k0 + TK, mb * BM:(mb + 1) * BM])
                for j in nl.affine_range(bn):
                    for i in nl.affine_range(bm):
                        res_psum = nl.zeros((TM, TN), nl.float32, buffer=nl.psum)
                        for k in nl.affine_range(bk):
                            res_psum += nl.matmul(lhsT_tiles[k, :, i * TM:(i + 1) * TM],
                                                  rhs_tiles[k, :, j * TN:(j + 1) * TN], transpose_x=True)
                        col = res[mb * bm + i, :, j * TN:(j + 1) * TN]
                        res[mb * bm + i, :, j * TN:(j + 1) * TN] = nl.add(col, res_psum)
        for mt in nl.affine_range(M // TM):
            nl.store(result[mt * TM:(mt + 1) * TM, nb * BN:(nb + 1) * BN], value=nl.copy(res[mt], dtype=result.dtype))
    return result
