"""Kernels with run-time control and addressing: VirtualRegisters, nl.dynamic_range and `while reg:`
hardware loops, and DMA operands with `.ap(scalar_offset=...)` / `.ap(vector_offset=...)`."""
import nki
import nki.isa as nisa
import nki.language as nl

from tile_io import load_tile as _load, store_tile as _out  # noqa: E402


@nki.jit
def register_roundtrip_k(x, imm):
    """out[0] = imm (register_move of an int), out[1] = x[0, 0] (register_load), via register_store."""
    r = nisa.register_alloc()
    nisa.register_move(r, imm)
    s = nisa.register_alloc(0)
    nisa.register_move(dst=s, src=r)
    a = nl.ndarray((1, 1), dtype=nl.int32, buffer=nl.sbuf)
    nisa.register_store(a, s)
    xt = _load(x)
    t = nisa.register_alloc()
    nisa.register_load(t, xt)
    b = nl.ndarray((1, 1), dtype=nl.int32, buffer=nl.sbuf)
    nisa.register_store(dst=b, src=t)
    out = nl.ndarray((2, 1), dtype=nl.int32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out[0:1, :], src=a)
    nisa.dma_copy(dst=out[1:2, :], src=b)
    return out


@nki.jit
def repeat_add_k(x, start, stop, step):
    """acc = x * (number of iterations of dynamic_range(start, stop, step)), the body traced once."""
    xt = _load(x)
    acc = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.memset(acc, 0.0)
    for _ in nl.dynamic_range(start, stop, step):
        nisa.tensor_tensor(dst=acc, data1=acc, data2=xt, op=nl.add)
    return _out(acc)


@nki.jit
def register_bound_k(x, n):
    """The trip count comes from device memory: acc = x * n[0, 0], nested in a static loop twice."""
    xt = _load(x)
    nt = _load(n)
    r = nisa.register_alloc()
    nisa.register_load(r, nt)
    acc = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.memset(acc, 0.0)
    for _ in range(2):
        for _ in nl.dynamic_range(r):
            tmp = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)  # allocated once, reused
            nisa.tensor_scalar(dst=tmp, data=xt, op0=nl.multiply, operand0=0.5)
            nisa.tensor_tensor(dst=acc, data1=acc, data2=tmp, op=nl.add)
    return _out(acc)


@nki.jit
def countdown_k(x, count):
    """`while reg:` decrementing a counter tensor in the body: acc = x * count."""
    xt = _load(x)
    c = _load(count)
    r = nisa.register_alloc()
    nisa.register_load(r, c)
    acc = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.memset(acc, 0.0)
    while r:
        nisa.tensor_tensor(dst=acc, data1=acc, data2=xt, op=nl.add)
        nisa.tensor_scalar(dst=c, data=c, op0=nl.subtract, operand0=1)
        nisa.register_load(r, c)
    return _out(acc)


@nki.jit
def tiles_by_register_k(a):
    """a: (T, 128, F). out[t] = a[t] * 2 for every tile, one dynamic loop; the induction variable is the
    DMA scalar_offset of the tile (multiplier 128 * F from the base shape, indirect_dim=0)."""
    T, P, F = a.shape
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    for t in nl.dynamic_range(T):
        tile = nl.ndarray((P, F), dtype=a.dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=tile, src=a.ap(pattern=[[F, P], [1, F]], offset=0, scalar_offset=t, indirect_dim=0))
        nisa.tensor_scalar(dst=tile, data=tile, op0=nl.multiply, operand0=2.0)
        nisa.dma_copy(dst=out.ap(pattern=[[F, P], [1, F]], offset=0, scalar_offset=t, indirect_dim=0), src=tile)
    return out


@nki.jit
def row_by_tensor_k(a, row):
    """out = a[row[0, 0], :] with the row index in an SBUF tensor (scalar_offset, indirect_dim=0)."""
    R, F = a.shape
    rt = _load(row)
    out = nl.ndarray((1, F), dtype=a.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=a.ap(pattern=[[F, 1], [1, F]], offset=0, scalar_offset=rt, indirect_dim=0))
    return out


@nki.jit
def gather_k(table, idx, skip=False):
    """out[p, :] = table[idx[p], :] (vector_offset gather); with skip, out-of-range rows keep -1."""
    V, D = table.shape
    P = idx.shape[0]
    it = _load(idx)
    rows = nl.ndarray((P, D), dtype=table.dtype, buffer=nl.sbuf)
    nisa.memset(rows, -1)
    src = table.ap(pattern=[[D, P], [1, D]], offset=0, vector_offset=it, indirect_dim=0)
    nisa.dma_copy(dst=rows, src=src, oob_mode=nisa.oob_mode.skip if skip else nisa.oob_mode.error)
    return _out(rows)


