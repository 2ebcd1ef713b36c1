"""Our own kernels for the small NKI 0.7.0 items: `.data` of a plain tensor and nl.empty_like of a
tile/block grid. Plain functions: the tests wrap them in nki.jit per release."""
import nki.isa as nisa
import nki.language as nl


def tensor_data(x):
    """x + 1 where every operand is a plain tensor's `.data` (as AWS's 0.7.0 grid examples write)."""
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t.data, src=x.data)  # ERROR-LINE tensor_data
    nisa.tensor_scalar(dst=t.data.data, data=t.data, op0=nl.add, operand0=1.0)
    nisa.dma_copy(dst=out.data, src=t)
    return out


def empty_like_tiles(x):
    """x * 2 through an SBUF tile grid made by nl.empty_like of x's HBM tile grid (same tile layout)."""
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    gx = nl.tiles(x, tile_shape=(128, 64))
    go = nl.tiles(out, tile_shape=(128, 64))
    s = nl.empty_like(gx, buffer=nl.sbuf)
    assert s.shape == gx.shape and s.tile_shape == gx.tile_shape and s.element_shape == gx.element_shape
    assert s.buffer == nl.sbuf and s.dtype == x.dtype
    for i in range(gx.shape[0]):
        nisa.dma_copy(dst=s[i, :].data, src=gx[i, :].data)
        for j in range(gx.shape[1]):
            nisa.tensor_scalar(dst=s[i, j].data, data=s[i, j].data, op0=nl.multiply, operand0=2.0)
        nisa.dma_copy(dst=go[i, :].data, src=s[i, :].data)
    return out


def empty_like_blocks(x):
    """x + x through a block grid: an SBUF alloc_blocks grid, then an HBM copy of its layout by
    nl.empty_like (a plain HBM tensor under the grid), then back."""
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    gx = nl.blocks(x, tile_shape=(128, 128), block_shape=(1, 2))
    go = nl.blocks(out, tile_shape=(128, 128), block_shape=(1, 2))
    sb = nl.alloc_blocks(tile_shape=(128, 128), block_shape=(1, 2), element_shape=x.shape, buffer=nl.sbuf,
                         dtype=x.dtype)
    hb = nl.empty_like(sb, buffer=nl.shared_hbm)
    assert hb.block_shape == sb.block_shape and hb.shape == sb.shape and hb.buffer == nl.shared_hbm
    for i in range(gx.shape[0]):
        for j in range(gx.shape[1]):
            nisa.dma_copy(dst=sb[i, j].data, src=gx[i, j].data)
            nisa.tensor_tensor(dst=sb[i, j].data, data1=sb[i, j].data, data2=sb[i, j].data, op=nl.add)
            nisa.dma_copy(dst=hb[i, j].data, src=sb[i, j].data)
            nisa.dma_copy(dst=go[i, j].data, src=hb[i, j].data)
    return out


def empty_like_tensor(x):
    """nl.empty_like of a plain tensor is unchanged (a tensor of x's shape/dtype)."""
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    t = nl.empty_like(x, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    nisa.dma_copy(dst=out, src=t)
    return out


def empty_like_psum_too_big(x):
    """A PSUM grid like an HBM grid too big for PSUM: nl.ndarray's checks, at the call."""
    g = nl.tiles(x, tile_shape=(128, 512))
    p = nl.empty_like(g, buffer=nl.psum)  # ERROR-LINE empty_like_psum_too_big
    return x
