# call: kernel(np.zeros((128, 64), np.float32))
# env: NKIC_NKI_RELEASE=0.7
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def kernel(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    for _ in nl.dynamic_range(4):
        nisa.dma_copy(dst=out, src=a)
    return out
