"""Kernels for the static checks (affine-dependence, psum-group, lnc-race): each bug beside its correct
twin. Every buggy kernel runs without error in a plain in-order simulation; only its check finds the bug."""
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def affine_prefix_sum(a):
    # Bug: a prefix sum over column blocks: iteration i reads the block iteration i - 1 writes.
    t = nl.ndarray((128, 256), dtype=nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=a)
    for i in nl.affine_range(1, 4):
        nisa.tensor_tensor(dst=t[:, i * 64:(i + 1) * 64], data1=t[:, i * 64:(i + 1) * 64],
                           data2=t[:, (i - 1) * 64:i * 64], op=nl.add)
    out = nl.ndarray((128, 256), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=t)
    return out


@nki.jit
def sequential_prefix_sum(a):
    t = nl.ndarray((128, 256), dtype=nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=a)
    for i in nl.sequential_range(1, 4):
        nisa.tensor_tensor(dst=t[:, i * 64:(i + 1) * 64], data1=t[:, i * 64:(i + 1) * 64],
                           data2=t[:, (i - 1) * 64:i * 64], op=nl.add)
    out = nl.ndarray((128, 256), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=t)
    return out


@nki.jit
def affine_running_sum(a):
    # Not a bug: `acc += x` in place is an associative reduction the docs let iterations reorder.
    acc = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
    nisa.memset(dst=acc, value=0.0)
    for i in nl.affine_range(4):
        x = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
        nisa.dma_copy(dst=x, src=a[:, i * 64:(i + 1) * 64])
        nisa.tensor_tensor(dst=acc, data1=acc, data2=x, op=nl.add)
    out = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=acc)
    return out


@nki.jit
def affine_shared_tile(a):
    # Bug: one tile declared outside the loop carries every iteration's data: iterations overwrite each
    # other's tile while others still read it.
    t = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
    out = nl.ndarray((128, 256), dtype=nl.float32, buffer=nl.shared_hbm)
    for i in nl.affine_range(4):
        nisa.dma_copy(dst=t, src=a[:, i * 64:(i + 1) * 64])
        nisa.dma_copy(dst=out[:, i * 64:(i + 1) * 64], src=t)
    return out


@nki.jit
def affine_own_tiles(a):
    # Each iteration its own tile, and its own columns of the output: no dependence.
    out = nl.ndarray((128, 256), dtype=nl.float32, buffer=nl.shared_hbm)
    for i in nl.affine_range(4):
        t = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
        nisa.dma_copy(dst=t, src=a[:, i * 64:(i + 1) * 64])
        nisa.dma_copy(dst=out[:, i * 64:(i + 1) * 64], src=t)
    return out


@nki.jit
def affine_matmul_accumulation(lhsT, rhs):
    # The accumulation the docs allow: matmuls of every iteration add into one PSUM tile.
    K, M = lhsT.shape
    N = rhs.shape[1]
    ps = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.psum)
    for k in nl.affine_range(K // 128):
        a = nl.ndarray((128, M), dtype=lhsT.dtype, buffer=nl.sbuf)
        b = nl.ndarray((128, N), dtype=rhs.dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=a, src=lhsT[k * 128:(k + 1) * 128, :])
        nisa.dma_copy(dst=b, src=rhs[k * 128:(k + 1) * 128, :])
        nisa.nc_matmul(dst=ps, stationary=a, moving=b)
    res = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=res, src=ps)
    out = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=res)
    return out


def _load(src, rows, dtype=nl.float32):
    t = nl.ndarray((128, src.shape[1]), dtype=src.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=src[rows * 128:(rows + 1) * 128, :])
    return t


@nki.jit
def psum_read_mid_group(lhsT, rhs):
    # Bug: the partial sum is read between the two matmuls of one accumulation group.
    ps = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.psum)
    nisa.nc_matmul(dst=ps, stationary=_load(lhsT, 0), moving=_load(rhs, 0))
    partial = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=partial, src=ps)
    nisa.nc_matmul(dst=ps, stationary=_load(lhsT, 1), moving=_load(rhs, 1))
    out = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=partial)
    return out


