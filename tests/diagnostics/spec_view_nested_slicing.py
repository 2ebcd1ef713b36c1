# nkic: --arg a=128x512:float32
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def twice(a):
    t = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.sbuf)
    u = t[0:64, :][0:32, :]
