"""Our own NKI 0.3.0 versions of the tutorial matmul kernels that AWS measured, with the published loop
structure (the calibration points of tests/timing/test_calibration.py):

  matrix-multiplication tutorial (trn1, bf16):  tiled, hoisted loads, blocked free dimension, fully
      optimised (blocks of 16 M tiles x 2 N tiles x 8 K tiles, partial sums added in SBUF);
  kernel-optimization tutorial v2..v5 (trn2, fp32): the same four structures. Its profiles count 65536
      matmul instructions for lhsT[8192, 4096] x rhs[8192, 8192]; with 128 x 128 stationary tiles that is
      32 M tiles x 64 K tiles x 32 N tiles, so the moving tile is 256 columns wide: `tn=256`.

lhsT is [K, M] (K on partitions), rhs is [K, N]; the result [M, N] has lhsT's dtype. Each operand tile
is its own DMA, as in the tutorials."""
import nki
import nki.isa as nisa
import nki.language as nl

TK, TM = 128, 128


def _evict_store(out_view, ps, dtype, shape):
    r = nl.ndarray(shape, dtype=dtype, buffer=nl.sbuf)
    nisa.tensor_copy(dst=r, src=ps)
    nisa.dma_copy(dst=out_view, src=r)


@nki.jit
def matmul_tiled(lhsT, rhs, tn=512):
    """For each output tile: for each K tile, load both operand tiles, then one matmul into PSUM."""
    K, M = lhsT.shape
    N = rhs.shape[1]
    out = nl.ndarray((M, N), dtype=lhsT.dtype, buffer=nl.shared_hbm)
    for m in nl.affine_range(M // TM):
        for n in nl.affine_range(N // tn):
            ps = nl.ndarray((TM, tn), dtype=nl.float32, buffer=nl.psum)
            for k in nl.affine_range(K // TK):
                a = nl.ndarray((TK, TM), dtype=lhsT.dtype, buffer=nl.sbuf)
                b = nl.ndarray((TK, tn), dtype=rhs.dtype, buffer=nl.sbuf)
                nisa.dma_copy(dst=a, src=lhsT[k * TK:(k + 1) * TK, m * TM:(m + 1) * TM])
                nisa.dma_copy(dst=b, src=rhs[k * TK:(k + 1) * TK, n * tn:(n + 1) * tn])
                nisa.nc_matmul(dst=ps, stationary=a, moving=b)
            _evict_store(out[m * TM:(m + 1) * TM, n * tn:(n + 1) * tn], ps, lhsT.dtype, (TM, tn))
    return out


@nki.jit
def matmul_hoisted(lhsT, rhs, tn=512):
    """The K tiles of an lhsT column strip are loaded once per M tile, those of an rhs strip once per
    (M, N) tile, before the K loop of matmuls."""
    K, M = lhsT.shape
    N = rhs.shape[1]
    KT = K // TK
    out = nl.ndarray((M, N), dtype=lhsT.dtype, buffer=nl.shared_hbm)
    for m in nl.affine_range(M // TM):
        a = nl.ndarray((TK, KT, TM), dtype=lhsT.dtype, buffer=nl.sbuf)
        for k in nl.affine_range(KT):
            nisa.dma_copy(dst=a[:, k, :], src=lhsT[k * TK:(k + 1) * TK, m * TM:(m + 1) * TM])
        for n in nl.affine_range(N // tn):
            b = nl.ndarray((TK, KT, tn), dtype=rhs.dtype, buffer=nl.sbuf)
            for k in nl.affine_range(KT):
                nisa.dma_copy(dst=b[:, k, :], src=rhs[k * TK:(k + 1) * TK, n * tn:(n + 1) * tn])
            ps = nl.ndarray((TM, tn), dtype=nl.float32, buffer=nl.psum)
            for k in nl.affine_range(KT):
                nisa.nc_matmul(dst=ps, stationary=a[:, k, :], moving=b[:, k, :])
            _evict_store(out[m * TM:(m + 1) * TM, n * tn:(n + 1) * tn], ps, lhsT.dtype, (TM, tn))
    return out


@nki.jit
def matmul_block_free(lhsT, rhs, tn=512, bm=2, bn=2):
    """Blocks of `bm` M tiles and `bn` N tiles: the lhsT strips of an M block are loaded once per M block,
    the rhs strips of an N block once per (M block, N block); each strip is reused by the other block's
    tiles."""
    K, M = lhsT.shape
    N = rhs.shape[1]
    KT, BM, BN = K // TK, TM * bm, tn * bn
    out = nl.ndarray((M, N), dtype=lhsT.dtype, buffer=nl.shared_hbm)
    # The strips take most of SBUF (bf16, trn1: 32 + 128 of 176 KiB): one copy only, no rotation.
    for mb in nl.sequential_range(M // BM):
        a = []
        for i in nl.static_range(bm):
            a.append(nl.ndarray((TK, KT, TM), dtype=lhsT.dtype, buffer=nl.sbuf))
            for k in nl.affine_range(KT):
                m0 = mb * BM + i * TM
                nisa.dma_copy(dst=a[i][:, k, :], src=lhsT[k * TK:(k + 1) * TK, m0:m0 + TM])
        for nb in nl.affine_range(N // BN):
            b = []
            for j in nl.static_range(bn):
                b.append(nl.ndarray((TK, KT, tn), dtype=rhs.dtype, buffer=nl.sbuf))
                for k in nl.affine_range(KT):
                    n0 = nb * BN + j * tn
                    nisa.dma_copy(dst=b[j][:, k, :], src=rhs[k * TK:(k + 1) * TK, n0:n0 + tn])
            for i in nl.affine_range(bm):
                for j in nl.affine_range(bn):
                    ps = nl.ndarray((TM, tn), dtype=nl.float32, buffer=nl.psum)
                    for k in nl.affine_range(KT):
                        nisa.nc_matmul(dst=ps, stationary=a[i][:, k, :], moving=b[j][:, k, :])
                    m0, n0 = mb * BM + i * TM, nb * BN + j * tn
                    _evict_store(out[m0:m0 + TM, n0:n0 + tn], ps, lhsT.dtype, (TM, tn))
    return out


@nki.jit
def matmul_fully_optimized(lhsT, rhs, tn=512, bm=16, bn=2, bk=8):
    """Blocks of all three dims. For each N block the whole result column lives in SBUF (in lhsT's dtype,
    zeroed first); for each K block (sequential) the rhs block is loaded once, then for each M block its
    lhsT block, and each output tile's K-block sum (PSUM) is added to the SBUF result with VectorE."""
    K, M = lhsT.shape
    N = rhs.shape[1]
    BM, BN, BK = TM * bm, tn * bn, TK * bk
    MT = M // TM
    out = nl.ndarray((M, N), dtype=lhsT.dtype, buffer=nl.shared_hbm)
    for nb in nl.affine_range(N // BN):
        res = nl.ndarray((TM, MT, BN), dtype=lhsT.dtype, buffer=nl.sbuf)
        nisa.memset(dst=res, value=0.0)
        for kb in nl.sequential_range(K // BK):
            b = nl.ndarray((TK, bk, BN), dtype=rhs.dtype, buffer=nl.sbuf)
            for k in nl.static_range(bk):
                k0 = kb * BK + k * TK
                nisa.dma_copy(dst=b[:, k, :], src=rhs[k0:k0 + TK, nb * BN:(nb + 1) * BN])
            for mb in nl.affine_range(M // BM):
                a = nl.ndarray((TK, bk, BM), dtype=lhsT.dtype, buffer=nl.sbuf)
                for k in nl.affine_range(bk):
                    k0 = kb * BK + k * TK
                    nisa.dma_copy(dst=a[:, k, :], src=lhsT[k0:k0 + TK, mb * BM:(mb + 1) * BM])
                for j in nl.affine_range(bn):
                    for i in nl.affine_range(bm):
                        ps = nl.ndarray((TM, tn), dtype=nl.float32, buffer=nl.psum)
                        for k in nl.affine_range(bk):
                            nisa.nc_matmul(dst=ps, stationary=a[:, k, i * TM:(i + 1) * TM],
                                           moving=b[:, k, j * tn:(j + 1) * tn])
                        dst = res[:, mb * bm + i, j * tn:(j + 1) * tn]
                        nisa.tensor_tensor(dst=dst, data1=dst, data2=ps, op=nl.add)
        for mt in nl.affine_range(MT):
            nisa.dma_copy(dst=out[mt * TM:(mt + 1) * TM, nb * BN:(nb + 1) * BN], src=res[:, mt, :])
    return out
