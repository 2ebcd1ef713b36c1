# nkic: --arg table=64x32:float32 --arg idx=8x1x2:int32
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def gather_two_per_row(table, idx):
    # vector_offset needs one index per partition: a [P, 1, 1] tile is fine, [P, 1, 2] is not.
    it = nl.ndarray(idx.shape, dtype=idx.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=it, src=idx)
    rows = nl.ndarray((8, 32), dtype=table.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=rows, src=table.ap(pattern=[[32, 8], [1, 32]], offset=0, vector_offset=it, indirect_dim=0))
    out = nl.ndarray((8, 32), dtype=table.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=rows)
    return out
