"""Kernels for the VectorE statistics/selection/accumulator instructions and the gathers
(one small kernel per instruction, 0.3.0 ISA style)."""
import nki
import nki.isa as nisa
import nki.language as nl

OPS = {"add": nl.add, "subtract": nl.subtract, "multiply": nl.multiply, "maximum": nl.maximum, "minimum": nl.minimum,
       "less": nl.less, "less_equal": nl.less_equal, "greater": nl.greater, "greater_equal": nl.greater_equal,
       "equal": nl.equal}
DT = {"float32": nl.float32, "bfloat16": nl.bfloat16, "float8_e4m3": nl.float8_e4m3, "uint32": nl.uint32,
      "uint16": nl.uint16}

from tile_io import load_tile as _load, store_tile as _out  # noqa: E402


@nki.jit
def bn_stats_aggr_k(x, chunks=1):
    P, F = x.shape
    xt = _load(x)
    c = F // chunks
    st = nl.ndarray((P, 6 * chunks), dtype=nl.float32, buffer=nl.sbuf)
    for i in nl.static_range(chunks):
        nisa.bn_stats(dst=st[:, i * 6:(i + 1) * 6], data=xt[:, i * c:(i + 1) * c])
    mv = nl.ndarray((P, 2), dtype=nl.float32, buffer=nl.sbuf)
    nisa.bn_aggr(dst=mv, data=st)
    return _out(st), _out(mv)


@nki.jit
def max8_k(x, out_dtype="float32"):
    xt = _load(x)
    m = nl.ndarray((x.shape[0], 8), dtype=DT[out_dtype], buffer=nl.sbuf)
    nisa.max8(dst=m, src=xt)
    return _out(m)


@nki.jit
def topk_k(x, idx_dtype="uint32"):
    """max8 -> nc_find_index8 and nc_match_replace8 (the top-k loop's first round)."""
    P = x.shape[0]
    xt = _load(x)
    m = nl.ndarray((P, 8), dtype=nl.float32, buffer=nl.sbuf)
    nisa.max8(dst=m, src=xt)
    idx = nl.ndarray((P, 8), dtype=DT[idx_dtype], buffer=nl.sbuf)
    nisa.nc_find_index8(dst=idx, data=xt, vals=m)
    rep = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    idx2 = nl.ndarray((P, 8), dtype=nl.uint32, buffer=nl.sbuf)
    nisa.nc_match_replace8(dst=rep, data=xt, vals=m, imm=-1e9, dst_idx=idx2)
    return _out(m), _out(idx), _out(rep), _out(idx2)


@nki.jit
def find_index8_k(x, v):
    xt, vt = _load(x), _load(v)
    idx = nl.ndarray((x.shape[0], 8), dtype=nl.uint32, buffer=nl.sbuf)
    nisa.nc_find_index8(dst=idx, data=xt, vals=vt)
    return _out(idx)


@nki.jit
def select_reduce_k(pred, t, f, out_dtype="float32", rev=False, scalar_false=False):
    pt, tt = _load(pred), _load(t)
    o = nl.ndarray(t.shape, dtype=DT[out_dtype], buffer=nl.sbuf)
    r = nl.ndarray((t.shape[0], 1), dtype=nl.float32, buffer=nl.sbuf)
    on_false = -5.0 if scalar_false else _load(f)
    nisa.select_reduce(dst=o, predicate=pt, on_true=tt, on_false=on_false, reduce_res=r,
                       reduce_cmd=nisa.reduce_cmd.reset_reduce, reduce_op=nl.maximum, reverse_pred=rev)
    return _out(o), _out(r)


@nki.jit
def range_select_k(x, b0, b1, op0="greater_equal", op1="less", start=0, out_dtype="float32"):
    xt, l0, l1 = _load(x), _load(b0), _load(b1)
    o = nl.ndarray(x.shape, dtype=DT[out_dtype], buffer=nl.sbuf)
    r = nl.ndarray((x.shape[0], 1), dtype=nl.float32, buffer=nl.sbuf)
    nisa.range_select(dst=o, on_true_tile=xt, comp_op0=OPS[op0], comp_op1=OPS[op1], bound0=l0, bound1=l1,
                      reduce_res=r, range_start=start)
    return _out(o), _out(r)


