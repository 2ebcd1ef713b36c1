"""Kernels for the late 0.3.0 instructions: exponential, sequence_bounds, nonzero_with_count, the random
family (rng, rand2, dropout, set_rng_seed, rand_set_state, rand_get_state, nl.rand/random_seed/dropout)
and the MX pair (quantize_mx, nc_matmul_mx). One small kernel per use, 0.3.0 ISA style."""
import nki
import nki.isa as nisa
import nki.language as nl

DT = {"float32": nl.float32, "bfloat16": nl.bfloat16, "float16": nl.float16, "int32": nl.int32, "uint32": nl.uint32,
      "int8": nl.int8, "uint8": nl.uint8, "int16": nl.int16, "uint16": nl.uint16,
      "float8_e4m3fn_x4": nl.float8_e4m3fn_x4, "float8_e5m2_x4": nl.float8_e5m2_x4,
      "float4_e2m1fn_x4": nl.float4_e2m1fn_x4}
CMD = {"idle": nisa.reduce_cmd.idle, "reduce": nisa.reduce_cmd.reduce, "reset_reduce": nisa.reduce_cmd.reset_reduce,
       "load_reduce": nisa.reduce_cmd.load_reduce}
ENG = {"unknown": nisa.engine.unknown, "vector": nisa.engine.vector, "gpsimd": nisa.engine.gpsimd}

from tile_io import load_tile as _load, store_tile as _out  # noqa: E402


# ---- exponential / sequence_bounds / nonzero_with_count

@nki.jit
def exponential_k(x, m=None, scalar_max=0.0, out_dtype="float32", split=1, init=0.0):
    """exp(x - max) with a running sum; `split` instructions over the free dim (reduce after the first);
    init != 0 starts the first with load_reduce."""
    P, F = x.shape
    xt = _load(x)
    mx = _load(m) if m is not None else scalar_max
    o = nl.ndarray((P, F), dtype=DT[out_dtype], buffer=nl.sbuf)
    r = nl.ndarray((P, 1), dtype=nl.float32, buffer=nl.sbuf)
    c = F // split
    for i in nl.static_range(split):
        cmd = CMD["reduce"] if i > 0 else (CMD["load_reduce"] if init != 0.0 else CMD["reset_reduce"])
        nisa.exponential(dst=o[:, i * c:(i + 1) * c], src=xt[:, i * c:(i + 1) * c], max_value=mx, reduce_res=r,
                         reduce_cmd=cmd, reduce_init=init if i == 0 else 0.0)
    return _out(o), _out(r)


@nki.jit
def sequence_bounds_k(ids, out_dtype=None):
    t = _load(ids)
    o = nl.ndarray((1, 2, ids.shape[1]), dtype=DT[out_dtype] if out_dtype else ids.dtype, buffer=nl.sbuf)
    nisa.sequence_bounds(dst=o, segment_ids=t)
    return _out(o)


@nki.jit
def nonzero_k(x, offset=0, pad=-1):
    t = _load(x)
    o = nl.ndarray((x.shape[0], x.shape[1] + 1), dtype=nl.int32, buffer=nl.sbuf)
    nisa.memset(dst=o, value=-7)
    nisa.nonzero_with_count(dst=o, src=t, index_offset=offset, padding_val=pad)
    return _out(o)


# ---- random numbers

@nki.jit
def rng_k(shape, dtype="uint32", engine="unknown", seed=None, repeat=1):
    """`repeat` rng instructions into the columns of one tile (the stream continues); optional seed."""
    P, F = shape
    if seed is not None:
        st = _load(seed)
        nisa.set_rng_seed(src_seeds=st)
    o = nl.ndarray((P, F * repeat), dtype=DT[dtype], buffer=nl.sbuf)
    for i in nl.static_range(repeat):
        nisa.rng(dst=o[:, i * F:(i + 1) * F], engine=ENG[engine])
    return _out(o)


@nki.jit
def state_roundtrip_k(state, n, engine="gpsimd", dtype="uint32"):
    """rand_set_state, then rng of n elements per partition, then rand_get_state."""
    P, W = state.shape
    st = _load(state)
    nisa.rand_set_state(src_seeds=st, engine=ENG[engine])
    g0 = nl.ndarray((P, W), dtype=nl.uint32, buffer=nl.sbuf)
    nisa.rand_get_state(dst=g0, engine=ENG[engine])
    o = nl.ndarray((P, n), dtype=DT[dtype], buffer=nl.sbuf)
    nisa.rng(dst=o, engine=nisa.engine.gpsimd if engine == "gpsimd" else nisa.engine.vector)
    g1 = nl.ndarray((P, W), dtype=nl.uint32, buffer=nl.sbuf)
    nisa.rand_get_state(dst=g1, engine=ENG[engine])
    return _out(g0), _out(o), _out(g1)


