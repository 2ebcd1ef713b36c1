"""GpSimdE and data-movement instructions vs NumPy: all exact (integer math, bit-exact moves),
except partition reductions of floats (sequential fp32 in increasing partition order, rtol 1e-6)."""
import os
import sys

import ml_dtypes
import numpy as np
import pytest

import nki

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import isa_gpsimd_kernels as k  # noqa: E402

rng = np.random.default_rng(5)


def randn(*shape):
    return rng.standard_normal(shape, dtype=np.float32)


def test_iota_int32_and_float():
    out = k.iota_k((64, 1), ((1, 1),), 0, 2)
    np.testing.assert_array_equal(out[:, 0], 2 * np.arange(64))
    out = k.iota_k((8, 3, 5), ((10, 3), (1, 5)), 7, 100, "float32")
    p, w, x = np.meshgrid(np.arange(8), np.arange(3), np.arange(5), indexing="ij")
    np.testing.assert_array_equal(out, (7 + 100 * p + 10 * w + x).astype(np.float32))


def test_affine_select_causal_mask():
    x = randn(64, 64)
    p, f = np.meshgrid(np.arange(64), np.arange(64), indexing="ij")
    np.testing.assert_array_equal(k.causal_mask_k(x), np.where(p - f >= 0, x, np.float32(-9984.0)))


def test_tensor_partition_reduce():
    x = randn(128, 8, 4)
    out = k.partition_reduce_k(x, "add")
    ref = x[0].copy()
    for p in range(1, 128):
        ref = (ref + x[p]).astype(np.float32)
    np.testing.assert_array_equal(out[0], ref)
    np.testing.assert_array_equal(k.partition_reduce_k(x, "maximum")[0], x.max(axis=0))
    xi = rng.integers(0, 2**31 - 1, size=(32, 16), dtype=np.int32)
    np.testing.assert_array_equal(k.partition_reduce_k(xi, "bitwise_or")[0], np.bitwise_or.reduce(xi, axis=0))


@pytest.mark.parametrize("shape,vector", [((128, 128), False), ((64, 100), False), ((32, 32), True), ((7, 19), True)])
def test_nc_transpose(shape, vector):
    x = randn(*shape)
    np.testing.assert_array_equal(k.nc_transpose_k(x, vector), x.T)


def test_nc_transpose_bf16_bit_exact():
    x = randn(16, 48).astype(ml_dtypes.bfloat16)
    np.testing.assert_array_equal(k.nc_transpose_k(x).view(np.uint16), x.T.view(np.uint16))


def test_dma_transpose():
    x = randn(64, 96)
    np.testing.assert_array_equal(k.dma_transpose_k(x), x.T)
    y = randn(4, 6, 8)
    np.testing.assert_array_equal(k.dma_transpose_k(y), np.transpose(y, (2, 1, 0)))


def test_dma_compute_sum():
    a, b, c = randn(32, 40), randn(32, 40), randn(32, 40)
    np.testing.assert_array_equal(k.dma_compute_k(a, b, c), (a + b) + c)


@pytest.mark.parametrize("kernel,message", [
    (k.bad_iota_psum, "GpSimd cannot access PSUM"),
    (k.bad_transpose_shape, "transposed"),
])
def test_validation_errors(kernel, message):
    with pytest.raises(nki.NkiValidationError) as e:
        kernel(randn(16, 8))
    assert message in str(e.value)
