"""Kernels for the shuffle check: affine_range iterations that depend on each other (silent in a plain
in-order run) beside their correct twins."""
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def doubling_affine(a):
    # Bug: every iteration doubles the tile the previous iteration doubled (out[i] = a * 2^(i+1)).
    out = nl.ndarray((8, 128, 64), dtype=nl.float32, buffer=nl.shared_hbm)
    t = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=a)
    for i in nl.affine_range(8):
        nisa.tensor_scalar(dst=t, data=t, op0=nl.multiply, operand0=2.0)
        nisa.dma_copy(dst=out[i], src=t)
    return out


@nki.jit
def doubling_sequential(a):
    out = nl.ndarray((8, 128, 64), dtype=nl.float32, buffer=nl.shared_hbm)
    t = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=a)
    for i in nl.sequential_range(8):
        nisa.tensor_scalar(dst=t, data=t, op0=nl.multiply, operand0=2.0)
        nisa.dma_copy(dst=out[i], src=t)
    return out


@nki.jit
def matmul_ktiles(lhsT, rhs):
    # Correct: matmuls accumulating into one PSUM tile over affine k-tiles (a reduction the iterations may
    # reorder: equal within fp32 accumulation).
    K, M = lhsT.shape
    N = rhs.shape[1]
    out = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.shared_hbm)
    acc = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.psum)
    for k in nl.affine_range(K // 128):
        s = nl.ndarray((128, M), dtype=nl.float32, buffer=nl.sbuf)
        m = nl.ndarray((128, N), dtype=nl.float32, buffer=nl.sbuf)
        nisa.dma_copy(dst=s, src=lhsT[k * 128:(k + 1) * 128, :])
        nisa.dma_copy(dst=m, src=rhs[k * 128:(k + 1) * 128, :])
        nisa.nc_matmul(dst=acc, stationary=s, moving=m)
    r = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=r, src=acc)
    nisa.dma_copy(dst=out, src=r)
    return out


@nki.jit
def prefix_in_place(a):
    # Bug: each iteration adds the row the previous iteration updated (a running sum, in place in HBM).
    for i in nl.affine_range(1, a.shape[0]):
        prev = nl.ndarray((1, a.shape[1]), dtype=a.dtype, buffer=nl.sbuf)
        cur = nl.ndarray((1, a.shape[1]), dtype=a.dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=prev, src=a[i - 1:i, :])
        nisa.dma_copy(dst=cur, src=a[i:i + 1, :])
        nisa.tensor_tensor(dst=cur, data1=cur, data2=prev, op=nl.add)
        nisa.dma_copy(dst=a[i:i + 1, :], src=cur)
    return a
