"""Elementwise kernels in the 0.3.0 ISA style, with names and shapes unlike the examples."""
import nki
import nki.isa as nisa
import nki.language as nl

P = nl.tile_size.pmax


def _binary(x, y, op):
    res = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    xt = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    yt = nl.ndarray(y.shape, dtype=y.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=xt, src=x)
    nisa.dma_copy(dst=yt, src=y)
    nisa.tensor_tensor(dst=xt, data1=xt, data2=yt, op=op)
    nisa.dma_copy(dst=res, src=xt)
    return res


@nki.jit
def sub_kernel(x, y):
    return _binary(x, y, nl.subtract)


@nki.jit
def mul_kernel(x, y):
    return _binary(x, y, nl.multiply)


@nki.jit
def max_kernel(x, y):
    return _binary(x, y, nl.maximum)


@nki.jit
def tiled_binary(x, y, tile_f=256, op_name="add"):
    ops = {"add": nl.add, "subtract": nl.subtract, "multiply": nl.multiply}
    op = ops[op_name]
    rows, cols = x.shape
    res = nl.ndarray((rows, cols), dtype=x.dtype, buffer=nl.shared_hbm)
    for r in nl.affine_range(rows // P):
        for c in nl.affine_range(cols // tile_f):
            xt = nl.ndarray((P, tile_f), dtype=x.dtype, buffer=nl.sbuf)
            yt = nl.ndarray((P, tile_f), dtype=y.dtype, buffer=nl.sbuf)
            nisa.dma_copy(dst=xt, src=x[r * P:(r + 1) * P, c * tile_f:(c + 1) * tile_f])
            nisa.dma_copy(dst=yt, src=y[nl.ds(r * P, P), nl.ds(c * tile_f, tile_f)])
            out_t = nl.ndarray((P, tile_f), dtype=x.dtype, buffer=nl.sbuf)
            nisa.tensor_tensor(out_t, xt, yt, op)
            nisa.dma_copy(res[r * P:(r + 1) * P, c * tile_f:(c + 1) * tile_f], out_t)
    return res


@nki.jit
def matmul_kt(lhsT, rhs):
    """out[M, N] = lhsT[K, M].T @ rhs[K, N], accumulating K in 128-row chunks in one PSUM tile."""
    K, M = lhsT.shape
    _, N = rhs.shape
    res = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.shared_hbm)
    acc = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.psum)
    for k in nl.affine_range(K // P):
        lt = nl.ndarray((P, M), dtype=lhsT.dtype, buffer=nl.sbuf)
        rt = nl.ndarray((P, N), dtype=rhs.dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=lt, src=lhsT[k * P:(k + 1) * P, :])
        nisa.dma_copy(dst=rt, src=rhs[k * P:(k + 1) * P, :])
        nisa.nc_matmul(acc, lt, rt)
    sb = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=sb, src=acc)
    nisa.dma_copy(dst=res, src=sb)
    return res


@nki.jit
def two_outputs(x):
    a = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    b = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    nisa.dma_copy(dst=a, src=t)
    nisa.tensor_tensor(dst=t, data1=t, data2=t, op=nl.add)
    nisa.dma_copy(dst=b, src=t)
    return a, b


@nki.jit
def inplace_double(x):
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    nisa.tensor_tensor(dst=t, data1=t, data2=t, op=nl.add)
    nisa.dma_copy(dst=x, src=t)


@nki.jit
def wide_partition(x):
    t = nl.ndarray((256, 64), dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    return x
