"""Micro-benchmark kernels for the published single-instruction figures (tests/timing/test_calibration.py
reads the figure off the timeline: a DMA ring's transfer slice, or a difference of two latencies that
cancels the fixed costs)."""
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def act_chain(x, n=8, op=nl.exp):
    """n back-to-back ScalarE activations of one element per partition, each reading the previous
    result (RAW-dependent): the published initiation interval of tiny dependent activations."""
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    for _ in range(n):
        nxt = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
        nisa.activation(dst=nxt, op=op, data=t)
        t = nxt
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=t)
    return out


@nki.jit
def dma_load(a):
    """One DMA of the whole of `a` from HBM into an SBUF tile (a's rows on partitions)."""
    t = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=a)
    out = nl.ndarray((a.shape[0], 1), dtype=a.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=t[:, 0:1])
    return out


@nki.jit
def dma_dynamic_row(a, row):
    """One DMA of a[row[0, 0], :] with the row index read at run time (descriptors from the DGE)."""
    R, F = a.shape
    rt = nl.ndarray(row.shape, dtype=row.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=rt, src=row)
    out = nl.ndarray((1, F), dtype=a.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=a.ap(pattern=[[F, 1], [1, F]], offset=0, scalar_offset=rt, indirect_dim=0))
    return out
