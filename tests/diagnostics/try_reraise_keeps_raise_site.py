# nkic: kernel=kernel --arg a=4x4:float32
# A bare `raise` in a handler re-raises the exception from the line that first raised it.
import nki
import nki.isa as nisa
import nki.language as nl


def check_rank(shape):
    if len(shape) != 3:
        raise ValueError(f"expected a 3-D shape, got {shape}")


@nki.jit
def kernel(a):
    try:
        check_rank(a.shape)
    except ValueError:
        print("rank check failed")
        raise
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=a)
    return out
