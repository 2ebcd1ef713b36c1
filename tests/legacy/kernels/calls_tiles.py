"""Beta 1 calls that return tiles (nl.* and nisa.*), operators on tiles, `t[...] = call(...)` and PSUM
accumulation with `acc += nisa.nc_matmul(...)`: small kernels checked against NumPy in
tests/legacy/test_legacy_calls.py."""
from neuronxcc import nki
import neuronxcc.nki.isa as nisa
import neuronxcc.nki.language as nl


@nki.jit
def operators(a, b):
    """(a + b) * a - b / 2, then << / & on ints are elsewhere; -x and a comparison as float."""
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    cmp = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    x = nl.load(a)
    y = nl.load(b)
    r = (x + y) * x - y / 2.0
    r += 1.0
    nl.store(out, value=-r)
    nl.store(cmp, value=nl.greater(x, y, dtype=nl.float32))
    return out, cmp


@nki.jit
def int_operators(a, b):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    x = nl.load(a)
    y = nl.load(b)
    nl.store(out, value=((x << 2) & y) | (x >> 1) ^ ~y)
    return out


@nki.jit
def broadcast_add(a, col, row):
    """[P, F] + [P, 1] + [1, F] through nl.add (NumPy broadcasting)."""
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    x = nl.load(a)
    c = nl.load(col)
    r = nl.load(row)
    nl.store(out, value=nl.add(nl.add(x, c), r))
    return out


@nki.jit
def exp_activation(a, bias):
    """nl.exp and nisa.activation(exp, scale, bias tile) into a preallocated tile: t[...] = call(...)."""
    o1 = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    o2 = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    x = nl.load(a)
    b = nl.load(bias)
    e = nl.ndarray(a.shape, dtype=nl.float32, buffer=nl.sbuf)
    e[...] = nl.exp(x)
    nl.store(o1, value=e)
    nl.store(o2, value=nisa.activation(op=nl.exp, data=x, bias=b, scale=0.5))
    return o1, o2


@nki.jit
def reductions(a):
    """nl.sum(axis=[1], keepdims), nl.max(axis=1), nl.mean, nisa.tensor_reduce."""
    P = a.shape[0]
    s = nl.ndarray((P, 1), dtype=a.dtype, buffer=nl.shared_hbm)
    m = nl.ndarray((P, 1), dtype=a.dtype, buffer=nl.shared_hbm)
    mu = nl.ndarray((P, 1), dtype=a.dtype, buffer=nl.shared_hbm)
    mn = nl.ndarray((P, 1), dtype=a.dtype, buffer=nl.shared_hbm)
    x = nl.load(a)
    nl.store(s, value=nl.sum(x, axis=[1], keepdims=True))
    nl.store(m, value=nl.max(x, axis=1))
    nl.store(mu, value=nl.mean(x, axis=[1]))
    nl.store(mn, value=nisa.tensor_reduce(nl.minimum, x, axis=(1,), keepdims=True))
    return s, m, mu, mn


@nki.jit
def matmul_accumulate(lhsT, rhs):
    """acc += nisa.nc_matmul(...) over K tiles into a PSUM accumulator (zeros), and into an uninitialised
    one (first write overwrites)."""
    K, M = lhsT.shape
    N = rhs.shape[1]
    out = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.shared_hbm)
    out2 = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.shared_hbm)
    acc = nl.zeros((M, N), nl.float32, buffer=nl.psum)
    acc2 = nl.ndarray((M, N), nl.float32, buffer=nl.psum)
    for k in nl.affine_range(K // 128):
        a = nl.load(lhsT[k * 128:(k + 1) * 128, :])
        b = nl.load(rhs[k * 128:(k + 1) * 128, :])
        acc += nisa.nc_matmul(a, b)
        acc2 += nl.matmul(a, b, transpose_x=True)
    nl.store(out, value=nl.copy(acc))
    nl.store(out2, value=acc2)
    return out, out2


@nki.jit
def matmul_plain(x, y):
    """nl.matmul without transpose_x: x [M, K] @ y [K, N] (a TensorE transpose is inserted)."""
    M = x.shape[0]
    N = y.shape[1]
    out = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.shared_hbm)
    r = nl.matmul(nl.load(x), nl.load(y))
    nl.store(out, value=r)
    return out


@nki.jit
def transposes(a):
    """nl.transpose (PSUM) and nisa.nc_transpose on VectorE (32x32 block)."""
    P, F = a.shape
    o1 = nl.ndarray((F, P), dtype=a.dtype, buffer=nl.shared_hbm)
    o2 = nl.ndarray((32, 32), dtype=a.dtype, buffer=nl.shared_hbm)
    x = nl.load(a)
    nl.store(o1, value=nl.copy(nl.transpose(x)))
    nl.store(o2, value=nisa.nc_transpose(x[0:32, 0:32], engine=nisa.vector_engine))
    return o1, o2


