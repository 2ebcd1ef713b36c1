# nkic: kernel=kernel --arg a=4x4:float32
# A nested def may call itself; a recursion that never ends stops at the call-depth limit.
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def kernel(a):
    def depth(n):
        return depth(n + 1)

    d = depth(0)
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=a)
    return out
