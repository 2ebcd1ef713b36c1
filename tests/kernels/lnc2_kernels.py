"""LNC2 kernels (kernel[2]): each core of the logical core runs the kernel with its own nl.program_id(0)."""
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def row_split(x):
    """Each core doubles its half of the rows."""
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    half = x.shape[0] // nl.num_programs()
    r0 = nl.program_id(0) * half
    t = nl.ndarray((half, x.shape[1]), dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x[r0:r0 + half, :])
    nisa.tensor_scalar(dst=t, data=t, op0=nl.multiply, operand0=2.0)
    nisa.dma_copy(dst=out[r0:r0 + half, :], src=t)
    return out


@nki.jit
def split_k_matmul(lhsT, rhs):
    """out = lhsT.T @ rhs with the contraction split across the cores: each computes a partial sum over
    its 128 rows of K, the cores exchange partial sums with sendrecv, and each stores half the columns."""
    K, M = lhsT.shape
    N = rhs.shape[1]
    pid = nl.program_id(0)
    k0 = pid * 128
    out = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.shared_hbm)
    a = nl.ndarray((128, M), dtype=lhsT.dtype, buffer=nl.sbuf)
    b = nl.ndarray((128, N), dtype=rhs.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=a, src=lhsT[k0:k0 + 128, :])
    nisa.dma_copy(dst=b, src=rhs[k0:k0 + 128, :])
    ps = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.psum)
    nisa.nc_matmul(dst=ps, stationary=a, moving=b)
    mine = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=mine, src=ps)
    theirs = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.sbuf)
    nisa.sendrecv(src=mine, dst=theirs, send_to_rank=1 - pid, recv_from_rank=1 - pid, pipe_id=0)
    total = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_tensor(dst=total, data1=mine, data2=theirs, op=nl.add)
    half = N // 2
    nisa.dma_copy(dst=out[:, pid * half:(pid + 1) * half], src=total[:, pid * half:(pid + 1) * half])
    return out


@nki.jit
def barrier_handoff(x):
    """Each core writes its half of x * 3 to a shared stage; after the barrier, each reads the *other*
    core's half: out[first half] = 3 * x[second half] + 1 and the other way round."""
    P, F = x.shape
    half = P // 2
    pid = nl.program_id(0)
    stage = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray((half, F), dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x[pid * half:(pid + 1) * half, :])
    nisa.tensor_scalar(dst=t, data=t, op0=nl.multiply, operand0=3.0)
    nisa.dma_copy(dst=stage[pid * half:(pid + 1) * half, :], src=t)
    nisa.core_barrier(stage, (0, 1))
    other = 1 - pid
    u = nl.ndarray((half, F), dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=u, src=stage[other * half:(other + 1) * half, :])
    nisa.tensor_scalar(dst=u, data=u, op0=nl.add, operand0=1.0)
    nisa.dma_copy(dst=out[pid * half:(pid + 1) * half, :], src=u)
    return out


@nki.jit
def barrier_on_another_tensor(x):
    """The handoff with the barrier on a tensor the reads do not touch: the DMA that reads the stage
    does not wait for the GpSimd queue's barrier, so on hardware it may read before the other core's
    write lands (a bug the simulator shows: the read runs ahead of the barrier). Core 1 is busy for a
    while before it writes its half, so core 0's read comes first."""
    P, F = x.shape
    half = P // 2
    pid = nl.program_id(0)
    stage = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    flag = nl.ndarray((1, 1), dtype=nl.float32, buffer=nl.shared_hbm)
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray((half, F), dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x[pid * half:(pid + 1) * half, :])
    if pid == 1:
        busy = nl.ndarray((half, F), dtype=x.dtype, buffer=nl.sbuf)
        for _ in range(16):
            nisa.memset(dst=busy, value=0.0)
    nisa.dma_copy(dst=stage[pid * half:(pid + 1) * half, :], src=t)
    nisa.core_barrier(flag, (0, 1))
    other = 1 - pid
    u = nl.ndarray((half, F), dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=u, src=stage[other * half:(other + 1) * half, :])
    nisa.dma_copy(dst=out[pid * half:(pid + 1) * half, :], src=u)
    return out


@nki.jit
def private_scratch(x):
    """Both cores use a private_hbm scratch of the same name with different contents: each sees its own."""
    P, F = x.shape
    half = P // 2
    pid = nl.program_id(0)
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    scratch = nl.ndarray((half, F), dtype=x.dtype, buffer=nl.private_hbm)
    t = nl.ndarray((half, F), dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x[pid * half:(pid + 1) * half, :])
    nisa.tensor_scalar(dst=t, data=t, op0=nl.add, operand0=float(pid + 1) * 100.0)
    nisa.dma_copy(dst=scratch, src=t)
    nisa.core_barrier(out, (0, 1))  # both cores have written their scratch before either reads it back
    u = nl.ndarray((half, F), dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=u, src=scratch)
    nisa.dma_copy(dst=out[pid * half:(pid + 1) * half, :], src=u)
    return out


@nki.jit
def grid_values(x):
    """Row program_id of the output holds (program_id, num_programs, program_ndim)."""
    out = nl.ndarray((2, 3), dtype=nl.float32, buffer=nl.shared_hbm)
    t = nl.ndarray((1, 3), dtype=nl.float32, buffer=nl.sbuf)
    nisa.memset(dst=t[:, 0:1], value=float(nl.program_id(0)))
    nisa.memset(dst=t[:, 1:2], value=float(nl.num_programs()))
    nisa.memset(dst=t[:, 2:3], value=float(nl.program_ndim()))
    pid = nl.program_id(0)
    nisa.dma_copy(dst=out[pid:pid + 1, :], src=t)
    return out


@nki.jit
def both_cores_write_everything(x):
    """A race: both cores store the whole tensor with no synchronization between the stores."""
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    nisa.dma_copy(dst=out, src=t)
    return out


@nki.jit
def barrier_on_one_core(x):
    """A deadlock: only core 0 reaches the barrier."""
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    if nl.program_id(0) == 0:
        nisa.core_barrier(out, (0, 1))
        nisa.dma_copy(dst=out, src=t)
    return out


@nki.jit
def mismatched_pipes(x):
    """A deadlock: the cores' sendrecv calls use different pipe_ids."""
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    pid = nl.program_id(0)
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    u = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    nisa.sendrecv(src=t, dst=u, send_to_rank=1 - pid, recv_from_rank=1 - pid, pipe_id=pid)
    if pid == 0:
        nisa.dma_copy(dst=out, src=u)
    return out


@nki.jit
def barrier_in_dynamic_loop(x, n):
    """core_barrier on an SBUF tile inside a hardware loop (nki-library's moe_cte): each iteration both
    cores add 1 to their half, then meet."""
    half = x.shape[0] // 2
    pid = nl.program_id(0)
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray((half, x.shape[1]), dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x[pid * half:(pid + 1) * half, :])
    for _ in nl.dynamic_range(n):
        nisa.tensor_scalar(dst=t, data=t, op0=nl.add, operand0=1.0)
        nisa.core_barrier(t, (0, 1))
    nisa.dma_copy(dst=out[pid * half:(pid + 1) * half, :], src=t)
    return out
