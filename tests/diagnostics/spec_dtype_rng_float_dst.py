# nkic: --arg a=128x64:float32
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def noise(a):
    r = nl.ndarray(a.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.rng(dst=r)
