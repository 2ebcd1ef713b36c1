# nkic: --arg a=128x64:float32
import nki
import nki.language as nl

@nki.jit
def k(a):
    c = nl.shared_constant(a)
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    nl.store(out, nl.load(c))
    return out
