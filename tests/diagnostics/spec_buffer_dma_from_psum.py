# nkic: --arg a=128x512:float32
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def evict(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    acc = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.psum)
    nisa.dma_copy(dst=out, src=acc)
    return out
