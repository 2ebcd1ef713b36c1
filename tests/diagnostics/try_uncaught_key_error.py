# nkic: kernel=kernel --arg a=4x4:float32
# A KeyError no handler matches is reported exactly where it was raised, with the call stack.
import nki
import nki.isa as nisa
import nki.language as nl

TILE_SIZES = {"small": 4, "large": 128}


def tile_size(name):
    return TILE_SIZES[name]


@nki.jit
def kernel(a):
    try:
        n = tile_size("medium")
    except IndexError:
        n = 1
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=a)
    return out
