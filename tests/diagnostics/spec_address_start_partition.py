# nkic: --arg a=128x128:float32
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def bad_start(a):
    t = nl.ndarray((64, 128), dtype=nl.float32, buffer=nl.sbuf, address=(32, 0))
    nisa.memset(dst=t, value=0.0)
