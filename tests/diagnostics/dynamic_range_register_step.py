# nkic: --arg a=128x64:float32
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def strided(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    tile = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
    step = nisa.register_alloc(2)
    for i in nl.dynamic_range(0, 8, step):
        nisa.dma_copy(dst=tile, src=a)
    nisa.dma_copy(dst=out, src=tile)
    return out
