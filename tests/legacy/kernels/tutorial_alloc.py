"""Our own Beta 1 direct-allocation kernels: a mod_alloc double buffer and an alloc(func) kernel whose
allocator is a closure (a bump pointer), as the direct-allocation guide describes them."""
from neuronxcc import nki
import neuronxcc.nki.compiler as ncc
import neuronxcc.nki.language as nl

F = 512


@nki.jit
def scale_double_buffered(x):
    """out = 2 * x for x [128, n * 512] fp32, n tiles through two physical buffers per tensor
    (num_free_tiles=(2,): blocks 0, 2, ... share one place, 1, 3, ... the other)."""
    n = x.shape[1] // F
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    tile_bytes = F * 4
    buf = nl.ndarray((n, nl.par_dim(128), F), dtype=x.dtype,
                     buffer=ncc.sbuf.mod_alloc(base_addr=0, num_free_tiles=(2,)))
    res = nl.ndarray((n, nl.par_dim(128), F), dtype=x.dtype,
                     buffer=ncc.sbuf.mod_alloc(base_addr=2 * tile_bytes, num_free_tiles=(2,)))
    for i in nl.affine_range(n):
        buf[i] = nl.load(x[:, i * F:(i + 1) * F])
        res[i] = nl.multiply(buf[i], 2.0)
        nl.store(out[:, i * F:(i + 1) * F], value=res[i])
    return out


def bump_allocator(start):
    """An ncc.sbuf.alloc callable: every block gets the next free bytes at partition 0."""
    state = {"next": start}

    def alloc(idx, pdim_size, fdim_size):
        addr = state["next"]
        state["next"] = addr + fdim_size
        return 0, addr

    return alloc


@nki.jit
def add_with_bump_allocator(a, b):
    """out = a + b for [128, n * 512] fp32 tensors, every tile placed by a bump allocator."""
    n = a.shape[1] // F
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    alloc = ncc.sbuf.alloc(bump_allocator(0))
    ta = nl.ndarray((n, nl.par_dim(128), F), dtype=a.dtype, buffer=alloc)
    tb = nl.ndarray((n, nl.par_dim(128), F), dtype=b.dtype, buffer=alloc)
    tc = nl.ndarray((n, nl.par_dim(128), F), dtype=a.dtype, buffer=alloc)
    for i in nl.affine_range(n):
        ta[i] = nl.load(a[:, i * F:(i + 1) * F])
        tb[i] = nl.load(b[:, i * F:(i + 1) * F])
        tc[i] = nl.add(ta[i], tb[i])
        nl.store(out[:, i * F:(i + 1) * F], value=tc[i])
    return out
