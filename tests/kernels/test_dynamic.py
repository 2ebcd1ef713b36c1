"""Registers, hardware loops and dynamic DMA offsets vs NumPy. Everything here is exact: loops repeat
fp32 additions of the same values in a fixed order (the reference does the same additions), and
gathers/scatters move raw bytes."""
import os
import sys

import ml_dtypes
import numpy as np
import pytest

import nki

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dynamic_kernels as k  # noqa: E402

rng = np.random.default_rng(11)


def randn(*shape):
    return rng.standard_normal(shape, dtype=np.float32)


def repeated_sum(x, n):
    acc = np.zeros_like(x)
    for _ in range(n):
        acc = (acc + x).astype(np.float32)
    return acc


def test_register_move_load_store():
    out = k.register_roundtrip_k(np.array([[-7]], np.int32), 123456)
    np.testing.assert_array_equal(out[:, 0], [123456, -7])


@pytest.mark.parametrize("start,stop,step", [(0, 5, 1), (2, 9, 3), (4, 4, 1), (7, 3, 1)])
def test_dynamic_range_int_bounds(start, stop, step):
    x = randn(32, 16)
    out = k.repeat_add_k(x, start, stop, step)
    np.testing.assert_array_equal(out, repeated_sum(x, len(range(start, stop, step))))


def test_dynamic_range_body_is_traced_once():
    x = randn(8, 4)
    kern = k.repeat_add_k.compile(x, 0, 1000, 1)
    small = k.repeat_add_k.compile(x, 0, 2, 1)
    assert kern.num_instructions == small.num_instructions  # one body, whatever the trip count
    np.testing.assert_array_equal(k.repeat_add_k(x, 0, 1000, 1), repeated_sum(x, 1000))


@pytest.mark.parametrize("n", [0, 1, 6])
def test_dynamic_range_register_bound(n):
    x = randn(16, 8)
    out = k.register_bound_k(x, np.array([[n]], np.int32))
    half = (x * np.float32(0.5)).astype(np.float32)
    np.testing.assert_array_equal(out, repeated_sum(half, 2 * n))


@pytest.mark.parametrize("count", [0, 1, 5])
def test_while_register(count):
    x = randn(4, 8)
    out = k.countdown_k(x, np.array([[count]], np.int32))
    np.testing.assert_array_equal(out, repeated_sum(x, count))


@pytest.mark.parametrize("dtype", [np.float32, ml_dtypes.bfloat16])
def test_scalar_offset_register_tiles(dtype):
    a = randn(5, 128, 64).astype(dtype)
    out = k.tiles_by_register_k(a)
    np.testing.assert_array_equal(out.astype(np.float32), a.astype(np.float32) * 2)


def test_scalar_offset_tensor():
    a = randn(10, 32)
    out = k.row_by_tensor_k(a, np.array([[7]], np.int32))
    np.testing.assert_array_equal(out[0], a[7])


def test_scalar_offset_out_of_bounds_is_an_error_at_the_line():
    a = randn(10, 32)
    with pytest.raises(nki.NkiSimulationError) as e:
        k.row_by_tensor_k(a, np.array([[10]], np.int32))
    assert "out of bounds" in str(e.value)
    assert e.value.filename.endswith("dynamic_kernels.py")


@pytest.mark.parametrize("dtype", [np.float32, ml_dtypes.bfloat16, np.int32])
def test_gather_rows(dtype):
    table = (rng.standard_normal((50, 24)) * 10).astype(dtype)
    idx = rng.integers(0, 50, size=(128, 1)).astype(np.int32)
    np.testing.assert_array_equal(k.gather_k(table, idx), table[idx[:, 0]])
    np.testing.assert_array_equal(k.gather_k(table, idx.astype(np.uint32)), table[idx[:, 0]])


def test_gather_out_of_range_error_and_skip():
    table = randn(20, 8)
    idx = np.array([[3], [25], [-1], [19]], np.int32)
    with pytest.raises(nki.NkiSimulationError) as e:
        k.gather_k(table, idx)
    assert "row 1" in str(e.value) and "oob_mode" in str(e.value)
    out = k.gather_k(table, idx, skip=True)
    np.testing.assert_array_equal(out[0], table[3])
    np.testing.assert_array_equal(out[3], table[19])
    np.testing.assert_array_equal(out[1:3], -np.ones((2, 8), np.float32))  # skipped rows untouched


def test_scatter_rows():
    base = randn(40, 16)
    idx = rng.permutation(40)[:32].reshape(32, 1).astype(np.int32)
    vals = randn(32, 16)
    ref = base.copy()
    ref[idx[:, 0]] = vals
    np.testing.assert_array_equal(k.scatter_k(base, idx, vals), ref)


def test_scatter_add_accumulates_duplicates_in_row_order():
    base = randn(12, 8)
    idx = np.array([[1], [5], [1], [11], [5], [1]], np.int32)
    vals = randn(6, 8)
    ref = base.copy()
    for p in range(6):
        ref[idx[p, 0]] = (ref[idx[p, 0]] + vals[p]).astype(np.float32)
    np.testing.assert_array_equal(k.scatter_add_k(base, idx, vals), ref)


def test_gather_add():
    table = randn(30, 16)
    idx = rng.integers(0, 30, size=(64, 1)).astype(np.int32)
    acc = randn(64, 16)
    np.testing.assert_array_equal(k.gather_add_k(table, idx, acc), (acc + table[idx[:, 0]]).astype(np.float32))


@pytest.mark.parametrize("dtype,tol", [(np.float32, 1e-4), (ml_dtypes.bfloat16, 1e-2)])
def test_psum_accumulation_across_iterations(dtype, tol):
    a_t = randn(4, 128, 64).astype(dtype)
    b = randn(4, 128, 96).astype(dtype)
    ref = np.einsum("tkm,tkn->mn", a_t.astype(np.float64), b.astype(np.float64))
    np.testing.assert_allclose(k.matmul_accumulate_k(a_t, b), ref, rtol=tol, atol=tol * 10)


def test_tensors_live_into_the_loop_stay_allocated():
    x = randn(128, 512)
    per_iter = ((x * np.float32(2)) * np.float32(7)).astype(np.float32)
    np.testing.assert_array_equal(k.live_across_iterations_k(x, 3), repeated_sum(per_iter, 3))


def test_ir_shows_the_loop_structure():
    text = k.repeat_add_k.compile(randn(8, 4), 1, 9, 2).ir()
    assert "loop engine=sync iv=r0 start=1 stop=9 step=2" in text
    assert "end_loop engine=sync begin=" in text


@pytest.mark.parametrize("n", [0, 1, 5])
def test_nested_loops_with_a_register_bound(n):
    x = randn(8, 8)
    np.testing.assert_array_equal(k.triangle_k(x, n), repeated_sum(x, n * (n - 1) // 2))


@pytest.mark.parametrize("idx_shape,rows", [((32, 1), 32), ((128, 2), 160), ((16, 1), 16)])
def test_gather_transpose(idx_shape, rows):
    table = rng.standard_normal((300, 64)).astype(ml_dtypes.bfloat16)
    idx = rng.integers(0, 300, size=idx_shape).astype(np.uint32)
    flat = idx.T.flatten()[:rows]
    np.testing.assert_array_equal(k.gather_transpose_k(table, idx, rows), table[flat].T)
