# nkic: --arg a=128x64:float32
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def skip_ahead(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    tile = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
    for i in nl.dynamic_range(4):
        nisa.register_move(i, 3)
        nisa.dma_copy(dst=tile, src=a)
    nisa.dma_copy(dst=out, src=tile)
    return out
