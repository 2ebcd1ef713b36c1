# nkic: --arg a=128x24:uint32
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def seed(a):
    s = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=s, src=a)
    nisa.rand_set_state(src_seeds=s, engine=nisa.vector_engine)
