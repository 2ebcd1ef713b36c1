# nkic: --arg a=128x128:float32
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def out_of_range(a):
    t = nl.ndarray((32, 128), dtype=nl.float32, buffer=nl.sbuf, address=(112, 0))
    nisa.memset(dst=t, value=0.0)
