"""Our own kernels for NKI 0.7.0's tile and block grids (nl.tiles, nl.blocks, nl.alloc_tiles,
nl.alloc_blocks). Plain functions: the tests wrap them in nki.jit per release."""
import nki.isa as nisa
import nki.language as nl


def tiled_add(a, b, tp, tf):
    """a + b, one (tp, tf) tile at a time; edge tiles are clamped when the shape does not divide."""
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    ga = nl.tiles(a, tile_shape=(tp, tf))
    gb = nl.tiles(b, tile_shape=(tp, tf))
    go = nl.tiles(out, tile_shape=(tp, tf))
    for i in range(ga.shape[0]):
        for j in range(ga.shape[1]):
            t = ga[i, j]
            x = nl.ndarray(t.element_shape, dtype=a.dtype, buffer=nl.sbuf)
            y = nl.ndarray(t.element_shape, dtype=a.dtype, buffer=nl.sbuf)
            nisa.dma_copy(dst=x, src=t.data)
            nisa.dma_copy(dst=y, src=gb[i, j].data)
            nisa.tensor_tensor(dst=x, data1=x, data2=y, op=nl.add)
            nisa.dma_copy(dst=go[i, j].data, src=x)
    return out


def tiled_add_rows(a, b):
    """a + b with (128, 128) tiles moved a row of tiles per DMA into an SBUF tile grid (alloc_tiles)."""
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    ga, gb, go = nl.tiles(a, tile_shape=(128, 128)), nl.tiles(b, tile_shape=(128, 128)), nl.tiles(out, tile_shape=(128, 128))
    sa = nl.alloc_tiles(tile_shape=(128, 128), element_shape=a.shape, buffer=nl.sbuf, dtype=a.dtype)
    sb = nl.alloc_tiles(tile_shape=(128, 128), element_shape=b.shape, buffer=nl.sbuf, dtype=b.dtype)
    for i in range(ga.shape[0]):
        nisa.dma_copy(dst=sa[i, :].data, src=ga[i, :].data)
        nisa.dma_copy(dst=sb[i, :].data, src=gb[i, :].data)
        for j in range(ga.shape[1]):
            nisa.tensor_tensor(dst=sa[i, j].data, data1=sa[i, j].data, data2=sb[i, j].data, op=nl.add)
        nisa.dma_copy(dst=go[i, :].data, src=sa[i, :].data)
    return out


def grid_matmul(lhsT, rhs):
    """out[M, N] = lhsT[K, M].T @ rhs[K, N]: (128, 128) stationary tiles, (128, 512) moving tiles, each
    rhs block of 1 x 2 tiles loaded with one DMA (a last block may hold one tile), and the K tiles accumulated
    in a PSUM tile grid."""
    K, M = lhsT.shape
    _, N = rhs.shape
    out = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.shared_hbm)
    gl = nl.tiles(lhsT, tile_shape=(128, 128))
    gr = nl.blocks(rhs, tile_shape=(128, 512), block_shape=(1, 2))
    go = nl.tiles(out, tile_shape=(128, 512))
    for m in range(gl.shape[1]):
        for nb in range(gr.shape[1]):
            width = gr[0, nb].element_shape[1]  # 1024, or 512 for a last block of one tile
            acc = nl.alloc_tiles(tile_shape=(128, 512), element_shape=(128, width), buffer=nl.psum, dtype=nl.float32)
            for k in range(gl.shape[0]):
                st = nl.ndarray(gl[k, m].element_shape, dtype=lhsT.dtype, buffer=nl.sbuf)
                nisa.dma_copy(dst=st, src=gl[k, m].data)
                blk = gr[k, nb]
                mv = nl.ndarray(blk.element_shape, dtype=rhs.dtype, buffer=nl.sbuf)
                nisa.dma_copy(dst=mv, src=blk.data)
                mt = nl.tiles(nl.tiles(mv, tile_shape=(128, 512)))  # a grid of a grid: the same tiles
                for j in range(mt.shape[1]):
                    nisa.nc_matmul(dst=acc[0, j].data, stationary=st, moving=mt[0, j].data)
            res = nl.ndarray(acc.element_shape, dtype=nl.float32, buffer=nl.sbuf)
            nisa.tensor_copy(dst=res, src=acc.data)
            nisa.dma_copy(dst=go[m, 2 * nb:2 * nb + 2].data, src=res)  # a slice past the end is clamped
    return out


def batched_scale(x):
    """x * 2 for a (B, R, C) HBM tensor: the leading dim stays untiled and an int index consumes it."""
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    gx = nl.tiles(x, tile_shape=(64, 32))
    go = nl.tiles(out, tile_shape=(64, 32))
    for b in range(gx.shape[0]):
        for i in range(gx.shape[1]):
            for j in range(gx.shape[2]):
                t = nl.ndarray(gx[b, i, j].element_shape, dtype=x.dtype, buffer=nl.sbuf)
                nisa.dma_copy(dst=t, src=gx[b, i, j].data)
                nisa.tensor_scalar(dst=t, data=t, op0=nl.multiply, operand0=2.0)
                nisa.dma_copy(dst=go[b, i, j].data, src=t)
    return out


