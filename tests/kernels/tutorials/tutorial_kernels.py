"""The team's own versions of the NKI tutorial kernels (0.3.0 style), each a plain @nki.jit kernel.

Matmul convention: lhsT is [K, M] (the contraction dim K on partitions, as TensorE wants the stationary
operand), rhs is [K, N], the result is [M, N] in lhsT's dtype. Tile sizes: K and M tiles of 128
(partitions / stationary free size), N tiles of 512 (moving free size, one PSUM bank of fp32)."""
import nki
import nki.isa as nisa
import nki.language as nl

TK, TM, TN = 128, 128, 512


# ---------------------------------------------------------------- tensor add (quickstart style)

@nki.jit
def tensor_add(a, b):
    """Adds two [R, C] tensors 128 rows at a time with the nl.* convenience API."""
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    for i in nl.affine_range(a.shape[0] // 128):
        x = nl.load(a[i * 128:(i + 1) * 128, :])
        y = nl.load(b[i * 128:(i + 1) * 128, :])
        nl.store(out[i * 128:(i + 1) * 128, :], nl.add(x, y))
    return out


# ---------------------------------------------------------------- matmul, five steps

def _evict_store(out_view, ps, dtype, shape):
    r = nl.ndarray(shape, dtype=dtype, buffer=nl.sbuf)
    nisa.tensor_copy(dst=r, src=ps)
    nisa.dma_copy(dst=out_view, src=r)


@nki.jit
def matmul_basic(lhsT, rhs):
    """Step 1: one TensorE instruction: K <= 128, M <= 128, N <= 512."""
    K, M = lhsT.shape
    N = rhs.shape[1]
    out = nl.ndarray((M, N), dtype=lhsT.dtype, buffer=nl.shared_hbm)
    a = nl.ndarray((K, M), dtype=lhsT.dtype, buffer=nl.sbuf)
    b = nl.ndarray((K, N), dtype=rhs.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=a, src=lhsT)
    nisa.dma_copy(dst=b, src=rhs)
    ps = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.psum)
    nisa.nc_matmul(dst=ps, stationary=a, moving=b)
    _evict_store(out, ps, lhsT.dtype, (M, N))
    return out


