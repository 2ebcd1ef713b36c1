# nkic: --arg table=64x32:float32 --arg idx=8x1:int32
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def half_of_a_gather(table, idx):
    it = nl.ndarray(idx.shape, dtype=idx.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=it, src=idx)
    view = table.ap(pattern=[[32, 8], [1, 32]], offset=0, vector_offset=it, indirect_dim=0)
    rows = nl.ndarray((4, 32), dtype=table.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=rows, src=view[0:4, :])
    out = nl.ndarray((4, 32), dtype=table.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=rows)
    return out
