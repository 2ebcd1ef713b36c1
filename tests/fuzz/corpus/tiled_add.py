"""Elementwise add over a large tensor, tiled into [128, 512] pieces with nl.affine_range.

Run it:  python examples/tiled_add.py
"""
import numpy as np

import nki
import nki.isa as nisa
import nki.language as nl

TILE_P = 128
TILE_F = 512


@nki.jit
def tiled_add(a, b):
    rows, cols = a.shape
    assert rows % TILE_P == 0 and cols % TILE_F == 0, "shape must tile by [128, 512]"
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    for i in nl.affine_range(rows // TILE_P):
        for j in nl.affine_range(cols // TILE_F):
            rs = slice(i * TILE_P, (i + 1) * TILE_P)
            cs = slice(j * TILE_F, (j + 1) * TILE_F)
            a_tile = nl.ndarray((TILE_P, TILE_F), dtype=a.dtype, buffer=nl.sbuf)
            b_tile = nl.ndarray((TILE_P, TILE_F), dtype=a.dtype, buffer=nl.sbuf)
            nisa.dma_copy(dst=a_tile, src=a[rs, cs])
            nisa.dma_copy(dst=b_tile, src=b[rs, cs])
            nisa.tensor_tensor(dst=a_tile, data1=a_tile, data2=b_tile, op=nl.add)
            nisa.dma_copy(dst=out[rs, cs], src=a_tile)
    return out


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    a = rng.standard_normal((1024, 1024), dtype=np.float32)
    b = rng.standard_normal((1024, 1024), dtype=np.float32)
    out = nki.simulate(tiled_add)(a, b)
    print("matches numpy:", np.array_equal(out, a + b))
