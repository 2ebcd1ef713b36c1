# nkic: --arg a=128x64:float32 --arg idx=128x1:int32
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def gather_from_sbuf(a, idx):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    tile = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=tile, src=a)
    it = nl.ndarray((128, 1), dtype=nl.int32, buffer=nl.sbuf)
    nisa.dma_copy(dst=it, src=idx)
    rows = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=rows, src=tile.ap(pattern=[[64, 128], [1, 64]], offset=0, vector_offset=it, indirect_dim=0))
    nisa.dma_copy(dst=out, src=rows)
    return out
