"""Beta 1 row scaling with a masked partial last tile (migration fixture)."""
from neuronxcc import nki
import neuronxcc.nki.language as nl


@nki.jit
def masked_scale(x, factor):
    R, F = x.shape
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    i_f = nl.arange(F)[None, :]
    for p in nl.affine_range((R + 127) // 128):
        i_p = p * 128 + nl.arange(128)[:, None]
        t = nl.load(x[i_p, i_f], mask=(i_p < R))
        # scale the rows that exist
        y = nl.multiply(t, factor, mask=(i_p < R))
        nl.store(out[i_p, i_f], value=y, mask=(i_p < R))
    return out