@nki.jit
def psum_read_after_group(lhsT, rhs):
    ps = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.psum)
    nisa.nc_matmul(dst=ps, stationary=_load(lhsT, 0), moving=_load(rhs, 0))
    nisa.nc_matmul(dst=ps, stationary=_load(lhsT, 1), moving=_load(rhs, 1))
    res = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=res, src=ps)
    out = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=res)
    return out


@nki.jit
def psum_stale_group(lhsT, rhs):
    # Bug: one PSUM tile for every output block: the second block's matmul (accumulate=None) adds onto
    # the first block's result instead of starting a new group.
    out = nl.ndarray((128, 1024), dtype=nl.float32, buffer=nl.shared_hbm)
    ps = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.psum)
    a = _load(lhsT, 0)
    for n in nl.sequential_range(2):
        b = nl.ndarray((128, 512), dtype=rhs.dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=b, src=rhs[:, n * 512:(n + 1) * 512])
        nisa.nc_matmul(dst=ps, stationary=a, moving=b)
        res = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.sbuf)
        nisa.tensor_copy(dst=res, src=ps)
        nisa.dma_copy(dst=out[:, n * 512:(n + 1) * 512], src=res)
    return out


@nki.jit
def psum_group_per_block(lhsT, rhs):
    out = nl.ndarray((128, 1024), dtype=nl.float32, buffer=nl.shared_hbm)
    a = _load(lhsT, 0)
    for n in nl.sequential_range(2):
        ps = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.psum)
        b = nl.ndarray((128, 512), dtype=rhs.dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=b, src=rhs[:, n * 512:(n + 1) * 512])
        nisa.nc_matmul(dst=ps, stationary=a, moving=b)
        res = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.sbuf)
        nisa.tensor_copy(dst=res, src=ps)
        nisa.dma_copy(dst=out[:, n * 512:(n + 1) * 512], src=res)
    return out


@nki.jit
def psum_interleaved_groups(lhsT, rhs):
    # Bug: two accumulation groups (the two column halves of one bank) advance in turns.
    ps = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.psum)
    for k in nl.sequential_range(2):
        a = _load(lhsT, k)
        b = _load(rhs, k)
        for n in nl.sequential_range(2):
            nisa.nc_matmul(dst=ps[:, n * 256:(n + 1) * 256], stationary=a, moving=b[:, n * 256:(n + 1) * 256])
    res = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=res, src=ps)
    out = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=res)
    return out


@nki.jit
def psum_groups_one_after_another(lhsT, rhs):
    ps = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.psum)
    for n in nl.sequential_range(2):
        for k in nl.sequential_range(2):
            a = _load(lhsT, k)
            b = _load(rhs, k)
            nisa.nc_matmul(dst=ps[:, n * 256:(n + 1) * 256], stationary=a, moving=b[:, n * 256:(n + 1) * 256])
    res = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=res, src=ps)
    out = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=res)
    return out


@nki.jit
def lnc_exchange_unsynchronized(a):
    # Bug (LNC2): each core stores its half to a shared scratch and reads the other core's half back,
    # with nothing ordering the other core's store before the read.
    pid = nl.program_id(0)
    other = 1 - pid
    scratch = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.shared_hbm)
    t = nl.ndarray((64, 64), dtype=nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=a[pid * 64:(pid + 1) * 64, :])
    nisa.dma_copy(dst=scratch[pid * 64:(pid + 1) * 64, :], src=t)
    u = nl.ndarray((64, 64), dtype=nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=u, src=scratch[other * 64:(other + 1) * 64, :])
    out = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out[pid * 64:(pid + 1) * 64, :], src=u)
    return out


@nki.jit
def lnc_exchange_with_barrier(a):
    pid = nl.program_id(0)
    other = 1 - pid
    scratch = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.shared_hbm)
    t = nl.ndarray((64, 64), dtype=nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=a[pid * 64:(pid + 1) * 64, :])
    nisa.dma_copy(dst=scratch[pid * 64:(pid + 1) * 64, :], src=t)
    nisa.core_barrier(scratch, (0, 1))
    u = nl.ndarray((64, 64), dtype=nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=u, src=scratch[other * 64:(other + 1) * 64, :])
    out = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out[pid * 64:(pid + 1) * 64, :], src=u)
    return out