def block_scale(x):
    """x * 3 for an (R, 1024) tensor: (128, 256) tiles in blocks of 1 x 2 moved into an SBUF block grid
    (alloc_blocks), scaled tile by tile, staged through an HBM tile grid (alloc_tiles) and copied out."""
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    gx = nl.blocks(x, tile_shape=(128, 256), block_shape=(1, 2))
    stage = nl.alloc_tiles(tile_shape=(128, 256), element_shape=x.shape, buffer=nl.shared_hbm, dtype=x.dtype)
    for i in range(gx.shape[0]):
        sb = nl.alloc_blocks(tile_shape=(128, 256), block_shape=(1, 2), element_shape=(gx[i, 0].element_shape[0], 1024),
                             buffer=nl.sbuf, dtype=x.dtype)
        for bj in range(gx.shape[1]):
            nisa.dma_copy(dst=sb[0, bj].data, src=gx[i, bj].data)
        st = nl.tiles(sb)
        for j in range(st.shape[1]):
            nisa.tensor_scalar(dst=st[0, j].data, data=st[0, j].data, op0=nl.multiply, operand0=3.0)
        nisa.dma_copy(dst=nl.tiles(stage)[i, :].data, src=sb.data)
    nisa.dma_copy(dst=out, src=stage.data)
    return out


def grid_facts(x):
    """The attributes of grids over a (300, 200) tensor with (128, 64) tiles, returned as a (1, N) array."""
    g = nl.tiles(x, tile_shape=(128, 64))
    e = g[2, 3]
    r = g[1, :]
    bg = nl.blocks(x, tile_shape=(128, 64), block_shape=(2, 2))
    sb = nl.alloc_tiles(tile_shape=(128, 64), element_shape=(300, 200), buffer=nl.sbuf, dtype=nl.float32)
    vals = (g.shape + g.tile_shape + e.element_shape + r.shape + r.element_shape + g.index_step_elements
            + bg.shape + bg.block_shape + bg.index_step_elements + bg[1, 1].element_shape
            + nl.tiles(bg[0, 1]).shape
            + (int(e.is_remainder), int(g[0, 0].is_remainder), int(r.is_remainder),
               int(sb.is_data_representable), int(sb[1, :].is_data_representable), int(sb[:, 1].is_data_representable),
               int(isinstance(g, nl.NkiTileGrid)), int(isinstance(bg, nl.NkiBlockGrid)),
               int(isinstance(bg, nl.NkiGrid)), int(g.buffer == nl.hbm or g.buffer == nl.shared_hbm),
               int(sb.buffer == nl.sbuf), int(g.dtype == x.dtype)))
    out = nl.ndarray((1, len(vals)), dtype=nl.int32, buffer=nl.shared_hbm)
    t = nl.ndarray((1, len(vals)), dtype=nl.int32, buffer=nl.sbuf)
    for i in range(len(vals)):
        nisa.memset(t[0:1, i:i + 1], vals[i])
    nisa.dma_copy(dst=out, src=t)
    return out


# ---- errors ----
def data_not_representable(x):
    sb = nl.alloc_tiles(tile_shape=(128, 64), element_shape=(256, 64), buffer=nl.sbuf, dtype=nl.float32)
    nisa.dma_copy(dst=sb.data, src=x)  # ERROR-LINE data_not_representable
    return x


def tile_shape_rank1(x):
    g = nl.tiles(x, tile_shape=(128,))  # ERROR-LINE tile_shape_rank1
    return g


def grid_index_out_of_range(x):
    g = nl.tiles(x, tile_shape=(64, 64))
    t = g[2, 0]  # ERROR-LINE grid_index_out_of_range
    return t


def positional_tile_shape(x):
    g = nl.tiles(x, (64, 64))  # ERROR-LINE positional_tile_shape
    return g


def sbuf_untiled_dim(x):
    g = nl.alloc_tiles(tile_shape=(64, 64), element_shape=(2, 64, 64), buffer=nl.sbuf, dtype=nl.float32)  # ERROR-LINE sbuf_untiled_dim
    return g


def block_rank_mismatch(x):
    g = nl.blocks(x, tile_shape=(64, 64), block_shape=(2, 2, 2))  # ERROR-LINE block_rank_mismatch
    return g


def blocks_no_block_shape(x):
    g = nl.blocks(x, tile_shape=(64, 64))  # ERROR-LINE blocks_no_block_shape
    return g


def uses_tiles(x):
    """nl.tiles under a release that lacks it."""
    g = nl.tiles(x, tile_shape=(64, 64))  # ERROR-LINE uses_tiles
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=g.data)
    nisa.dma_copy(dst=out, src=t)
    return out
