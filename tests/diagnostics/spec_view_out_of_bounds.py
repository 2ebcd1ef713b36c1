# nkic: --arg a=128x512:float32
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def window(a):
    t = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=a[:, 256:768])