@nki.jit
def matmul_tiled(lhsT, rhs):
    """Step 2: tiles of M, N and K; the K tiles accumulate in one PSUM tile. Both operands are loaded
    right before each matmul."""
    K, M = lhsT.shape
    N = rhs.shape[1]
    out = nl.ndarray((M, N), dtype=lhsT.dtype, buffer=nl.shared_hbm)
    for m in nl.affine_range(M // TM):
        for n in nl.affine_range(N // TN):
            ps = nl.ndarray((TM, TN), dtype=nl.float32, buffer=nl.psum)
            for k in nl.affine_range(K // TK):
                a = nl.ndarray((TK, TM), dtype=lhsT.dtype, buffer=nl.sbuf)
                b = nl.ndarray((TK, TN), dtype=rhs.dtype, buffer=nl.sbuf)
                nisa.dma_copy(dst=a, src=lhsT[k * TK:(k + 1) * TK, m * TM:(m + 1) * TM])
                nisa.dma_copy(dst=b, src=rhs[k * TK:(k + 1) * TK, n * TN:(n + 1) * TN])
                nisa.nc_matmul(dst=ps, stationary=a, moving=b)
            _evict_store(out[m * TM:(m + 1) * TM, n * TN:(n + 1) * TN], ps, lhsT.dtype, (TM, TN))
    return out


@nki.jit
def matmul_hoisted(lhsT, rhs):
    """Step 3: the lhsT column strip of an M tile is loaded once per M tile (hoisted out of the N loop),
    the rhs strip once per (M, N) tile."""
    K, M = lhsT.shape
    N = rhs.shape[1]
    KT = K // TK
    out = nl.ndarray((M, N), dtype=lhsT.dtype, buffer=nl.shared_hbm)
    for m in nl.affine_range(M // TM):
        a = nl.ndarray((TK, KT, TM), dtype=lhsT.dtype, buffer=nl.sbuf)
        for k in nl.affine_range(KT):
            nisa.dma_copy(dst=a[:, k, :], src=lhsT[k * TK:(k + 1) * TK, m * TM:(m + 1) * TM])
        for n in nl.affine_range(N // TN):
            b = nl.ndarray((TK, KT, TN), dtype=rhs.dtype, buffer=nl.sbuf)
            for k in nl.affine_range(KT):
                nisa.dma_copy(dst=b[:, k, :], src=rhs[k * TK:(k + 1) * TK, n * TN:(n + 1) * TN])
            ps = nl.ndarray((TM, TN), dtype=nl.float32, buffer=nl.psum)
            for k in nl.affine_range(KT):
                nisa.nc_matmul(dst=ps, stationary=a[:, k, :], moving=b[:, k, :])
            _evict_store(out[m * TM:(m + 1) * TM, n * TN:(n + 1) * TN], ps, lhsT.dtype, (TM, TN))
    return out


@nki.jit
def matmul_blocked_n(lhsT, rhs, tiles_in_block_n=2):
    """Step 4: the free dimension N is blocked: an rhs block of `tiles_in_block_n` N tiles (all K) is
    loaded once and reused by every M tile; lhsT strips are loaded once per (N block, M tile)."""
    K, M = lhsT.shape
    N = rhs.shape[1]
    KT, BN = K // TK, TN * tiles_in_block_n
    out = nl.ndarray((M, N), dtype=lhsT.dtype, buffer=nl.shared_hbm)
    for nb in nl.affine_range(N // BN):
        b = nl.ndarray((TK, KT, BN), dtype=rhs.dtype, buffer=nl.sbuf)
        for k in nl.affine_range(KT):
            nisa.dma_copy(dst=b[:, k, :], src=rhs[k * TK:(k + 1) * TK, nb * BN:(nb + 1) * BN])
        for m in nl.affine_range(M // TM):
            a = nl.ndarray((TK, KT, TM), dtype=lhsT.dtype, buffer=nl.sbuf)
            for k in nl.affine_range(KT):
                nisa.dma_copy(dst=a[:, k, :], src=lhsT[k * TK:(k + 1) * TK, m * TM:(m + 1) * TM])
            for j in nl.affine_range(tiles_in_block_n):
                ps = nl.ndarray((TM, TN), dtype=nl.float32, buffer=nl.psum)
                for k in nl.affine_range(KT):
                    nisa.nc_matmul(dst=ps, stationary=a[:, k, :], moving=b[:, k, j * TN:(j + 1) * TN])
                n0 = nb * BN + j * TN
                _evict_store(out[m * TM:(m + 1) * TM, n0:n0 + TN], ps, lhsT.dtype, (TM, TN))
    return out


@nki.jit
def matmul_blocked(lhsT, rhs, bm=4, bn=2, bk=8):
    """Step 5: blocks of all three dims (bm M tiles x bn N tiles x bk K tiles). For each (N block,
    M block) the result lives in SBUF as fp32 and each K block's PSUM sums are added to it, so the
    operands of a K block are loaded once per (N block, M block)."""
    K, M = lhsT.shape
    N = rhs.shape[1]
    BM, BN, BK = TM * bm, TN * bn, TK * bk
    out = nl.ndarray((M, N), dtype=lhsT.dtype, buffer=nl.shared_hbm)
    for nb in nl.affine_range(N // BN):
        for mb in nl.affine_range(M // BM):
            res = nl.ndarray((TM, bm, BN), dtype=nl.float32, buffer=nl.sbuf)
            nisa.memset(dst=res, value=0.0)
            for kb in nl.sequential_range(K // BK):
                a = nl.ndarray((TK, bk, BM), dtype=lhsT.dtype, buffer=nl.sbuf)
                b = nl.ndarray((TK, bk, BN), dtype=rhs.dtype, buffer=nl.sbuf)
                for k in nl.affine_range(bk):
                    k0 = kb * BK + k * TK
                    nisa.dma_copy(dst=a[:, k, :], src=lhsT[k0:k0 + TK, mb * BM:(mb + 1) * BM])
                    nisa.dma_copy(dst=b[:, k, :], src=rhs[k0:k0 + TK, nb * BN:(nb + 1) * BN])
                for i in nl.affine_range(bm):
                    for j in nl.affine_range(bn):
                        ps = nl.ndarray((TM, TN), dtype=nl.float32, buffer=nl.psum)
                        for k in nl.affine_range(bk):
                            nisa.nc_matmul(dst=ps, stationary=a[:, k, i * TM:(i + 1) * TM],
                                           moving=b[:, k, j * TN:(j + 1) * TN])
                        nisa.tensor_tensor(dst=res[:, i, j * TN:(j + 1) * TN], data1=res[:, i, j * TN:(j + 1) * TN],
                                           data2=ps, op=nl.add)
            for i in nl.affine_range(bm):
                r = nl.ndarray((TM, BN), dtype=lhsT.dtype, buffer=nl.sbuf)
                nisa.tensor_copy(dst=r, src=res[:, i, :])
                m0 = mb * BM + i * TM
                nisa.dma_copy(dst=out[m0:m0 + TM, nb * BN:(nb + 1) * BN], src=r)
    return out


# ---------------------------------------------------------------- transpose2d (free dims)

@nki.jit
def transpose2d(x, f1=8, f2=16):
    """x is [P, f1 * f2] holding a (f1, f2) matrix per partition; the result holds its (f2, f1)
    transpose: one tensor_copy through a transposed access pattern."""
    P = x.shape[0]
    xt = nl.ndarray((P, f1 * f2), dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=xt, src=x)
    o = nl.ndarray((P, f2, f1), dtype=x.dtype, buffer=nl.sbuf)
    nisa.tensor_copy(dst=o, src=xt.ap(pattern=[[f1 * f2, P], [1, f2], [f2, f1]], offset=0))
    out = nl.ndarray((P, f2 * f1), dtype=x.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=o.reshape((P, f2 * f1)))
    return out


# ---------------------------------------------------------------- pooling with a 5-D view

def _pool_view(t, C, H, W, k):
    # (C, H/k, W/k, k, k): window (i, j) element (a, b) is t[c, i*k + a, j*k + b]
    return t.ap(pattern=[[H * W, C], [k * W, H // k], [k, W // k], [W, k], [1, k]], offset=0)


@nki.jit
def pool2d(x, k=2, mode="avg"):
    """x is [C, H, W] (C <= 128 channels on partitions); k x k windows with stride k."""
    C, H, W = x.shape
    xt = nl.ndarray((C, H, W), dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=xt, src=x)
    o = nl.ndarray((C, H // k, W // k), dtype=x.dtype, buffer=nl.sbuf)
    op = nl.add if mode == "avg" else nl.maximum
    nisa.tensor_reduce(dst=o, op=op, data=_pool_view(xt, C, H, W, k), axis=(3, 4))
    if mode == "avg":
        nisa.tensor_scalar(dst=o, data=o, op0=nl.multiply, operand0=1.0 / (k * k))
    out = nl.ndarray((C, H // k, W // k), dtype=x.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=o)
    return out


# ---------------------------------------------------------------- softmax over rows

@nki.jit
def softmax(x):
    """Row softmax of [R, D] 128 rows at a time: max (negated) -> exp(x - max) with the row sum in the
    ScalarE accumulator -> reciprocal -> scale."""
    R, D = x.shape
    out = nl.ndarray((R, D), dtype=x.dtype, buffer=nl.shared_hbm)
    for i in nl.affine_range(R // 128):
        xt = nl.ndarray((128, D), dtype=x.dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=xt, src=x[i * 128:(i + 1) * 128, :])
        negmax = nl.ndarray((128, 1), dtype=nl.float32, buffer=nl.sbuf)
        nisa.tensor_reduce(dst=negmax, op=nl.maximum, data=xt, axis=1, negate=True)
        e = nl.ndarray((128, D), dtype=nl.float32, buffer=nl.sbuf)
        s = nl.ndarray((128, 1), dtype=nl.float32, buffer=nl.sbuf)
        nisa.activation_reduce(dst=e, op=nl.exp, data=xt, bias=negmax, reduce_op=nl.add, reduce_res=s)
        nisa.reciprocal(dst=s, data=s)
        y = nl.ndarray((128, D), dtype=x.dtype, buffer=nl.sbuf)
        nisa.tensor_scalar(dst=y, data=e, op0=nl.multiply, operand0=s)
        nisa.dma_copy(dst=out[i * 128:(i + 1) * 128, :], src=y)
    return out


# ---------------------------------------------------------------- layernorm (bn_stats / bn_aggr)

@nki.jit
def layernorm(x, gamma, beta, eps=1e-5):
    """x [R, D], gamma/beta [1, D]. Mean and variance per row from bn_stats over chunks of
    bn_stats_fmax and bn_aggr; y = (x - mean) * rsqrt(var + eps) * gamma + beta."""
    R, D = x.shape
    FM = nl.tile_size.bn_stats_fmax
    nch = (D + FM - 1) // FM
    out = nl.ndarray((R, D), dtype=x.dtype, buffer=nl.shared_hbm)
    g = nl.broadcast_to(nl.load(gamma), shape=(128, D))
    bt = nl.broadcast_to(nl.load(beta), shape=(128, D))
    for i in nl.affine_range(R // 128):
        xt = nl.ndarray((128, D), dtype=x.dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=xt, src=x[i * 128:(i + 1) * 128, :])
        st = nl.ndarray((128, 6 * nch), dtype=nl.float32, buffer=nl.sbuf)
        for c in nl.affine_range(nch):
            hi = min(D, (c + 1) * FM)
            nisa.bn_stats(dst=st[:, c * 6:(c + 1) * 6], data=xt[:, c * FM:hi])
        mv = nl.ndarray((128, 2), dtype=nl.float32, buffer=nl.sbuf)
        nisa.bn_aggr(dst=mv, data=st)
        rstd = nl.ndarray((128, 1), dtype=nl.float32, buffer=nl.sbuf)
        nisa.tensor_scalar(dst=rstd, data=mv[:, 1:2], op0=nl.add, operand0=eps, op1=nl.rsqrt, operand1=0.0)
        y = nl.ndarray((128, D), dtype=nl.float32, buffer=nl.sbuf)
        nisa.tensor_scalar(dst=y, data=xt, op0=nl.subtract, operand0=mv[:, 0:1], op1=nl.multiply, operand1=rstd)
        nisa.tensor_tensor(dst=y, data1=y, data2=g, op=nl.multiply)
        z = nl.ndarray((128, D), dtype=x.dtype, buffer=nl.sbuf)
        nisa.tensor_tensor(dst=z, data1=y, data2=bt, op=nl.add)
        nisa.dma_copy(dst=out[i * 128:(i + 1) * 128, :], src=z)
    return out


# ---------------------------------------------------------------- rmsnorm

@nki.jit
def rmsnorm(x, w, eps=1e-6):
    """x [R, D], w [1, D]: y = x * rsqrt(mean(x^2) + eps) * w, with the sum of squares from the
    ScalarE accumulator of a square activation."""
    R, D = x.shape
    out = nl.ndarray((R, D), dtype=x.dtype, buffer=nl.shared_hbm)
    wb = nl.broadcast_to(nl.load(w), shape=(128, D))
    for i in nl.affine_range(R // 128):
        xt = nl.ndarray((128, D), dtype=x.dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=xt, src=x[i * 128:(i + 1) * 128, :])
        sq = nl.ndarray((128, D), dtype=nl.float32, buffer=nl.sbuf)
        ss = nl.ndarray((128, 1), dtype=nl.float32, buffer=nl.sbuf)
        nisa.activation_reduce(dst=sq, op=nl.square, data=xt, reduce_op=nl.add, reduce_res=ss)
        nisa.tensor_scalar(dst=ss, data=ss, op0=nl.multiply, operand0=1.0 / D, op1=nl.add, operand1=eps)
        nisa.tensor_scalar(dst=ss, data=ss, op0=nl.rsqrt, operand0=0.0)
        y = nl.ndarray((128, D), dtype=x.dtype, buffer=nl.sbuf)
        nisa.scalar_tensor_tensor(dst=y, data=xt, op0=nl.multiply, operand0=ss, op1=nl.multiply, operand1=wb)
        nisa.dma_copy(dst=out[i * 128:(i + 1) * 128, :], src=y)
    return out


# ---------------------------------------------------------------- fused mamba scan

@nki.jit
def mamba_scan(delta, u, A, B, Cm):
    """Selective scan, fused per state. delta, u: [Ch, L] (channels on partitions); A: [Ch, S];
    B, Cm: [S, L] shared by all channels. For each state s:
      dA = exp(delta * A[:, s]);  dBu = delta * u * B[s];  h_t = dA_t * h_{t-1} + dBu_t (h_{-1} = 0);
      y += h * Cm[s].   Returns y [Ch, L] (fp32)."""
    Ch, L = delta.shape
    S = A.shape[1]
    out = nl.ndarray((Ch, L), dtype=nl.float32, buffer=nl.shared_hbm)
    for c in nl.affine_range(Ch // 128):
        dt = nl.load(delta[c * 128:(c + 1) * 128, :])
        ut = nl.load(u[c * 128:(c + 1) * 128, :])
        at = nl.load(A[c * 128:(c + 1) * 128, :])
        du = nl.ndarray((128, L), dtype=nl.float32, buffer=nl.sbuf)
        nisa.tensor_tensor(dst=du, data1=dt, data2=ut, op=nl.multiply)
        y = nl.ndarray((128, L), dtype=nl.float32, buffer=nl.sbuf)
        nisa.memset(dst=y, value=0.0)
        for s in nl.sequential_range(S):
            bs = nl.broadcast_to(nl.load(B[s:s + 1, :]), shape=(128, L))
            cs = nl.broadcast_to(nl.load(Cm[s:s + 1, :]), shape=(128, L))
            dA = nl.ndarray((128, L), dtype=nl.float32, buffer=nl.sbuf)
            nisa.activation(dst=dA, op=nl.exp, data=dt, scale=at[:, s:s + 1])
            dBu = nl.ndarray((128, L), dtype=nl.float32, buffer=nl.sbuf)
            nisa.tensor_tensor(dst=dBu, data1=du, data2=bs, op=nl.multiply)
            h = nl.ndarray((128, L), dtype=nl.float32, buffer=nl.sbuf)
            nisa.tensor_tensor_scan(dst=h, data0=dA, data1=dBu, initial=0.0, op0=nl.multiply, op1=nl.add)
            nisa.tensor_tensor(dst=h, data1=h, data2=cs, op=nl.multiply)
            nisa.tensor_tensor(dst=y, data1=y, data2=h, op=nl.add)
        nl.store(out[c * 128:(c + 1) * 128, :], y)
    return out
