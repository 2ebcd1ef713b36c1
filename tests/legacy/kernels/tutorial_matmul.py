"""Our own Beta 1 versions of the matrix-multiplication tutorial's steps (lhsT [K, M], rhs [K, N]), with the
tutorial's loop structure: tiled, hoisted loads, blocked free dimension (M blocks outside, N blocks inside),
fully optimised (N, K, M blocks; the result column in SBUF in lhsT's dtype); PSUM accumulation with `+=`,
block tensors (`nl.par_dim` not leftmost) indexed with `nl.mgrid` grids. tests/timing/ benchmarks them
at the tutorial's shape (calibration_points.py, kind "beta1")."""
from neuronxcc import nki
import neuronxcc.nki.isa as nisa
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
def matmul_block_free_dimension(lhsT, rhs, bm=2, bn=2):
    """Blocks of `bm` M tiles and `bn` N tiles: the lhsT strips of an M block are loaded once per M block,
    the rhs strips of an N block once per (M block, N block), and each strip serves the other block's
    tiles."""
    K, M = lhsT.shape
    N = rhs.shape[1]
    BM, BN, KT = TM * bm, TN * bn, K // TK
    result = nl.ndarray((M, N), dtype=lhsT.dtype, buffer=nl.shared_hbm)
    i_a = nl.mgrid[0:TK, 0:TM]
    i_b = nl.mgrid[0:TK, 0:TN]
    i_r = nl.mgrid[0:TM, 0:TN]
    for m in nl.affine_range(M // BM):
        lhsT_tiles = nl.ndarray((bm, KT, nl.par_dim(TK), TM), dtype=lhsT.dtype, buffer=nl.sbuf)
        for i in nl.affine_range(bm):
            for k in nl.affine_range(KT):
                lhsT_tiles[i, k, i_a.p, i_a.x] = nl.load(lhsT[k * TK + i_a.p, (m * bm + i) * TM + i_a.x])
        for n in nl.affine_range(N // BN):
            rhs_tiles = nl.ndarray((bn, KT, nl.par_dim(TK), TN), dtype=rhs.dtype, buffer=nl.sbuf)
            for j in nl.affine_range(bn):
                for k in nl.affine_range(KT):
                    rhs_tiles[j, k, i_b.p, i_b.x] = nl.load(rhs[k * TK + i_b.p, (n * bn + j) * TN + i_b.x])
            for i in nl.affine_range(bm):
                for j in nl.affine_range(bn):
                    res_psum = nl.zeros((TM, TN), nl.float32, buffer=nl.psum)
                    for k in nl.affine_range(KT):
                        res_psum += nl.matmul(lhsT_tiles[i, k, i_a.p, i_a.x], rhs_tiles[j, k, i_b.p, i_b.x],
                                              transpose_x=True)
                    res_sb = nl.copy(res_psum, dtype=result.dtype)
                    nl.store(result[(m * bm + i) * TM + i_r.p, (n * bn + j) * TN + i_r.x], value=res_sb)
    return result


@nki.jit
def matmul_fully_optimized(lhsT, rhs, bm=16, bn=2, bk=8):
    """Blocks of all three dims. For each N block the whole result column stays in SBUF, in lhsT's dtype
    and zeroed; for each K block (sequential: the column accumulates) its rhs block is loaded once, then
    each M block's lhsT block, and each tile's PSUM sum over the K block is added (`+=`) into the column.
    The column goes out one M tile at a time, its N tiles packed into one row strip (one DMA each)."""
    K, M = lhsT.shape
    N = rhs.shape[1]
    BM, BN, BK = TM * bm, TN * bn, TK * bk
    NBM = M // BM
    result = nl.ndarray((M, N), dtype=lhsT.dtype, buffer=nl.shared_hbm)
    for n in nl.affine_range(N // BN):
        res = nl.zeros((NBM, bm, bn, nl.par_dim(TM), TN), dtype=lhsT.dtype, buffer=nl.sbuf)
        for kb in nl.sequential_range(K // BK):
            i_b = nl.mgrid[0:TK, 0:BN]
            rhs_tiles = nl.ndarray((bk, nl.par_dim(TK), BN), dtype=rhs.dtype, buffer=nl.sbuf)
            for k in nl.affine_range(bk):
                rhs_tiles[k, i_b.p, i_b.x] = nl.load(rhs[(kb * bk + k) * TK + i_b.p, n * BN + i_b.x])
            for m in nl.affine_range(NBM):
                i_a = nl.mgrid[0:TK, 0:BM]
                lhsT_tiles = nl.ndarray((bk, nl.par_dim(TK), BM), dtype=lhsT.dtype, buffer=nl.sbuf)
                for k in nl.affine_range(bk):
                    lhsT_tiles[k, i_a.p, i_a.x] = nl.load(lhsT[(kb * bk + k) * TK + i_a.p, m * BM + i_a.x])
                i_am = nl.mgrid[0:TK, 0:TM]
                i_bm = nl.mgrid[0:TK, 0:TN]
                i_r = nl.mgrid[0:TM, 0:TN]
                for j in nl.affine_range(bn):
                    for i in nl.affine_range(bm):
                        res_psum = nl.zeros((TM, TN), dtype=nl.float32, buffer=nl.psum)
                        for k in nl.affine_range(bk):
                            res_psum[...] += nisa.nc_matmul(lhsT_tiles[k, i_am.p, i * TM + i_am.x],
                                                            rhs_tiles[k, i_bm.p, j * TN + i_bm.x])
                        res[m, i, j, i_r.p, i_r.x] += res_psum[i_r.p, i_r.x]
        for m in nl.affine_range(NBM):
            for i in nl.affine_range(bm):
                i_t = nl.mgrid[0:TM, 0:TN]
                i_s = nl.mgrid[0:TM, 0:BN]
                strip = nl.ndarray((TM, BN), dtype=res.dtype, buffer=nl.sbuf)
                for j in nl.affine_range(bn):
                    strip[i_t.p, j * TN + i_t.x] = nl.copy(res[m, i, j, i_t.p, i_t.x])
                nl.store(result[(m * bm + i) * TM + i_s.p, n * BN + i_s.x], value=strip[i_s.p, i_s.x])
    return result
