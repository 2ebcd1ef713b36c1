# nkic: --arg a=128x512:float32
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def hog(a):
    tiles = []
    for i in range(8):
        t = nl.ndarray((128, 8192), dtype=nl.float32, buffer=nl.sbuf)
        nisa.memset(dst=t, value=0.0)
        tiles.append(t)
    for t in tiles:
        nisa.tensor_copy(dst=t, src=t)
