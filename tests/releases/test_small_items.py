"""Small NKI 0.7.0 items: `.data` of a plain tensor (the tensor itself; 0.7.0 and the default, an error
under 0.6.0) and nl.empty_like of a tile/block grid (a new grid with the same tile layout in the given
buffer). Our kernels vs NumPy; tolerance: exact (fp32 adds/scales by 2 or 1 are the same operations as
NumPy's). The 0.4.0 dma_transpose rank rule is not release-switched (docs/semantics.md, "NKI releases")."""
import os
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "kernels"))
import small_items as k  # noqa: E402
from release_util import error_line, needs_release_selection, run  # noqa: E402

KFILE = os.path.join(HERE, "kernels", "small_items.py")
RELEASES = [None, "0.7"]  # None: the default
rng = np.random.default_rng(8)


def randn(*shape):
    return rng.standard_normal(shape, dtype=np.float32)


@pytest.mark.parametrize("ver", RELEASES)
def test_tensor_data_is_the_tensor(ver):
    x = randn(64, 96)
    np.testing.assert_array_equal(run(k.tensor_data, x, ver=ver), x + np.float32(1))


def test_tensor_data_missing_before_0_7():
    x = randn(64, 96)
    needs_release_selection(k.tensor_data, (x,), "0.6")
    with pytest.raises(Exception) as e:
        run(k.tensor_data, x, ver="0.6")
    assert "tensor has no attribute 'data' in NKI 0.6.0" in str(e.value)
    assert e.value.lineno == error_line(KFILE, "tensor_data")


@pytest.mark.parametrize("ver", RELEASES)
@pytest.mark.parametrize("shape", [(256, 256), (200, 150)])
def test_empty_like_tile_grid(ver, shape):
    x = randn(*shape)
    np.testing.assert_array_equal(run(k.empty_like_tiles, x, ver=ver), x * np.float32(2))


@pytest.mark.parametrize("ver", RELEASES)
@pytest.mark.parametrize("shape", [(256, 512), (128, 384)])
def test_empty_like_block_grid(ver, shape):
    x = randn(*shape)
    np.testing.assert_array_equal(run(k.empty_like_blocks, x, ver=ver), x + x)


@pytest.mark.parametrize("ver", [None, "0.6", "0.7"])
def test_empty_like_tensor_unchanged(ver):
    x = randn(32, 48)
    np.testing.assert_array_equal(run(k.empty_like_tensor, x, ver=ver), x)


def test_empty_like_grid_error_at_call():
    x = randn(128, 8192)
    with pytest.raises(Exception) as e:
        run(k.empty_like_psum_too_big, x)
    assert "PSUM tensor needs 32768 bytes per partition" in str(e.value)
    assert e.value.lineno == error_line(KFILE, "empty_like_psum_too_big")
