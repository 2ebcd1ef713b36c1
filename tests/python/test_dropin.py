"""Drop-in behaviour: argument kinds, PyTorch tensors in and out, bf16/fp8 ml_dtypes arrays, in-place
updates, and tracebacks that end in the kernel's own file. Tolerances: exact unless stated."""
import os
import sys
import traceback

import ml_dtypes
import numpy as np
import pytest

import nki

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "dropin"))
import dropin_kernels as dk  # noqa: E402

torch = pytest.importorskip("torch")


def test_function_object_dict_and_enum_arguments():
    a = np.full((4, 8), 3, np.float32)
    b = np.full((4, 8), 2, np.float32)
    np.testing.assert_array_equal(dk.apply(a, b), a + b)
    np.testing.assert_array_equal(dk.apply(a, b, pick=dk.mul_op), a * b)
    np.testing.assert_array_equal(dk.apply(a, b, cfg=dk.Scales(repeat=3)), a + 3 * b)
    np.testing.assert_array_equal(dk.apply(a, b, cfg=dk.Scales(repeat=2), opts={"twice": True}), a + 4 * b)
    np.testing.assert_array_equal(dk.apply(a, b, mode=dk.Op.MUL), a * b)


def test_lambda_argument_rejected():
    a = np.ones((2, 2), np.float32)
    with pytest.raises(TypeError, match="module-level functions"):
        dk.apply(a, a, pick=lambda: None)


@pytest.mark.parametrize("dt", [ml_dtypes.bfloat16, ml_dtypes.float8_e4m3fn, ml_dtypes.float8_e5m2, np.float16,
                                np.int32, np.uint8])
def test_low_precision_numpy_arrays(dt):
    a = np.arange(32).reshape(4, 8).astype(dt)
    out = dk.apply(a, a)
    assert out.dtype == np.dtype(dt)
    ref = (a.astype(np.float32) + a.astype(np.float32)).astype(dt)
    np.testing.assert_array_equal(out, ref)


def test_torch_tensors_in_and_out():
    a = torch.arange(32, dtype=torch.float32).reshape(4, 8)
    b = torch.ones(4, 8)
    out = dk.apply(a, b)
    assert isinstance(out, torch.Tensor)
    torch.testing.assert_close(out, a + b, rtol=0, atol=0)


def test_torch_bfloat16():
    a = (torch.arange(32, dtype=torch.float32).reshape(4, 8) / 7).to(torch.bfloat16)
    out = dk.apply(a, a)
    assert out.dtype == torch.bfloat16
    torch.testing.assert_close(out, a + a, rtol=0, atol=0)


def test_torch_inplace_and_untouched():
    a = torch.ones(4, 8)
    dk.scale_inplace(a)
    torch.testing.assert_close(a, torch.full((4, 8), 2.0))
    x = torch.ones(8, 8)[:, ::2]  # non-contiguous view: updated through the copy-back
    dk.scale_inplace(x)
    torch.testing.assert_close(x, torch.full((8, 4), 2.0))
    b, c = torch.ones(4, 8), torch.ones(4, 8)
    dk.apply(b, c)
    torch.testing.assert_close(b, torch.ones(4, 8))


def test_numpy_inplace_fortran_order():
    a = np.asfortranarray(np.ones((4, 8), np.float32))
    dk.scale_inplace(a)
    np.testing.assert_array_equal(a, np.full((4, 8), 2, np.float32))


def test_traceback_ends_in_kernel_file():
    a = np.ones((128, 4), np.float32)
    with pytest.raises(nki.NkiValidationError) as e:
        dk.bad_shape(a)
    last = traceback.extract_tb(e.value.__traceback__)[-1]
    assert last.filename == dk.__file__
    assert last.lineno == e.value.lineno
    assert "nl.ndarray" in last.line
