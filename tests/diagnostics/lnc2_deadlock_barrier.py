# nkic: cmd=run --lnc 2 --arg x=128x8:float32
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def kernel(x):
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    if nl.program_id(0) == 0:  # core 1 never reaches the barrier
        nisa.core_barrier(out, (0, 1))
    nisa.dma_copy(dst=out, src=t)
    return out
