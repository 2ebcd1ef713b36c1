"""Beta 1 kernels with block dimensions (nl.par_dim) and direct allocation (ncc.sbuf / ncc.psum). They move
and compute with the 0.3.0 instructions (dst=), which run in legacy kernels too, so they exercise the
allocation alone. Run through the 0.3.0 runner: nki.simulate(nki.jit(fn))(*args)."""
from neuronxcc import nki  # noqa: F401  (the kernel is Beta 1: its module imports neuronxcc)
import neuronxcc.nki.compiler as ncc
import neuronxcc.nki.language as nl
import nki.isa as nisa030
import nki.language as nl030

F = 512


def scale_double_buffered(x):
    """out = 2 * x for x [128 * n, 512] fp32: n logical tiles, two physical tiles per tensor."""
    n = x.shape[0] // 128
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    buf = nl.ndarray((n, nl.par_dim(128), F), dtype=x.dtype,
                     buffer=ncc.sbuf.mod_alloc(base_addr=0, num_free_tiles=(2,)))
    res = nl.ndarray((n, nl.par_dim(128), F), dtype=x.dtype,
                     buffer=ncc.sbuf.mod_alloc(base_addr=2 * F * 4, num_free_tiles=(2,)))
    for i in nl.affine_range(n):
        nisa030.dma_copy(dst=buf[i], src=x[i * 128:(i + 1) * 128, :])
        nisa030.tensor_scalar(dst=res[i, :, :], data=buf[i], op0=nl030.multiply, operand0=2.0)
        nisa030.dma_copy(dst=out[i * 128:(i + 1) * 128, :], src=res[i])
    return out


def bump_allocator(start):
    """alloc(func) factories sharing one bump pointer: each tensor's blocks lie after the previous
    tensor's (the direct-allocation guide's closure example)."""
    state = [start]

    def factory(total_bytes):
        base = state[0]
        state[0] = base + total_bytes

        def func(idx, pdim_size, fdim_size):
            (i,) = idx
            return (0, base + i * fdim_size)

        return func

    return factory


def add_bump_allocated(a, b):
    """out = a + b for [128 * n, 512] fp32, every block placed by an alloc(func) closure."""
    n = a.shape[0] // 128
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    factory = bump_allocator(0)
    ta = nl.ndarray((n, nl.par_dim(128), F), dtype=a.dtype, buffer=ncc.sbuf.alloc(factory(n * F * 4)))
    tb = nl.ndarray((n, nl.par_dim(128), F), dtype=b.dtype, buffer=ncc.sbuf.alloc(factory(n * F * 4)))
    for i in nl.affine_range(n):
        nisa030.dma_copy(dst=ta[i], src=a[i * 128:(i + 1) * 128, :])
        nisa030.dma_copy(dst=tb[i], src=b[i * 128:(i + 1) * 128, :])
        nisa030.tensor_tensor(dst=ta[i], data1=ta[i], data2=tb[i], op=nl030.add)
        nisa030.dma_copy(dst=out[i * 128:(i + 1) * 128, :], src=ta[i])
    return out


def matmul_psum_banks(a, b):
    """out = a.T @ b for a [K, 128], b [K, 1024] fp32, K = 128 * kt: two 512-column accumulation groups in
    PSUM banks 0 and 1 (psum.mod_alloc(num_bank_tiles=(2,))), both live across the whole K loop."""
    kt = a.shape[0] // 128
    out = nl.ndarray((128, 1024), dtype=nl.float32, buffer=nl.shared_hbm)
    at = nl.ndarray((kt, nl.par_dim(128), 128), dtype=a.dtype,
                    buffer=ncc.sbuf.mod_alloc(base_addr=0, num_free_tiles=(kt,)))
    bt = nl.ndarray((kt, 2, nl.par_dim(128), F), dtype=b.dtype,
                    buffer=ncc.sbuf.mod_alloc(base_addr=kt * 128 * 4, num_free_tiles=(kt, 2)))
    acc = nl.ndarray((2, nl.par_dim(128), F), dtype=nl.float32,
                     buffer=ncc.psum.mod_alloc(base_bank=0, num_bank_tiles=(2,)))
    res = nl.ndarray((2, nl.par_dim(128), F), dtype=nl.float32,
                     buffer=ncc.sbuf.mod_alloc(base_addr=kt * 128 * 4 + kt * 2 * F * 4, num_free_tiles=(2,)))
    # sequential: iteration 0's matmul overwrites (accumulate=False), so it must run before the others
    for k in nl.sequential_range(kt):
        nisa030.dma_copy(dst=at[k], src=a[k * 128:(k + 1) * 128, :])
        for j in nl.affine_range(2):
            nisa030.dma_copy(dst=bt[k, j], src=b[k * 128:(k + 1) * 128, j * F:(j + 1) * F])
            nisa030.nc_matmul(dst=acc[j], stationary=at[k], moving=bt[k, j], accumulate=k > 0)
    for j in nl.affine_range(2):
        nisa030.tensor_copy(dst=res[j], src=acc[j])
        nisa030.dma_copy(dst=out[:, j * F:(j + 1) * F], src=res[j])
    return out


def block_dims_auto(x):
    """Block dimensions with automatic allocation: (2, 3, par_dim(128), 64) tiles, indexed t[i, j] and
    t[i, j, :, :]; out = x + 1 for x [128, 6 * 64]."""
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray((2, 3, nl.par_dim(128), 64), dtype=x.dtype, buffer=nl.sbuf)
    for i in nl.affine_range(2):
        for j in nl.affine_range(3):
            c = (i * 3 + j) * 64
            nisa030.dma_copy(dst=t[i, j], src=x[:, c:c + 64])
            nisa030.tensor_scalar(dst=t[i, j, :, :], data=t[i, j], op0=nl030.add, operand0=1.0)
            nisa030.dma_copy(dst=out[:, c:c + 64], src=t[i, j, :, 0:64])
    return out


@ncc.force_auto_alloc
def forced_auto(x):
    """Two tensors at the same address while both live: an error, unless force_auto_alloc ignores the
    allocators. out = x + x."""
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    a = nl.ndarray((128, F), dtype=x.dtype, buffer=ncc.sbuf.mod_alloc(base_addr=0))
    b = nl.ndarray((128, F), dtype=x.dtype, buffer=ncc.sbuf.mod_alloc(base_addr=0))
    nisa030.dma_copy(dst=a, src=x)
    nisa030.dma_copy(dst=b, src=x)
    nisa030.tensor_tensor(dst=a, data1=a, data2=b, op=nl030.add)
    nisa030.dma_copy(dst=out, src=a)
    return out
