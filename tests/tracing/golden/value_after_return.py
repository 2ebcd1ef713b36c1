# call: kernel(np.zeros((128, 64), np.float32)); KEPT[0][0:64, :]
# an NKI value used after its kernel returned
import nki
import nki.isa as nisa
import nki.language as nl

KEPT = []


@nki.jit
def kernel(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
    KEPT.append(t)
    nisa.dma_copy(dst=t, src=a)
    nisa.dma_copy(dst=out, src=t)
    return out
