"""Helpers shared by the kernel test modules: move a whole HBM array into an SBUF tile, and a tile into
a new HBM output (imported by the kernels, so the compiler resolves this module itself)."""
import nki.isa as nisa
import nki.language as nl


def load_tile(x):
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    return t


def store_tile(t):
    res = nl.ndarray(t.shape, dtype=t.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=res, src=t)
    return res
