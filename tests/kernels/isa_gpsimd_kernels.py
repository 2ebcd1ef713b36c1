"""GpSimdE kernels (iota, affine_select, tensor_partition_reduce) and data movement (nc_transpose,
dma_transpose, dma_compute)."""
import nki
import nki.isa as nisa
import nki.language as nl

DT = {"float32": nl.float32, "int32": nl.int32, "bfloat16": nl.bfloat16}
OPS = {"add": nl.add, "maximum": nl.maximum, "bitwise_or": nl.bitwise_or, "greater_equal": nl.greater_equal,
       "equal": nl.equal}

from tile_io import load_tile as _load, store_tile as _out  # noqa: E402


@nki.jit
def iota_k(shape, pattern, offset, mult, dtype="int32"):
    o = nl.ndarray(shape, dtype=DT[dtype], buffer=nl.sbuf)
    nisa.iota(o, pattern, offset=offset, channel_multiplier=mult)
    return _out(o)


@nki.jit
def causal_mask_k(x):
    """Keeps x[p, f] where p - f >= 0, else -inf-ish (a causal mask)."""
    P, F = x.shape
    xt = _load(x)
    o = nl.ndarray((P, F), dtype=x.dtype, buffer=nl.sbuf)
    nisa.affine_select(dst=o, pattern=[[-1, F]], channel_multiplier=1, on_true_tile=xt, on_false_value=-9984.0,
                       cmp_op=nl.greater_equal)
    return _out(o)


@nki.jit
def partition_reduce_k(x, op="add"):
    xt = _load(x)
    o = nl.ndarray((1,) + tuple(x.shape[1:]), dtype=x.dtype, buffer=nl.sbuf)
    nisa.tensor_partition_reduce(dst=o, op=OPS[op], data=xt)
    return _out(o)


@nki.jit
def nc_transpose_k(x, vector=False):
    P, F = x.shape
    xt = _load(x)
    if vector:
        o = nl.ndarray((F, P), dtype=x.dtype, buffer=nl.sbuf)
        nisa.nc_transpose(dst=o, data=xt, engine=nisa.engine.vector)
        return _out(o)
    p = nl.ndarray((F, P), dtype=x.dtype, buffer=nl.psum)
    nisa.nc_transpose(dst=p, data=xt)
    o = nl.ndarray((F, P), dtype=x.dtype, buffer=nl.sbuf)
    nisa.tensor_copy(dst=o, src=p)
    return _out(o)


@nki.jit
def dma_transpose_k(x):
    if len(x.shape) == 2:
        o = nl.ndarray((x.shape[1], x.shape[0]), dtype=x.dtype, buffer=nl.sbuf)
    else:
        o = nl.ndarray((x.shape[2], x.shape[1], x.shape[0]), dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_transpose(dst=o, src=x)
    return _out(o)


@nki.jit
def dma_compute_k(a, b, c):
    res = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    bt = _load(b)
    nisa.dma_compute(dst=res, srcs=[a, bt, c], reduce_op=nl.add)
    return res


@nki.jit
def bad_iota_psum(x):
    o = nl.ndarray((4, 8), dtype=nl.int32, buffer=nl.psum)
    nisa.iota(o, [[1, 8]])
    return x


@nki.jit
def bad_transpose_shape(x):
    xt = _load(x)
    p = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.psum)
    nisa.nc_transpose(dst=p, data=xt)
    return x
