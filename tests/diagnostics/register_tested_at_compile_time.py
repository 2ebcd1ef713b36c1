# nkic: --arg a=128x64:float32 --arg flag=1x1:int32
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def maybe_copy(a, flag):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    f = nl.ndarray((1, 1), dtype=nl.int32, buffer=nl.sbuf)
    nisa.dma_copy(dst=f, src=flag)
    r = nisa.register_alloc()
    nisa.register_load(r, f)
    if r:
        nisa.dma_copy(dst=out, src=a)
    return out
