# nkic: --arg a=128x64:float32
import nki
import nki.language as nl


@nki.jit
def huge(a):
    out = nl.ndarray((4, 1 << 32), dtype=nl.float32, buffer=nl.shared_hbm)
    return out
