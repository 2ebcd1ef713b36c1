"""NKI 0.7.0 tile and block grids (nki-spec.md §11.4): nl.tiles, nl.blocks, nl.alloc_tiles, nl.alloc_blocks
and the grid attributes — our own kernels vs NumPy under 0.7.0 and the default release, the errors, and
the error under 0.6.0, which lacks them. Tolerance: exact for the adds and the scale (the same fp32
operations as NumPy), 1e-5 of the largest |value| for the fp32 matmul (accumulation order differs)."""
import os
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "kernels"))
import r07_grids as k  # noqa: E402
from release_util import error_line, needs_release_selection, run  # noqa: E402

KFILE = os.path.join(HERE, "kernels", "r07_grids.py")
RELEASES = [None, "0.7"]  # None: the default
rng = np.random.default_rng(7)


def randn(*shape):
    return rng.standard_normal(shape, dtype=np.float32)


@pytest.mark.parametrize("ver", RELEASES)
@pytest.mark.parametrize("shape,tile", [((256, 512), (128, 256)), ((300, 200), (128, 64)), ((50, 30), (128, 64))])
def test_tiled_add(ver, shape, tile):
    """Edge tiles are clamped: (300, 200) with (128, 64) tiles ends in a (44, 8) tile; (50, 30) is one tile."""
    a, b = randn(*shape), randn(*shape)
    np.testing.assert_array_equal(run(k.tiled_add, a, b, *tile, ver=ver), a + b)


@pytest.mark.parametrize("ver", RELEASES)
@pytest.mark.parametrize("shape", [(256, 384), (200, 300)])
def test_tiled_add_rows_through_sbuf_tile_grid(ver, shape):
    a, b = randn(*shape), randn(*shape)
    np.testing.assert_array_equal(run(k.tiled_add_rows, a, b, ver=ver), a + b)


@pytest.mark.parametrize("ver", RELEASES)
@pytest.mark.parametrize("K,M,N", [(256, 256, 2048), (128, 128, 1024), (384, 128, 1536)])
def test_grid_matmul(ver, K, M, N):
    lhsT, rhs = randn(K, M), randn(K, N)
    out = run(k.grid_matmul, lhsT, rhs, ver=ver)
    ref = lhsT.astype(np.float64).T @ rhs.astype(np.float64)
    assert np.abs(out - ref).max() <= 1e-5 * np.abs(ref).max()


@pytest.mark.parametrize("ver", RELEASES)
def test_untiled_leading_dim(ver):
    x = randn(3, 100, 70)
    np.testing.assert_array_equal(run(k.batched_scale, x, ver=ver), x * 2)


@pytest.mark.parametrize("ver", RELEASES)
@pytest.mark.parametrize("rows", [256, 200])
def test_alloc_blocks_and_hbm_alloc_tiles(ver, rows):
    x = randn(rows, 1024)
    np.testing.assert_array_equal(run(k.block_scale, x, ver=ver), x * np.float32(3))


def test_grid_attributes():
    got = run(k.grid_facts, np.zeros((300, 200), np.float32))[0].tolist()
    expected = [
        3, 4,          # g.shape: ceil(300/128), ceil(200/64)
        128, 64,       # g.tile_shape
        44, 8,         # g[2, 3].element_shape: the clamped corner tile
        4,             # g[1, :].shape
        128, 200,      # g[1, :].element_shape
        128, 64,       # g.index_step_elements
        2, 2,          # blocks: shape
        2, 2,          # block_shape
        256, 128,      # blocks: index_step_elements
        44, 72,        # bg[1, 1].element_shape
        2, 2,          # nl.tiles(bg[0, 1]).shape: a block back to tiles
        1, 0, 1,       # is_remainder: corner tile, first tile, a row ending in a partial tile
        0, 1, 0,       # SBUF tile grid: is_data_representable of all, a row of tiles, a column of tiles
        1, 1, 1,       # isinstance NkiTileGrid / NkiBlockGrid / NkiGrid
        1, 1, 1,       # buffer (HBM), buffer (SBUF), dtype
    ]
    assert got == expected


@pytest.mark.parametrize("name,message", [
    ("data_not_representable", "cannot be one tensor operand: it spans 2 partition tiles"),
    ("tile_shape_rank1", "tile_shape needs at least 2 dimensions"),
    ("grid_index_out_of_range", "grid index 2 is out of range for axis 0 with 2 cells"),
    ("positional_tile_shape", "nl.tiles takes one positional argument (source)"),
    ("sbuf_untiled_dim", "an SBUF/PSUM grid is tiled in every dimension"),
    ("blocks_no_block_shape", "nl.blocks needs block_shape="),
    ("block_rank_mismatch", "block_shape (2, 2, 2) must have as many dimensions as tile_shape (64, 64)"),
])
def test_grid_errors(name, message):
    x = randn(128, 64)
    with pytest.raises(Exception) as e:
        run(getattr(k, name), x)
    assert message in str(e.value)
    assert e.value.lineno == error_line(KFILE, name)


def test_grids_under_0_7_and_default():
    x = randn(64, 64)
    for ver in RELEASES:
        np.testing.assert_array_equal(run(k.uses_tiles, x, ver=ver), x)


def test_grids_missing_before_0_7():
    x = randn(64, 64)
    needs_release_selection(k.uses_tiles, (x,), "0.6")
    with pytest.raises(Exception) as e:
        run(k.uses_tiles, x, ver="0.6")
    assert "'nki.language.tiles' is not in NKI 0.6.0: it was added in NKI 0.7.0" in str(e.value)
    assert e.value.lineno == error_line(KFILE, "uses_tiles")
