"""Beta 1 index grids and masks: nl.arange / nl.mgrid subscripts, affine index expressions with loop
variables, grids that out-rank the tensor, and mask= predicates. The data moves with the 0.3.0
instructions (nisa030.dma_copy, tensor_copy, ...) on grid-indexed views; `nl._nkic_masked(view, mask)`
is nkic's test hook for what every Beta 1 call does with mask= (None when the mask is all off)."""
import nki.isa as nisa030
import nki.language as nl030
from neuronxcc import nki
import neuronxcc.nki.language as nl


def _m(view, mask):
    return nl._nkic_masked(view, mask)


@nki.jit
def ragged_affine(x):
    """y = 2x + 1 over (N, F) in 128-row tiles; the last tile is partial: the same mask on load,
    compute and store (the ragged-edge idiom)."""
    N, F = x.shape
    out = nl.ndarray((N, F), dtype=x.dtype, buffer=nl.shared_hbm)
    i_f = nl.arange(F)[None, :]
    for p in nl.affine_range((N + 127) // 128):
        i_p = p * 128 + nl.arange(128)[:, None]
        t = nl.ndarray((128, F), dtype=x.dtype, buffer=nl.sbuf)
        u = nl.ndarray((128, F), dtype=x.dtype, buffer=nl.sbuf)
        nisa030.dma_copy(dst=_m(t, i_p < N), src=_m(x[i_p, i_f], i_p < N))
        nisa030.tensor_scalar(dst=_m(u, i_p < N), data=_m(t, i_p < N), op0=nl030.multiply, operand0=2.0,
                              op1=nl030.add, operand1=1.0)
        nisa030.dma_copy(dst=_m(out[i_p, i_f], i_p < N), src=_m(u, i_p < N))
    return out


@nki.jit
def mgrid_copy(x):
    """(256, 512) copied through SBUF with nl.mgrid grids (unpacked, and .p/.x), per 128-row block."""
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    i_p, i_f = nl.mgrid[0:128, 0:512]
    g = nl.mgrid[0:128, 0:512]
    for r in nl.affine_range(2):
        t = nl.ndarray((128, 512), dtype=x.dtype, buffer=nl.sbuf)
        nisa030.dma_copy(dst=t, src=x[r * 128 + i_p, i_f])
        nisa030.dma_copy(dst=out[r * 128 + g.p, g.x], src=t)
    return out


@nki.jit
def free_transpose(x):
    """x: (128, F2 * F1). out[p, a * F2 + b] = x[p, b * F1 + a]: a free-axis transpose of (F2, F1)
    blocks by grid permutation, on chip (a 3-D grid over 2-D tiles), then an HBM permutation
    (x3: (128, 4, 8) -> out3[p, j, k] = x3[p, k, j]) by DMA."""
    F1, F2 = 4, 8
    out = nl.ndarray((128, F1 * F2), dtype=x.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray((128, F1 * F2), dtype=x.dtype, buffer=nl.sbuf)
    u = nl.ndarray((128, F1 * F2), dtype=x.dtype, buffer=nl.sbuf)
    nisa030.dma_copy(dst=t, src=x)
    i_p = nl.arange(128)[:, None, None]
    i_a = nl.arange(F1)[None, :, None]
    i_b = nl.arange(F2)[None, None, :]
    nisa030.tensor_copy(dst=u[i_p, i_a * F2 + i_b], src=t[i_p, i_b * F1 + i_a])
    nisa030.dma_copy(dst=out, src=u)
    return out


@nki.jit
def hbm_permute(x3):
    """x3: (128, 4, 8) -> out3 (128, 8, 4) with out3[p, j, k] = x3[p, k, j], read by one DMA."""
    out = nl.ndarray((128, 8, 4), dtype=x3.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray((128, 8, 4), dtype=x3.dtype, buffer=nl.sbuf)
    i_p = nl.arange(128)[:, None, None]
    i_j = nl.arange(8)[None, :, None]
    i_k = nl.arange(4)[None, None, :]
    nisa030.dma_copy(dst=t, src=x3[i_p, i_k, i_j])
    nisa030.dma_copy(dst=out, src=t)
    return out


@nki.jit
def interleave_swap(x):
    """x: (128, 2F). Even and odd columns read with 2*i_f and 2*i_f + 1, written back swapped."""
    F = x.shape[1] // 2
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    even = nl.ndarray((128, F), dtype=x.dtype, buffer=nl.sbuf)
    odd = nl.ndarray((128, F), dtype=x.dtype, buffer=nl.sbuf)
    i_p = nl.arange(128)[:, None]
    i_f = nl.arange(F)[None, :]
    nisa030.dma_copy(dst=even, src=x[i_p, 2 * i_f])
    nisa030.dma_copy(dst=odd, src=x[i_p, 2 * i_f + 1])
    nisa030.dma_copy(dst=out[i_p, 2 * i_f], src=odd)
    nisa030.dma_copy(dst=out[i_p, i_f * 2 + 1], src=even)
    return out


@nki.jit
def max_pool(x):
    """x: (128, H, W), 2x2 max pooling: a 5-D grid over the 3-D tile, reduced over its last two axes."""
    C, H, W = x.shape
    K = 2
    out = nl.ndarray((C, H // K, W // K), dtype=x.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray((C, H, W), dtype=x.dtype, buffer=nl.sbuf)
    r = nl.ndarray((C, H // K, W // K), dtype=x.dtype, buffer=nl.sbuf)
    nisa030.dma_copy(dst=t, src=x)
    i0 = nl.arange(C)[:, None, None, None, None]
    i1 = nl.arange(H // K)[None, :, None, None, None]
    i2 = nl.arange(W // K)[None, None, :, None, None]
    i3 = nl.arange(K)[None, None, None, :, None]
    i4 = nl.arange(K)[None, None, None, None, :]
    nisa030.tensor_reduce(dst=r, op=nl030.maximum, data=t[i0, K * i1 + i3, K * i2 + i4], axis=(3, 4))
    nisa030.dma_copy(dst=out, src=r)
    return out


@nki.jit
def masked_square(x):
    """Masks on an unindexed tile bound its axes by position: rows < 64 and columns in [16, 256) of a
    (128, 512) tile are doubled, the rest keep x; a loop-variable-only mask turns a call off."""
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray((128, 512), dtype=x.dtype, buffer=nl.sbuf)
    nisa030.dma_copy(dst=t, src=x)
    i_p = nl.arange(128)[:, None]
    i_f = nl.arange(512)[None, :]
    mask = (i_p < 64) & (i_f >= 16) & (256 > i_f)
    nisa030.tensor_scalar(dst=_m(t, mask), data=_m(t, mask), op0=nl030.multiply, operand0=2.0)
    for k in nl.affine_range(2):
        v = _m(t, (k > 5) & (i_p < 8))  # the whole call is off
        if v is not None:
            nisa030.memset(dst=v, value=0.0)
    nisa030.dma_copy(dst=out, src=t)
    return out


@nki.jit
def ragged_beta1(x):
    """The ragged-edge idiom in full Beta 1: y = 2x + 1 with the same mask on nl.load, the compute
    calls and nl.store; the last 128-row tile of a (300, 1000) input is partial."""
    N, F = x.shape
    out = nl.ndarray((N, F), dtype=x.dtype, buffer=nl.shared_hbm)
    i_f = nl.arange(F)[None, :]
    for p in nl.affine_range((N + 127) // 128):
        i_p = p * 128 + nl.arange(128)[:, None]
        t = nl.load(x[i_p, i_f], mask=(i_p < N))
        u = nl.add(nl.multiply(t, 2.0, mask=(i_p < N)), 1.0, mask=(i_p < N))
        nl.store(out[i_p, i_f], value=u, mask=(i_p < N))
    return out


@nki.jit
def grid_assignment(x):
    """`dst[grid] = src` pairs elements by grid position: the free-axis block transpose of
    free_transpose written as an assignment of nl.copy into a grid view."""
    F1, F2 = 4, 8
    out = nl.ndarray((128, F1 * F2), dtype=x.dtype, buffer=nl.shared_hbm)
    t = nl.load(x)
    u = nl.ndarray((128, F1 * F2), dtype=x.dtype, buffer=nl.sbuf)
    i_p = nl.arange(128)[:, None, None]
    i_a = nl.arange(F1)[None, :, None]
    i_b = nl.arange(F2)[None, None, :]
    u[i_p, i_a * F2 + i_b] = nl.copy(t[i_p, i_b * F1 + i_a])
    nl.store(out, value=u)
    return out


@nki.jit
def program_id_rows(x):
    """SPMD: instance pid copies rows [pid*128, pid*128 + 128) scaled by 3, indexed with
    nl.program_id(0) in an affine grid expression."""
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    pid = nl.program_id(0)
    i_p, i_f = nl.mgrid[0:128, 0:x.shape[1]]
    t = nl.load(x[pid * 128 + i_p, i_f])
    nl.store(out[128 * pid + i_p, i_f], value=nl.multiply(t, 3.0))
    return out


@nki.jit
def gather_rows(data, idx):
    """Indirect DMA: out[p, :] = data[idx[p, 0], :], the row indices held in an SBUF int32 tile (moved
    by the 0.3.0 dma_copy: nl.load does not take a dynamic view yet)."""
    P, F = idx.shape[0], data.shape[1]
    out = nl.ndarray((P, F), dtype=data.dtype, buffer=nl.shared_hbm)
    i_p = nl.arange(P)[:, None]
    i_f = nl.arange(F)[None, :]
    ix = nl.load(idx)
    t = nl.ndarray((P, F), dtype=data.dtype, buffer=nl.sbuf)
    nisa030.dma_copy(dst=t, src=data[ix[i_p, 0], i_f])
    nl.store(out, value=t)
    return out
