# nkic: cmd=run --arg a=16x64:float32 --arg row=1x1:int32=ones
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def pick_row(a, row):
    R, F = a.shape
    rt = nl.ndarray((1, 1), dtype=nl.int32, buffer=nl.sbuf)
    nisa.dma_copy(dst=rt, src=row)
    nisa.tensor_scalar(dst=rt, data=rt, op0=nl.multiply, operand0=100)
    out = nl.ndarray((1, F), dtype=a.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=a.ap(pattern=[[F, 1], [1, F]], offset=0, scalar_offset=rt, indirect_dim=0))
    return out