@nki.jit
def scatter_k(base, idx, vals):
    """out = base; out[idx[p], :] = vals[p, :] (vector_offset scatter on the dst)."""
    V, D = base.shape
    P = idx.shape[0]
    out = nl.ndarray(base.shape, dtype=base.dtype, buffer=nl.shared_hbm)
    bt = nl.ndarray((V, D), dtype=base.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=bt, src=base)
    nisa.dma_copy(dst=out, src=bt)
    it = _load(idx)
    vt = _load(vals)
    nisa.dma_copy(dst=out.ap(pattern=[[D, P], [1, D]], offset=0, vector_offset=it, indirect_dim=0), src=vt)
    return out


@nki.jit
def scatter_add_k(base, idx, vals):
    """out = base; out[idx[p], :] += vals[p, :] row by row (dma_compute read-modify-write)."""
    V, D = base.shape
    P = idx.shape[0]
    out = nl.ndarray(base.shape, dtype=base.dtype, buffer=nl.shared_hbm)
    bt = nl.ndarray((V, D), dtype=base.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=bt, src=base)
    nisa.dma_copy(dst=out, src=bt)
    it = _load(idx)
    vt = _load(vals)
    view = out.ap(pattern=[[D, P], [1, D]], offset=0, vector_offset=it, indirect_dim=0)
    nisa.dma_compute(dst=view, srcs=[view, vt], reduce_op=nl.add)
    return out


@nki.jit
def gather_add_k(table, idx, acc):
    """out = acc + table[idx] (dma_compute gather-add into SBUF)."""
    V, D = table.shape
    P = idx.shape[0]
    it = _load(idx)
    at = _load(acc)
    src = table.ap(pattern=[[D, P], [1, D]], offset=0, vector_offset=it, indirect_dim=0)
    nisa.dma_compute(dst=at, srcs=[at, src], reduce_op=nl.add)
    return _out(at)


@nki.jit
def matmul_accumulate_k(a_t, b):
    """out = sum over k of a_t[k].T @ b[k]: one nc_matmul in a dynamic loop accumulating into a PSUM
    tile declared before the loop (first write overwrites, the next ones accumulate)."""
    KT, K, M = a_t.shape
    N = b.shape[2]
    acc = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.psum)
    for k in nl.dynamic_range(KT):
        at = nl.ndarray((K, M), dtype=a_t.dtype, buffer=nl.sbuf)
        bt = nl.ndarray((K, N), dtype=b.dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=at, src=a_t.ap(pattern=[[M, K], [1, M]], offset=0, scalar_offset=k))
        nisa.dma_copy(dst=bt, src=b.ap(pattern=[[N, K], [1, N]], offset=0, scalar_offset=k))
        nisa.nc_matmul(acc, at, bt)
    res = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=res, src=acc)
    return _out(res)


@nki.jit
def live_across_iterations_k(x, n):
    """xt is last read early in the body: it must stay allocated for the next iterations, so the
    body-local tiles allocated after that read cannot take its place."""
    xt = _load(x)
    acc = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.memset(acc, 0.0)
    for _ in nl.dynamic_range(n):
        t1 = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
        nisa.tensor_scalar(dst=t1, data=xt, op0=nl.multiply, operand0=2.0)
        t2 = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
        nisa.memset(t2, 7.0)
        t3 = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
        nisa.tensor_tensor(dst=t3, data1=t1, data2=t2, op=nl.multiply)
        nisa.tensor_tensor(dst=acc, data1=acc, data2=t3, op=nl.add)
    return _out(acc)


@nki.jit
def triangle_k(x, n):
    """Nested hardware loops, the inner bound being the outer induction variable: x * n(n-1)/2."""
    xt = _load(x)
    acc = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.memset(acc, 0.0)
    for i in nl.dynamic_range(n):
        for _ in nl.dynamic_range(i):
            nisa.tensor_tensor(dst=acc, data1=acc, data2=xt, op=nl.add)
    return _out(acc)


@nki.jit
def gather_transpose_k(table, idx, rows):
    """dst[F, rows] = table[idx.T.flatten()[:rows], :].T (dma_transpose with a vector_offset src)."""
    V, F = table.shape
    it = _load(idx)
    dst = nl.ndarray((F, rows), dtype=table.dtype, buffer=nl.sbuf)
    src = table.ap(pattern=[[F, rows], [1, F]], offset=0, vector_offset=it, indirect_dim=0)
    nisa.dma_transpose(dst=dst, src=src)
    return _out(dst)