@nki.jit
def rand2_k(shape, lo=0.0, hi=1.0, lo_t=None, hi_t=None, out_dtype="float32"):
    o = nl.ndarray(shape, dtype=DT[out_dtype], buffer=nl.sbuf)
    nisa.rand2(dst=o, min=_load(lo_t) if lo_t is not None else lo, max=_load(hi_t) if hi_t is not None else hi)
    return _out(o)


@nki.jit
def dropout_k(x, prob=0.5, prob_t=None):
    xt = _load(x)
    o = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dropout(dst=o, data=xt, prob=_load(prob_t) if prob_t is not None else prob)
    return _out(o)


@nki.jit
def nl_rand_k(shape, dtype="float32", seed=None, twice=False):
    if seed is not None:
        nl.random_seed(_load(seed))
    a = nl.rand(shape, dtype=DT[dtype])
    if twice:
        nl.random_seed(_load(seed))
        b = nl.rand(shape, dtype=DT[dtype])
        return _out(a), _out(b)
    return _out(a)


@nki.jit
def nl_dropout_k(x, rate, out_dtype=None):
    y = nl.dropout(_load(x), rate, dtype=DT[out_dtype] if out_dtype else None)
    return _out(y)


# ---- MX

@nki.jit
def quantize_mx_k(x, out_dtype="float8_e4m3fn_x4", scale_parts=None):
    P, F = x.shape
    xt = _load(x)
    q = nl.ndarray((P, F // 4), dtype=DT[out_dtype], buffer=nl.sbuf)
    sp = scale_parts if scale_parts is not None else (P // 8 if P <= 32 else P)
    s = nl.ndarray((sp, F // 4), dtype=nl.uint8, buffer=nl.sbuf)
    nisa.memset(dst=s, value=0)
    nisa.quantize_mx(dst=q, src=xt, dst_scale=s)
    return _out(q.view(nl.uint32)), _out(s)


@nki.jit
def matmul_mx_k(st, mv, ss, ms, st_dtype="float8_e4m3fn_x4", mv_dtype="float8_e4m3fn_x4", out_dtype="float32",
                twice=False):
    """st/mv: host uint32 (fp8 x4) or uint16 (fp4 x4) arrays; ss/ms: uint8 scale tiles (hardware layout)."""
    stt = _load(st).view(DT[st_dtype])
    mvt = _load(mv).view(DT[mv_dtype])
    sst, mst = _load(ss), _load(ms)
    o = nl.ndarray((st.shape[1], mv.shape[1]), dtype=DT[out_dtype], buffer=nl.psum)
    nisa.nc_matmul_mx(dst=o, stationary=stt, moving=mvt, stationary_scale=sst, moving_scale=mst)
    if twice:
        nisa.nc_matmul_mx(dst=o, stationary=stt, moving=mvt, stationary_scale=sst, moving_scale=mst, accumulate=True)
    r = nl.ndarray(o.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=r, src=o)
    return _out(r)


@nki.jit
def quantize_then_matmul_k(a, b):
    """a: (K, M*4)... quantize both operands (K partitions, values along the free dim) and multiply."""
    K, M4 = a.shape
    N4 = b.shape[1]
    at, bt = _load(a), _load(b)
    qa = nl.ndarray((K, M4 // 4), dtype=nl.float8_e4m3fn_x4, buffer=nl.sbuf)
    qb = nl.ndarray((K, N4 // 4), dtype=nl.float8_e4m3fn_x4, buffer=nl.sbuf)
    sa = nl.ndarray((K if K > 32 else K // 8, M4 // 4), dtype=nl.uint8, buffer=nl.sbuf)
    sb = nl.ndarray((K if K > 32 else K // 8, N4 // 4), dtype=nl.uint8, buffer=nl.sbuf)
    nisa.quantize_mx(dst=qa, src=at, dst_scale=sa)
    nisa.quantize_mx(dst=qb, src=bt, dst_scale=sb)
    o = nl.ndarray((M4 // 4, N4 // 4), dtype=nl.float32, buffer=nl.psum)
    nisa.nc_matmul_mx(dst=o, stationary=qa, moving=qb, stationary_scale=sa, moving_scale=sb)
    r = nl.ndarray(o.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=r, src=o)
    return _out(r)


# ---- LNC2

@nki.jit
def core_barrier_k(x):
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    t = _load(x)
    nisa.dma_copy(dst=out, src=t)
    nisa.core_barrier(data=out, cores=(0, 1))
    return out
