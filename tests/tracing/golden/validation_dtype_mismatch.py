# call: kernel(np.zeros((1, 1), np.float32))
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def kernel(n):
    t = nl.ndarray((1, 1), dtype=nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=n)
    s = nisa.scalar_load(src=t)
    return s
