# call: kernel(np.ones((1, 1), np.int32))
# `while reg:` was removed in NKI 0.7.0 (nl.while_loop replaces it)
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def kernel(n):
    out = nl.ndarray((1, 1), dtype=nl.int32, buffer=nl.shared_hbm)
    t = nl.ndarray((1, 1), dtype=nl.int32, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=n)
    r = nisa.register_alloc(0)
    nisa.register_load(r, t)
    while r:
        nisa.dma_copy(dst=out, src=t)
    return out
