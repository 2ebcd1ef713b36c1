"""End-to-end kernels vs NumPy: the walking-skeleton kernels and variations (other shapes, ops, names,
files). Tolerances: elementwise fp32 ops are exact; matmul within 1e-4 relative to the fp64 product."""
import os
import sys

import numpy as np
import pytest

import nki

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "examples"))

import elementwise_kernels as ek  # noqa: E402
from matmul import matmul  # noqa: E402
from tensor_add import tensor_add  # noqa: E402
from tiled_add import tiled_add  # noqa: E402

rng = np.random.default_rng(1234)


def randn(*shape):
    return rng.standard_normal(shape, dtype=np.float32)


def test_tensor_add_exact():
    a, b = randn(128, 512), randn(128, 512)
    np.testing.assert_array_equal(nki.simulate(tensor_add)(a, b), a + b)


@pytest.mark.parametrize("shape", [(128, 512), (64, 100), (1, 7), (128, 2048)])
def test_tensor_add_other_shapes(shape):
    a, b = randn(*shape), randn(*shape)
    np.testing.assert_array_equal(tensor_add(a, b), a + b)


@pytest.mark.parametrize("shape", [(1024, 1024), (128, 512), (256, 1536), (640, 512)])
def test_tiled_add(shape):
    a, b = randn(*shape), randn(*shape)
    np.testing.assert_array_equal(nki.simulate(tiled_add)(a, b), a + b)


def test_tiled_add_rejects_untileable_shape():
    a = randn(100, 512)
    with pytest.raises(AssertionError) as e:
        tiled_add(a, a)
    assert "shape must tile" in str(e.value)


@pytest.mark.parametrize("kernel,ref", [(ek.sub_kernel, np.subtract), (ek.mul_kernel, np.multiply),
                                        (ek.max_kernel, np.maximum)])
def test_other_ops(kernel, ref):
    x, y = randn(96, 300), randn(96, 300)
    np.testing.assert_array_equal(kernel(x, y), ref(x, y))


@pytest.mark.parametrize("op,ref", [("add", np.add), ("subtract", np.subtract), ("multiply", np.multiply)])
@pytest.mark.parametrize("shape,tile_f", [((256, 512), 256), ((384, 1024), 128), ((128, 64), 64)])
def test_tiled_binary_with_compile_time_args(op, ref, shape, tile_f):
    x, y = randn(*shape), randn(*shape)
    out = ek.tiled_binary(x, y, tile_f=tile_f, op_name=op)
    np.testing.assert_array_equal(out, ref(x, y))


def test_matmul_single_tile():
    lhsT, rhs = randn(128, 128), randn(128, 512)
    out = nki.simulate(matmul)(lhsT, rhs)
    ref = lhsT.T.astype(np.float64) @ rhs.astype(np.float64)
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("k,m,n", [(128, 128, 512), (64, 32, 100), (128, 1, 1), (128, 128, 1)])
def test_matmul_shapes(k, m, n):
    lhsT, rhs = randn(k, m), randn(k, n)
    out = matmul(lhsT, rhs)
    np.testing.assert_allclose(out, lhsT.T.astype(np.float64) @ rhs, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("k", [128, 256, 512])
def test_matmul_accumulates_over_k(k):
    lhsT, rhs = randn(k, 128), randn(k, 256)
    out = ek.matmul_kt(lhsT, rhs)
    np.testing.assert_allclose(out, lhsT.T.astype(np.float64) @ rhs, rtol=1e-4, atol=1e-3)


def test_tuple_of_outputs():
    x = randn(32, 48)
    a, b = ek.two_outputs(x)
    np.testing.assert_array_equal(a, x)
    np.testing.assert_array_equal(b, x + x)


def test_inplace_update_and_untouched_inputs():
    x = randn(16, 16)
    orig = x.copy()
    assert ek.inplace_double(x) is None
    np.testing.assert_array_equal(x, orig + orig)
    a, b = randn(128, 512), randn(128, 512)
    a0, b0 = a.copy(), b.copy()
    tensor_add(a, b)
    np.testing.assert_array_equal(a, a0)
    np.testing.assert_array_equal(b, b0)


def test_non_contiguous_inputs():
    base = randn(128, 1024)
    a = base[:, ::2]  # strided view
    b = np.asfortranarray(randn(128, 512))
    np.testing.assert_array_equal(tensor_add(a, b), a + b)


def test_partition_limit_error_names_the_line():
    with pytest.raises(nki.NkiValidationError) as e:
        ek.wide_partition(randn(256, 64))
    err = e.value
    assert err.filename.endswith("elementwise_kernels.py")
    assert err.lineno == 94
    assert "partition dimension 256 exceeds the maximum of 128" in str(err)
    assert "^" in str(err)
