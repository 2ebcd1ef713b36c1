"""nl.shared_constant / nl.shared_identity_matrix and compile-time NumPy arrays, vs NumPy.
Transposes through an identity matmul are exact (one nonzero product per output, fp32 accumulation);
bf16 inputs are compared with the input cast to bf16. Constants are compared bit-exactly with NumPy's
array cast with ml_dtypes (round to nearest even)."""
import os
import sys

import ml_dtypes
import numpy as np
import pytest

import nki

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import constants_kernels as k  # noqa: E402

rng = np.random.default_rng(5)
bf16 = ml_dtypes.bfloat16


@pytest.mark.parametrize("dt", ["fp32", "bf16"])
@pytest.mark.parametrize("K,F", [(128, 64), (64, 128), (32, 7)])
def test_transpose_via_shared_constant_identity(dt, K, F):
    x = rng.standard_normal((K, F), dtype=np.float32)
    want = x.T if dt == "fp32" else x.astype(bf16).astype(np.float32).T
    np.testing.assert_array_equal(k.transpose_via_identity(x, dt), want)


@pytest.mark.parametrize("dtype", [np.float32, bf16])
def test_transpose_is_transpose_identity_cast(dtype):
    x = rng.standard_normal((128, 96), dtype=np.float32).astype(dtype)
    np.testing.assert_array_equal(k.transpose_is_transpose(x), x.astype(np.float32).T)
    ir = k.transpose_is_transpose.compile(x).ir()
    assert f"identity_hbm: {np.dtype(dtype).name}[128,128] @hbm constant 0" in ir


def test_add_arange_full_eye():
    x = rng.standard_normal((16, 40), dtype=np.float32)
    want = x + np.arange(16 * 40, dtype=np.float32).reshape(16, 40)
    want = want + np.float32(2.5)
    want = want + np.eye(16, 40, k=1, dtype=np.float32)
    np.testing.assert_array_equal(k.add_constants(x), want)


def test_global_arrays():
    x = rng.standard_normal((128, 64), dtype=np.float32)
    np.testing.assert_array_equal(k.global_constant(x), x.T + k.NOISE)


def test_global_array_change_recompiles(monkeypatch):
    x = rng.standard_normal((128, 64), dtype=np.float32)
    monkeypatch.setattr(k, "NOISE", np.ones((64, 128), np.float32))
    np.testing.assert_array_equal(k.global_constant(x), x.T + 1)


@pytest.mark.parametrize("which,want", [
    ("arange_int", np.arange(0, 48, 2).reshape(3, 8).astype(np.int32)),
    ("tril", np.tril(np.ones((16, 16), np.float32))),
    ("array", np.array([[1, 2, 3], [4, 5, 6]], np.int16).T.astype(np.float32).astype(bf16)),
    ("round", np.full((2, 4), 1.0 + 3 * 2.0 ** -9).astype(np.float32).astype(bf16)),
])
def test_constant_contents(which, want):
    check_contents(which, want)


def check_contents(which, want):
    got = k.load_constant(which)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got.view(np.uint8), np.ascontiguousarray(want).view(np.uint8))


def test_array_methods():
    check_contents("methods", np.arange(12).reshape(3, 4).T.astype(np.float32).reshape(-1, 2))


@pytest.mark.parametrize("dtype", [np.float64, np.int16, bf16])
def test_constant_from_npy(tmp_path, dtype):
    a = (np.arange(12).reshape(3, 4) - 5).astype(dtype)
    path = str(tmp_path / "c.npy")
    np.save(path, a)
    want = a.astype(np.float32) if dtype == np.float64 else a
    got = k.load_constant(path)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


def test_constants_are_deduplicated():
    x = rng.standard_normal((128, 64), dtype=np.float32)
    ir = k.global_constant.compile(x).ir()
    assert "constant 0" in ir and "constant 1" in ir


@pytest.mark.parametrize("n", [128, 64, 5])
@pytest.mark.parametrize("dt,np_dt", [("uint8", np.uint8), ("bf16", bf16), ("fp32", np.float32)])
@pytest.mark.parametrize("with_dst", [False, True])
def test_shared_identity_matrix(n, dt, np_dt, with_dst):
    got = k.identity_matrix(n, dt, with_dst)
    assert got.dtype == np.dtype(np_dt)
    np.testing.assert_array_equal(got, np.identity(n).astype(np_dt))


def test_shared_identity_matrix_instructions():
    ir = k.identity_matrix.compile(128, "uint8", False).ir()
    assert "memset" in ir and "affine_select" in ir


def test_shared_identity_matrix_transpose():
    x = rng.standard_normal((128, 100), dtype=np.float32)
    np.testing.assert_array_equal(k.identity_matrix_transpose(x), x.T)
