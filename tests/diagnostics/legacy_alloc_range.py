# nkic: --arg x=128x512:float32
import neuronxcc.nki.compiler as ncc
import neuronxcc.nki.language as nl
import nki.isa as nisa


def kernel(x):
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray((4, nl.par_dim(128), 512), dtype=x.dtype,
                   buffer=ncc.sbuf.mod_alloc(base_addr=210000, num_free_tiles=(4,)))
    nisa.dma_copy(dst=t[0], src=x)
    nisa.dma_copy(dst=out, src=t[0])
    return out
