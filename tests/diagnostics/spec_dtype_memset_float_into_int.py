# nkic: --arg a=4x4:int32
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def fill(a):
    t = nl.ndarray((4, 4), dtype=nl.int32, buffer=nl.sbuf)
    nisa.memset(dst=t, value=1.5)
