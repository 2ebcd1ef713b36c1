# nkic: --arg table=300x64:float32 --arg idx=32x1:uint32
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def gather_rows_transposed(table, idx):
    V, F = table.shape
    it = nl.ndarray((32, 1), dtype=nl.uint32, buffer=nl.sbuf)
    nisa.dma_copy(dst=it, src=idx)
    dst = nl.ndarray((F, 32), dtype=table.dtype, buffer=nl.sbuf)
    nisa.dma_transpose(dst=dst, src=table.ap(pattern=[[F, 32], [1, F]], offset=0, vector_offset=it, indirect_dim=0))
    out = nl.ndarray((F, 32), dtype=table.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=dst)
    return out
