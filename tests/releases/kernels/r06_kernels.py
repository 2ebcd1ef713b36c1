"""Our own kernels for the APIs NKI 0.6.0 added: nl.fori_loop / nl.while_loop (structured hardware
loops) and nisa.topk (GpSimd top-k over 16-partition snakes). Plain functions: the tests wrap them in
nki.jit per release, so each release gets its own compile."""
import nki.collectives as ncc
import nki.isa as nisa
import nki.language as nl


def _load(x):
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    return t


def _out(t):
    res = nl.ndarray(t.shape, dtype=t.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=res, src=t)
    return res


def fori_add(x, lower, upper, step):
    """acc = x * len(range(lower, upper, step)): the body (a closure over acc) runs once per iteration."""
    xt = _load(x)
    acc = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.memset(acc, 0.0)

    def body(i):
        nisa.tensor_tensor(dst=acc, data1=acc, data2=xt, op=nl.add)

    nl.fori_loop(lower, upper, body, step=step)
    return _out(acc)


def fori_register_bound(x, n):
    """The trip count comes from device memory (a register bound): acc = x * n[0, 0]."""
    xt = _load(x)
    nt = _load(n)
    r = nisa.register_alloc()
    nisa.register_load(r, nt)
    acc = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.memset(acc, 0.0)

    def body(i):
        nisa.tensor_tensor(dst=acc, data1=acc, data2=xt, op=nl.add)

    nl.fori_loop(0, r, body)
    return _out(acc)


def fori_tiles(a):
    """a: (T, P, F). out[t] = a[t] * 2, the induction register as the DMA scalar_offset of tile t."""
    T, P, F = a.shape
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)

    def body(t):
        tile = nl.ndarray((P, F), dtype=a.dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=tile, src=a.ap(pattern=[[F, P], [1, F]], offset=0, scalar_offset=t, indirect_dim=0))
        nisa.tensor_scalar(dst=tile, data=tile, op0=nl.multiply, operand0=2.0)
        nisa.dma_copy(dst=out.ap(pattern=[[F, P], [1, F]], offset=0, scalar_offset=t, indirect_dim=0), src=tile)

    nl.fori_loop(0, T, body)
    return out


def while_countdown(x, count):
    """nl.while_loop on a counter tile decremented in the body: acc = x * count[0, 0]."""
    xt = _load(x)
    c = _load(count)
    r = nisa.register_alloc()
    nisa.register_load(r, c)
    acc = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.memset(acc, 0.0)

    def body(cond):
        nisa.tensor_tensor(dst=acc, data1=acc, data2=xt, op=nl.add)
        nisa.tensor_scalar(dst=c, data=c, op0=nl.subtract, operand0=1)
        nisa.register_load(cond, c)
        return cond

    nl.while_loop(r, body)
    return _out(acc)


def while_other_register(x, count):
    """The body returns a register other than the one it got (the loop copies it into its condition)."""
    xt = _load(x)
    c = _load(count)
    r = nisa.register_alloc()
    nisa.register_load(r, c)
    nxt = nisa.register_alloc(0)
    acc = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.memset(acc, 0.0)

    def body(cond):
        nisa.tensor_tensor(dst=acc, data1=acc, data2=xt, op=nl.add)
        nisa.tensor_scalar(dst=c, data=c, op0=nl.subtract, operand0=1)
        nisa.register_load(nxt, c)
        return nxt

    nl.while_loop(r, body)
    return _out(acc)


def topk(x, n, k, sorted_=None):
    """x: (P, X) bf16 snakes; returns (values (P, k) bf16, indices (P, k) uint32) of nisa.topk."""
    P, X = x.shape
    xt = _load(x)
    vals = nl.ndarray((P, k), dtype=nl.bfloat16, buffer=nl.sbuf)
    idx = nl.ndarray((P, k), dtype=nl.uint32, buffer=nl.sbuf)
    nisa.memset(vals, 0.0)
    nisa.memset(idx, 0)
    if sorted_ is None:
        nisa.topk(vals, idx, xt, n)
    else:
        nisa.topk(val_dst=vals, idx_dst=idx, src=xt, n=n, sorted=sorted_)
    return _out(vals), _out(idx)


# ---- Errors (each at a line the tests look for) ----
def fori_step_zero(x):
    xt = _load(x)

    def body(i):
        nisa.tensor_tensor(dst=xt, data1=xt, data2=xt, op=nl.add)

    nl.fori_loop(0, 4, body, step=0)  # ERROR-LINE fori_step_zero
    return _out(xt)


def fori_body_returns(x):
    xt = _load(x)

    def body(i):
        return xt

    nl.fori_loop(0, 4, body)  # ERROR-LINE fori_body_returns
    return _out(xt)


def fori_writes_iv(x):
    xt = _load(x)

    def body(i):
        nisa.register_move(i, 3)  # ERROR-LINE fori_writes_iv

    nl.fori_loop(0, 4, body)
    return _out(xt)


def fori_in_no_reorder(x):
    xt = _load(x)

    def body(i):
        nisa.tensor_tensor(dst=xt, data1=xt, data2=xt, op=nl.add)

    with nl.no_reorder():
        nl.fori_loop(0, 4, body)  # ERROR-LINE fori_in_no_reorder
    return _out(xt)


def while_int_init(x):
    xt = _load(x)

    def body(r):
        return r

    nl.while_loop(3, body)  # ERROR-LINE while_int_init
    return _out(xt)


def while_body_returns_none(x):
    xt = _load(x)
    r = nisa.register_alloc(0)

    def body(cond):
        nisa.tensor_tensor(dst=xt, data1=xt, data2=xt, op=nl.add)

    nl.while_loop(r, body)  # ERROR-LINE while_body_returns_none
    return _out(xt)


def topk_bad_n(x):
    P, X = x.shape
    xt = _load(x)
    vals = nl.ndarray((P, 4), dtype=nl.bfloat16, buffer=nl.sbuf)
    idx = nl.ndarray((P, 4), dtype=nl.uint32, buffer=nl.sbuf)
    nisa.topk(vals, idx, xt, 4)  # ERROR-LINE topk_bad_n
    return _out(vals)


def topk_bad_partitions(x):
    P, X = x.shape
    xt = _load(x)
    vals = nl.ndarray((P, 4), dtype=nl.bfloat16, buffer=nl.sbuf)
    idx = nl.ndarray((P, 4), dtype=nl.uint32, buffer=nl.sbuf)
    nisa.topk(vals, idx, xt, 16 * X)  # ERROR-LINE topk_bad_partitions
    return _out(vals)


# ---- nki.collectives.all_gather_v (run on several ranks with nkic.simulate_ranks) ----
def all_gather_v(x, meta, out_len, n, known, rdispls):
    """Every rank's chunk x[displ:displ + count] into one slot per rank (or at rdispls) of a flat dst,
    whose untouched elements stay -1."""
    out = nl.ndarray((out_len,), dtype=x.dtype, buffer=nl.shared_hbm)
    fill = nl.ndarray((1, out_len), dtype=x.dtype, buffer=nl.sbuf)
    nisa.memset(dst=fill, value=-1.0)
    nisa.dma_copy(dst=out.reshape((1, out_len)), src=fill)
    group = ncc.ReplicaGroup([list(range(n))])
    ncc.all_gather_v(srcs=[x], dsts=[out], replica_group=group, metadata_tensor=meta, recv_counts_known=known,
                     has_rdispls=rdispls)
    return out
