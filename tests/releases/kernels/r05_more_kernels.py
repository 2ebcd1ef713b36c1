"""Our kernels for the remaining NKI 0.5.0 changes (tests/releases/test_r05_more.py): quantize_mx's 2x
block scale, vector_select, runtime select, the on-chip indexing rule, nl.rsqrt on GpSimd.
`# ERROR-LINE name` marks the line an error must point at."""
import nki.isa as nisa
import nki.language as nl


def _load(x):
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    return t


def _store(t):
    out = nl.ndarray(t.shape, dtype=t.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=t)
    return out


def quantize(x, out_dtype):
    """quantize_mx of a (P, F) bf16 tile: the packed data (uint32 view) and the scale tile (uint8)."""
    P, F = x.shape
    xt = _load(x)
    q = nl.ndarray((P, F // 4), dtype=getattr(nl, out_dtype), buffer=nl.sbuf)
    s = nl.ndarray((P // 8 if P <= 32 else P, F // 4), dtype=nl.uint8, buffer=nl.sbuf)
    nisa.memset(dst=s, value=0)
    nisa.quantize_mx(dst=q, src=xt, dst_scale=s)
    return _store(q.view(nl.uint32)), _store(s)


def gather_rows(table, idx):
    """out[p, :] = table[idx[p], :] through table.vector_select(0, idx)."""
    it = _load(idx)
    v = table.vector_select(0, it)  # ERROR-LINE vsel
    rows = nl.ndarray(v.shape, dtype=table.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=rows, src=v)
    return _store(rows)


def scatter_rows(base, idx, vals):
    """out = base with out[idx[p], :] = vals[p, :] (vector_select on the dst)."""
    out = nl.ndarray(base.shape, dtype=base.dtype, buffer=nl.shared_hbm)
    bt = _load(base)
    nisa.dma_copy(dst=out, src=bt)
    it, vt = _load(idx), _load(vals)
    nisa.dma_copy(dst=out.vector_select(0, it), src=vt)
    return out


def runtime_select_hbm(x, i):
    """x (A, B, C) in HBM, i a (1, 1) int32: x[:, i, :] selected at run time."""
    it = _load(i)
    v = x.select(1, it)  # ERROR-LINE rsel
    t = nl.ndarray(v.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=v)
    return _store(t)


def runtime_select_sbuf(x, i):
    """x (P, A, C) copied to SBUF, then row i (runtime) of its dim 1 copied out by DMA."""
    t = _load(x)
    it = _load(i)
    v = t.select(1, it)
    out = nl.ndarray(v.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=v)
    return out


def runtime_select_partition(x, i):
    t = _load(x)
    it = _load(i)
    v = t.select(0, it)  # ERROR-LINE rsel_p
    out = nl.ndarray(v.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=v)
    return out


def int_index_free_dim(x):
    """t[:, 3] of a (P, F) SBUF tile: (P, 1) from NKI 0.5.0, (P,) before; the output takes its shape.
    Also t[:, 1, :] of a (P, A, C) view stays (P, C) in every release."""
    t = _load(x)
    v = t[:, 3]
    out = nl.ndarray(v.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=v)
    return out


def int_index_two_free_dims(x):
    """t[:, 1, 2] of a (P, A, C) tile: (P, 1) from NKI 0.5.0 (the last indexed dim kept), (P,) before."""
    t = _load(x)
    v = t[:, 1, 2]
    out = nl.ndarray(v.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=v)
    return out


def hbm_int_index(x):
    """x[:, 3] of an HBM (P, F): drops the dim in every release -> (P,)."""
    v = x[:, 3]
    out = nl.ndarray(v.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=v)
    return out


def rsqrt(x):
    return _store(nl.rsqrt(_load(x)))


def rsqrt_psum(x):
    t = _load(x)
    p = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.psum)
    nisa.tensor_copy(dst=p, src=t)
    return _store(nl.rsqrt(p))  # ERROR-LINE rsqrt_psum