@nki.jit
def softmax_nl(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    nl.store(out, value=nl.softmax(nl.load(a), axis=1))
    return out


@nki.jit
def isa_calls(a, b):
    """tensor_tensor, tensor_scalar (two ops), tensor_copy with dtype, reciprocal, memset, iota, dma_copy."""
    P, F = a.shape
    tt = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    ts = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    rc = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    ms = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    io = nl.ndarray(a.shape, dtype=nl.int32, buffer=nl.shared_hbm)
    x = nl.load(a)
    y = nl.load(b)
    nl.store(tt, value=nisa.tensor_tensor(x, y, op=nl.maximum))
    nl.store(ts, value=nisa.tensor_scalar(x, nl.multiply, 3.0, op1=nl.add, operand1=1.0))
    nl.store(rc, value=nisa.reciprocal(nisa.tensor_copy(y, dtype=nl.float32)))
    nl.store(ms, value=nisa.memset((P, F), 2.5, nl.float32))
    i_p = nl.arange(P)[:, None]
    i_f = nl.arange(F)[None, :]
    t = nisa.iota(i_p * F + i_f, dtype=nl.int32)
    nisa.dma_copy(dst=io, src=t)
    return tt, ts, rc, ms, io


@nki.jit
def promotion(a8, h):
    """Beta 1 promotion with untyped scalars: int8 + 2 -> int32, fp16 * 1.2 -> fp32, dtype= wins."""
    o1 = nl.ndarray(a8.shape, dtype=nl.int32, buffer=nl.shared_hbm)
    o2 = nl.ndarray(h.shape, dtype=nl.float32, buffer=nl.shared_hbm)
    x = nl.load(a8)
    y = nl.load(h)
    s = x + 2
    p = y * 1.2
    assert s.dtype == nl.int32
    assert p.dtype == nl.float32
    assert nl.multiply(y, 1.2, dtype=nl.float16).dtype == nl.float16
    assert nl.add(x, y).dtype == nl.float16
    assert (y < 0.0).dtype == nl.bool_
    nl.store(o1, value=s)
    nl.store(o2, value=p)
    return o1, o2


@nki.jit
def write_into(a, b):
    """t[...] = ... into PSUM (a matmul lands there directly), into a column range of an SBUF tile, and a
    number into a sub-tile; then `t *= 2.0` in place."""
    out = nl.ndarray((128, 256), dtype=nl.float32, buffer=nl.shared_hbm)
    mm = nl.ndarray((128, 128), dtype=nl.float32, buffer=nl.shared_hbm)
    x = nl.load(a)
    y = nl.load(b)
    ps = nl.ndarray((128, 128), dtype=nl.float32, buffer=nl.psum)
    ps[...] = nisa.nc_matmul(x, y)
    nl.store(mm, value=ps)
    t = nl.ndarray((128, 256), dtype=nl.float32, buffer=nl.sbuf)
    t[:, 0:128] = nl.exp(x)
    t[:, 128:256] = 0.5
    t *= 2.0
    nl.store(out, value=t)
    return out, mm


@nki.jit
def masked_calls(a):
    """mask= on an nl call, an nisa call and a reduction: the first 100 partitions, 48 columns."""
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    red = nl.ndarray((128, 1), dtype=a.dtype, buffer=nl.shared_hbm)
    i_p = nl.arange(128)[:, None]
    i_f = nl.arange(64)[None, :]
    x = nl.load(a)
    e = nl.exp(x, mask=(i_p < 100) & (i_f < 48))
    s = nisa.tensor_scalar(e, nl.add, 1.0, mask=(i_p < 100) & (i_f < 48))
    nl.store(out[i_p, i_f], value=s, mask=(i_p < 100) & (i_f < 48))
    r = nl.sum(x, axis=[1], mask=(i_p < 100))
    nl.store(red[i_p, 0], value=r, mask=(i_p < 100))
    return out, red


@nki.jit
def composites(a, c):
    """nl.where, nl.expand_dims, nl.broadcast_to and a dma_copy with a Beta 1 dge_mode member."""
    P, F = a.shape
    w = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    b = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    x = nl.load(a)
    col = nl.load(c)
    nl.store(w, value=nl.where(x > 0.0, x, 0.0))
    t = nl.broadcast_to(col, shape=(P, F))
    assert nl.expand_dims(t, 1).shape == (P, 1, F)
    nisa.dma_copy(dst=b, src=t, dge_mode=nisa.dge_mode.none)
    return w, b


@nki.jit
def causal(a):
    """nisa.affine_select: keep x where column <= row (i_p - i_f >= 0), -inf-like elsewhere."""
    P, F = a.shape
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    i_p = nl.arange(P)[:, None]
    i_f = nl.arange(F)[None, :]
    x = nl.load(a)
    nl.store(out, value=nisa.affine_select(i_p - i_f >= 0, x, -9984.0))
    return out
