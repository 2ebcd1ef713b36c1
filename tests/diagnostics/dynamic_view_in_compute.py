# nkic: --arg a=8x128x64:float32
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def scale_tiles(a):
    T, P, F = a.shape
    out = nl.ndarray((P, F), dtype=a.dtype, buffer=nl.shared_hbm)
    tile = nl.ndarray((P, F), dtype=a.dtype, buffer=nl.sbuf)
    for t in nl.dynamic_range(T):
        view = a.ap(pattern=[[F, P], [1, F]], offset=0, scalar_offset=t, indirect_dim=0)
        nisa.tensor_copy(dst=tile, src=view)
    nisa.dma_copy(dst=out, src=tile)
    return out