@nki.jit
def tensor_scalar_reduce_k(x, op0="multiply", c=2.0, rop="add", out_dtype="float32"):
    xt = _load(x)
    o = nl.ndarray(x.shape, dtype=DT[out_dtype], buffer=nl.sbuf)
    r = nl.ndarray((x.shape[0], 1), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_scalar_reduce(dst=o, data=xt, op0=OPS[op0], operand0=c, reduce_op=OPS[rop], reduce_res=r)
    return _out(o), _out(r)


@nki.jit
def cumulative_k(x, op0="multiply", c=1.0, op1="add", init=None, split=False, out_dtype="float32"):
    """A running scan; with split=True the free dim is done in two instructions, the second
    continuing the accumulator (reduce_cmd.reduce)."""
    P, F = x.shape
    xt = _load(x)
    o = nl.ndarray(x.shape, dtype=DT[out_dtype], buffer=nl.sbuf)
    if init is not None:
        nisa.tensor_scalar_cumulative(dst=o, src=xt, op0=OPS[op0], op1=OPS[op1], imm0=c, imm1=init,
                                      reduce_cmd=nisa.reduce_cmd.load_reduce)
    elif split:
        h = F // 2
        nisa.tensor_scalar_cumulative(dst=o[:, 0:h], src=xt[:, 0:h], op0=OPS[op0], op1=OPS[op1], imm0=c)
        nisa.tensor_scalar_cumulative(dst=o[:, h:F], src=xt[:, h:F], op0=OPS[op0], op1=OPS[op1], imm0=c,
                                      reduce_cmd=nisa.reduce_cmd.reduce)
    else:
        nisa.tensor_scalar_cumulative(dst=o, src=xt, op0=OPS[op0], op1=OPS[op1], imm0=c)
    return _out(o)


@nki.jit
def shuffle_k(x, mask):
    xt = _load(x)
    o = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.memset(dst=o, value=0.0)
    nisa.nc_stream_shuffle(dst=o, src=xt, shuffle_mask=mask)
    return _out(o)


@nki.jit
def local_gather_k(src, idx, e=1, nv=None):
    st, it = _load(src), _load(idx)
    n = 16 * idx.shape[1] if nv is None else nv
    o = nl.ndarray((src.shape[0], n * e), dtype=src.dtype, buffer=nl.sbuf)
    nisa.local_gather(dst=o, src_buffer=st, index=it, num_elem_per_idx=e, num_valid_indices=nv)
    return _out(o)


@nki.jit
def n_gather_k(data, idx):
    dt, it = _load(data), _load(idx)
    o = nl.ndarray(idx.shape, dtype=data.dtype, buffer=nl.sbuf)
    nisa.nc_n_gather(dst=o, data=dt, indices=it)
    return _out(o)


# ---- nl.* convenience functions

@nki.jit
def nl_unary_k(x, fn="cos"):
    xt = nl.load(x)
    f = {"cos": nl.cos, "tan": nl.tan, "ceil": nl.ceil, "floor": nl.floor, "trunc": nl.trunc}[fn]
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    nl.store(out, f(xt))
    return out


@nki.jit
def nl_var_k(x):
    out = nl.ndarray((x.shape[0], 1), dtype=nl.float32, buffer=nl.shared_hbm)
    nl.store(out, nl.var(nl.load(x), axis=1))
    return out


@nki.jit
def nl_where_k(c, x, y, scalar_y=False):
    ct, xt = nl.load(c), nl.load(x)
    yv = 7.0 if scalar_y else nl.load(y)
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    nl.store(out, nl.where(ct, xt, yv))
    return out


@nki.jit
def nl_broadcast_k(x, P=64):
    xt = nl.load(x)
    out = nl.ndarray((P, x.shape[1]), dtype=x.dtype, buffer=nl.shared_hbm)
    nl.store(out, nl.broadcast_to(xt, shape=(P, x.shape[1])))
    return out


@nki.jit
def nl_broadcast_free_k(x, F=16):
    xt = nl.load(x)
    out = nl.ndarray((x.shape[0], F), dtype=x.dtype, buffer=nl.shared_hbm)
    nl.store(out, nl.broadcast_to(xt, shape=(x.shape[0], F)))
    return out


@nki.jit
def nl_expand_dims_k(x):
    xt = nl.load(x)
    e = nl.expand_dims(xt, 1)
    out = nl.ndarray((x.shape[0], 1, x.shape[1]), dtype=x.dtype, buffer=nl.shared_hbm)
    nl.store(out, nl.copy(e))
    return out


@nki.jit
def nl_rms_norm_k(x, w):
    xt, wt = nl.load(x), nl.load(w)
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    nl.store(out, nl.rms_norm(xt, wt, axis=1, n=x.shape[1], epsilon=1e-6))
    return out


@nki.jit
def nl_load_transpose2d_k(x):
    t = nl.load_transpose2d(x)
    out = nl.ndarray((x.shape[1], x.shape[0]), dtype=x.dtype, buffer=nl.shared_hbm)
    nl.store(out, t)
    return out


@nki.jit
def nl_gather_flattened_k(data, idx):
    out = nl.ndarray(idx.shape, dtype=data.dtype, buffer=nl.shared_hbm)
    nl.store(out, nl.gather_flattened(nl.load(data), nl.load(idx)))
    return out
