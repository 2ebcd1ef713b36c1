# nkic: --arg a=128x64:float32
# A hardware loop's body is traced once for the device: an exception raised in it cannot be caught
# outside the loop, and is reported where it was raised.
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def kernel(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    tile = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
    modes = {"copy": 1}
    try:
        for i in nl.dynamic_range(4):
            nisa.dma_copy(dst=tile, src=a)
            m = modes["scale"]
    except KeyError:
        pass
    nisa.dma_copy(dst=out, src=tile)
    return out
