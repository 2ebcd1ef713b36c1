# nkic: --arg a=128x128:float32
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def unaligned_rows(a):
    t = nl.ndarray((128, 128), dtype=nl.float32, buffer=nl.sbuf)
    row = nl.ndarray((1, 128), dtype=nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=a)
    nisa.tensor_copy(dst=row, src=t[5:6, :])
