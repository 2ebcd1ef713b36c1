# nkic: --arg x=128x512:float32
import neuronxcc.nki.compiler as ncc
import neuronxcc.nki.language as nl
import nki.isa as nisa


def kernel(x):
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    acc = nl.ndarray((4, nl.par_dim(128), 512), dtype=nl.float32,
                     buffer=ncc.psum.mod_alloc(base_bank=6, num_bank_tiles=(4,)))
    nisa.dma_copy(dst=out, src=acc[0])
    return out
