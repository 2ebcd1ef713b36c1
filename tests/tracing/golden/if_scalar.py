# call: kernel(np.ones((1, 1), np.int32))
# `if` on a run-time value: a TypeError in NKI 0.7.0's tracing
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def kernel(n):
    out = nl.ndarray((1, 1), dtype=nl.int32, buffer=nl.shared_hbm)
    s = nisa.scalar_load(n)
    if s:
        nisa.dma_copy(dst=out, src=n)
    return out
