# nkic: --arg a=128x128:float32
import nki
import nki.language as nl

@nki.jit
def k(a):
    buf = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
    ident = nl.shared_identity_matrix(128, dtype=nl.float32, dst=buf)
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    nl.store(out, ident)
    return out
