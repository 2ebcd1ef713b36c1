# nkic: --arg x=128x512:float32
import neuronxcc.nki.compiler as ncc
import neuronxcc.nki.language as nl
import nki.isa as nisa


def kernel(x):
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray((2, 2, nl.par_dim(128), 512), dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t[1], src=x)
    return out
