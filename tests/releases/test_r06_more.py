"""The remaining NKI 0.6.0 changes, each under 0.6.0 (or later), the default, and the release before:
tensor_scalar_reduce's reduce_res=None (the partial result stays in the VectorE accumulator) and
reduce_res_negate (negates the written copy only), and the relaxed HWDGE dma_transpose rules.
Tolerances: reductions rtol 1e-5 / atol 1e-5 against float64 NumPy sums (fp32 accumulation in another
order); max reductions and transposes exact."""
import os
import sys

import ml_dtypes
import numpy as np
import pytest

import nki

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "kernels"))
import r06_more_kernels as k  # noqa: E402
from release_util import error_line, needs_release_selection, run  # noqa: E402

KFILE = os.path.join(HERE, "kernels", "r06_more_kernels.py")
NEW = [None, "0.6", "0.7"]
rng = np.random.default_rng(66)


def randn(*shape):
    return rng.standard_normal(shape).astype(np.float32)


@pytest.fixture(autouse=True)
def selection():
    needs_release_selection(k.tsr_negate, (randn(4, 4),), "0.5")


def expect_error(kernel, args, ver, marker, message):
    with pytest.raises(nki.NkiCompileError) as e:
        run(kernel, *args, ver=ver)
    text = str(e.value)
    assert message in text, text
    assert f'r06_more_kernels.py", line {error_line(KFILE, marker)},' in text, text


@pytest.mark.parametrize("ver", NEW)
def test_tensor_scalar_reduce_chain(ver):
    x, y, z = randn(16, 24), randn(16, 24), randn(16, 24)
    r, d = run(k.tsr_chain, x, y, z, ver=ver)
    f64 = np.float64
    np.testing.assert_allclose(r[:, 0], 2 * (x.astype(f64).sum(1) + y.sum(1) + z.sum(1)), rtol=1e-5, atol=1e-5)
    m2 = np.maximum((x + 1).max(1), (y + 1).max(1))
    np.testing.assert_array_equal(r[:, 1], -m2)  # the negated read-out
    np.testing.assert_array_equal(r[:, 2], np.maximum(m2, (z + 1).max(1)))  # the accumulator kept +max
    np.testing.assert_array_equal(d, z + np.float32(1))  # dst of the last call


@pytest.mark.parametrize("ver", NEW)
def test_tensor_scalar_reduce_negate(ver):
    x = randn(16, 24)
    np.testing.assert_allclose(run(k.tsr_negate, x, ver=ver)[:, 0], -3 * x.astype(np.float64).sum(1),
                               rtol=1e-5, atol=1e-5)


def test_tensor_scalar_reduce_errors():
    x = randn(16, 24)
    expect_error(k.tsr_chain, (x, x, x), "0.5", "none",
                 "tensor_scalar_reduce: reduce_res is required in NKI 0.5.0 (reduce_res=None was added in NKI 0.6.0)")
    expect_error(k.tsr_negate, (x,), "0.5", "negate",
                 "parameter 'reduce_res_negate' is not in NKI 0.5.0: it was added in NKI 0.6.0")
    expect_error(k.tsr_negate_without_res, (x,), None, "negate_none", "reduce_res_negate=True needs a reduce_res tile")


def transposed(x):
    return {2: (1, 0), 3: (2, 1, 0), 4: (3, 1, 2, 0)}[x.ndim]


@pytest.mark.parametrize("shape", [(16, 64), (16, 128), (2, 8, 64), (4, 4, 128), (1, 16, 32), (2, 2, 8, 64)])
@pytest.mark.parametrize("ver", NEW)
def test_hwdge_transpose_0_6_rules(shape, ver):
    x = rng.standard_normal(shape).astype(ml_dtypes.bfloat16)
    np.testing.assert_array_equal(run(k.hwdge_transpose, x, ver=ver), x.transpose(transposed(x)))


@pytest.mark.parametrize("shape, ok_before", [((16, 128), True), ((16, 64), False), ((2, 8, 64), False),
                                               ((16, 4, 128), True)])
def test_hwdge_transpose_before_0_6(shape, ok_before):
    x = rng.standard_normal(shape).astype(ml_dtypes.bfloat16)
    if ok_before:
        np.testing.assert_array_equal(run(k.hwdge_transpose, x, ver="0.5"), x.transpose(transposed(x)))
    else:
        expect_error(k.hwdge_transpose, (x,), "0.5", "hwdge",
                     "dge_mode=hwdge needs src.shape[0] == 16, src.shape[-1] a multiple of 128 and a 2-byte dtype "
                     "(NKI 0.5.0; NKI 0.6.0 relaxed these rules)")


@pytest.mark.parametrize("shape, dtype", [((3, 8, 64), ml_dtypes.bfloat16), ((2, 4, 64), ml_dtypes.bfloat16),
                                          ((8, 16), ml_dtypes.bfloat16), ((16, 64), np.float32)])
def test_hwdge_transpose_0_6_errors(shape, dtype):
    x = rng.standard_normal(shape).astype(dtype)
    expect_error(k.hwdge_transpose, (x,), None, "hwdge", "dge_mode=hwdge needs a 2-byte dtype, src.shape[-1] <= 128")
