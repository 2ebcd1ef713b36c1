"""Beta 1 index grids (nl.arange, nl.mgrid), affine index expressions and mask= predicates
(tests/legacy/kernels/index_grids.py, index_errors.py). Every result is a copy or an exactly rounded
fp32 op (2x + 1, x * 2, max): compared with NumPy exactly (tolerance 0)."""
import inspect
import os
import sys

import numpy as np
import pytest

import nki

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernels"))

import index_errors as ke  # noqa: E402
import index_grids as kg  # noqa: E402

RNG = np.random.default_rng(11)


def f32(*shape):
    return RNG.standard_normal(shape, dtype=np.float32)


def run(kernel, *args):
    return nki.simulate(kernel)(*args)


def test_ragged_edge_300x1000():
    x = f32(300, 1000)
    np.testing.assert_array_equal(run(kg.ragged_affine, x), x * np.float32(2) + np.float32(1))


def test_mgrid_unpacked_and_attributes():
    x = f32(256, 512)
    np.testing.assert_array_equal(run(kg.mgrid_copy, x), x)


def test_free_axis_transpose_on_chip():
    x = f32(128, 32)
    ref = x.reshape(128, 8, 4).transpose(0, 2, 1).reshape(128, 32)
    np.testing.assert_array_equal(run(kg.free_transpose, x), ref)


def test_hbm_axis_permutation():
    x3 = f32(128, 4, 8)
    np.testing.assert_array_equal(run(kg.hbm_permute, x3), x3.transpose(0, 2, 1))


def test_strided_interleave():
    x = f32(128, 64)
    ref = x.copy()
    ref[:, 0::2], ref[:, 1::2] = x[:, 1::2], x[:, 0::2]
    np.testing.assert_array_equal(run(kg.interleave_swap, x), ref)


def test_max_pool_5d_grid():
    x = f32(128, 8, 12)
    np.testing.assert_array_equal(run(kg.max_pool, x), x.reshape(128, 4, 2, 6, 2).max(axis=(2, 4)))


def test_masks_bound_axes_by_position_and_loop_masks_turn_calls_off():
    x = f32(128, 512)
    ref = x.copy()
    ref[:64, 16:256] *= np.float32(2)
    np.testing.assert_array_equal(run(kg.masked_square, x), ref)


def test_ragged_edge_beta1_load_compute_store():
    x = f32(300, 1000)
    np.testing.assert_array_equal(run(kg.ragged_beta1, x), x * np.float32(2) + np.float32(1))


def test_assignment_into_grid_view_pairs_by_position():
    x = f32(128, 32)
    ref = x.reshape(128, 8, 4).transpose(0, 2, 1).reshape(128, 32)
    np.testing.assert_array_equal(run(kg.grid_assignment, x), ref)


def test_program_id_in_grid_expression():
    x = f32(256, 64)
    np.testing.assert_array_equal(nki.simulate(kg.program_id_rows)[2](x), x * np.float32(3))


def test_indirect_row_gather():
    data = f32(500, 64)
    idx = RNG.integers(0, 500, size=(128, 1)).astype(np.int32)
    np.testing.assert_array_equal(run(kg.gather_rows, data, idx), data[idx[:, 0]])


ERRORS = {
    "mixed_styles": "cannot mix index grids (nl.arange/nl.mgrid) with slices",
    "one_d_arange": "a 1-D index grid cannot index a tensor",
    "control_flow_on_grid": "has no truth value at compile time",
    "bool_and_in_mask": "has no truth value at compile time",
    "not_on_grid": "has no truth value at compile time",
    "static_oob": "index grid values 200..327 are out of bounds for dimension 0 with size 300",
    "oob_not_covered_by_mask": "index grid values 200..327 are out of bounds for dimension 0 with size 300 (under "
    "the mask)",
    "modulo_in_index": "unsupported expression in mask or index: '%' of an index grid is not affine",
    "modulo_in_mask": "unsupported expression in mask or index: '%' of an index grid is not affine",
    "tensor_in_mask": "unsupported expression in mask or index: a tensor's values are not known at compile time",
    "tile_as_mask": "unsupported expression in mask or index: a tensor's values are not known at compile time",
    "float_in_mask": "unsupported expression in mask or index: a float",
    "or_in_mask": "predicates can only be joined with '&'",
    "two_axes_in_one_comparison": "varies along grid axes 0 and 1; each one may bound a single axis",
    "grid_product": "a product of two index grids is not affine",
    "partition_stride": "the partition index must be a contiguous unit-stride run, but it steps by 2",
    "partition_on_free_axis": "the partition index of an on-chip tensor can only vary along the first grid axis",
    "shapes_do_not_broadcast": "index grids of shapes (128, 1) and (64, 1) do not broadcast together",
    "grid_placement": "an index grid can only be placed with ':' and None",
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_rejections_at_their_line(name):
    fn = getattr(ke, name)
    src, first = inspect.getsourcelines(fn.func if hasattr(fn, "func") else fn)
    line = first + next(i for i, s in enumerate(src) if "# error" in s)
    with pytest.raises(nki.NkiCompileError) as e:
        run(fn, np.zeros((300, 64), np.float32))
    assert e.value.lineno == line
    assert ERRORS[name] in str(e.value)
