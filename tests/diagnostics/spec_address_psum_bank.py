# nkic: --arg a=128x128:float32
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def psum_bank(a):
    p = nl.ndarray((128, 128), dtype=nl.float32, buffer=nl.psum, address=(0, 1024))
    nisa.memset(dst=p, value=0.0)
