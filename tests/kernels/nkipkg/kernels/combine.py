import nki
import nki.isa as nisa
import nki.language as nl

from ..config import Combine, TileConfig
from ..utils import tile_slices
from ..utils.tiling import Counter, op_for


@nki.jit
def combine_kernel(a, b, mode=Combine.ADD, tile_f=256):
    cfg = TileConfig(tile_f=tile_f, combine=mode)
    rows, cols = a.shape
    n_p, n_f = cfg.num_tiles(rows, cols)
    assert n_p * cfg.tile_p == rows and n_f * cfg.tile_f == cols, f"{a.shape} does not tile by {cfg}"
    op = op_for(cfg.combine)
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    tiles = Counter()
    for i in nl.affine_range(n_p):
        for j in nl.affine_range(n_f):
            rs, cs = tile_slices(cfg, i, j)
            x = nl.ndarray((cfg.tile_p, cfg.tile_f), dtype=a.dtype, buffer=nl.sbuf)
            y = nl.ndarray((cfg.tile_p, cfg.tile_f), dtype=b.dtype, buffer=nl.sbuf)
            nisa.dma_copy(dst=x, src=a[rs, cs])
            nisa.dma_copy(dst=y, src=b[rs, cs])
            nisa.tensor_tensor(dst=x, data1=x, data2=y, op=op)
            nisa.dma_copy(dst=out[rs, cs], src=x)
            tiles.bump()
    assert tiles.count == n_p * n_f
    return out


if __name__ == "__main__":
    import numpy as np  # host code: never evaluated by the compiler
    print(combine_kernel(np.ones((128, 512), np.float32), np.ones((128, 512), np.float32)))
