# nkic: --arg a=4x4:float32
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def copy(a):
    t = nl.ndarray((4, 4), dtype=nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, source=a)
