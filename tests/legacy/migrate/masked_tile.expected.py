"""Beta 1 row scaling with a masked partial last tile (migration fixture)."""
import nki
import nki.language as nl
import nki.isa as nisa


@nki.jit
def masked_scale(x, factor):
    R, F = x.shape
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    for p in nl.affine_range((R + 127) // 128):
        t = nl.ndarray(x[p * 128:min(p * 128 + 128, R), 0:F].shape, dtype=x[p * 128:min(p * 128 + 128, R), 0:F].dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=t, src=x[p * 128:min(p * 128 + 128, R), 0:F])
        # scale the rows that exist
        y = nl.multiply(t, factor)
        nisa.dma_copy(dst=out[p * 128:min(p * 128 + 128, R), 0:F], src=y)
    return out
