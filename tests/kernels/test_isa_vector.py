"""VectorE instructions vs NumPy. Tolerances: fp32 elementwise arithmetic is exact (same fp32 ops as
NumPy's float32); integer and bitvec paths are exact; bf16/fp8 outputs are the fp32 reference cast with
ml_dtypes (exact); reductions are sequential fp32 in free-element order, compared with a 1e-6 relative
tolerance against the float64 NumPy reduction."""
import os
import sys

import ml_dtypes
import numpy as np
import pytest

import nki

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import isa_vector_kernels as k  # noqa: E402

rng = np.random.default_rng(7)
f32 = np.float32


def randn(*shape):
    return rng.standard_normal(shape, dtype=np.float32)


BIN = {"add": np.add, "subtract": np.subtract, "multiply": np.multiply, "divide": np.divide,
       "maximum": np.maximum, "minimum": np.minimum, "max": np.maximum,
       "equal": lambda a, b: (a == b).astype(f32), "less": lambda a, b: (a < b).astype(f32),
       "greater_equal": lambda a, b: (a >= b).astype(f32)}


@pytest.mark.parametrize("op", sorted(BIN))
def test_tensor_tensor_fp32(op):
    x, y = randn(64, 48), randn(64, 48)
    y[0, :4] = x[0, :4]
    np.testing.assert_array_equal(k.tensor_tensor_k(x, y, op_name=op), BIN[op](x, y).astype(f32))


def test_tensor_tensor_bf16_output():
    x, y = randn(32, 40), randn(32, 40)
    out = k.tensor_tensor_k(x, y, op_name="multiply", out_dtype="bfloat16")
    assert out.dtype == ml_dtypes.bfloat16
    np.testing.assert_array_equal(out, (x * y).astype(ml_dtypes.bfloat16))


INT_OPS = {"add": np.add, "subtract": np.subtract, "multiply": np.multiply, "maximum": np.maximum,
           "bitwise_and": np.bitwise_and, "bitwise_or": np.bitwise_or, "bitwise_xor": np.bitwise_xor}


@pytest.mark.parametrize("op", sorted(INT_OPS))
def test_tensor_tensor_int32_exact(op):
    x = rng.integers(-2**30, 2**30, size=(16, 32), dtype=np.int32)
    y = rng.integers(-2**30, 2**30, size=(16, 32), dtype=np.int32)
    if op == "multiply":
        x, y = x >> 16, y >> 16
    np.testing.assert_array_equal(k.tensor_tensor_k(x, y, op_name=op), INT_OPS[op](x, y))


def test_tensor_tensor_shifts_are_logical():
    x = rng.integers(-2**31, 2**31 - 1, size=(8, 32), dtype=np.int32)
    s = rng.integers(0, 31, size=(8, 32), dtype=np.int32)
    np.testing.assert_array_equal(k.tensor_tensor_k(x, s, op_name="left_shift"),
                                  (x.view(np.uint32) << s.view(np.uint32)).view(np.int32))
    np.testing.assert_array_equal(k.tensor_tensor_k(x, s, op_name="right_shift"),
                                  (x.view(np.uint32) >> s.view(np.uint32)).view(np.int32))


@pytest.mark.parametrize("op0,c0,rev0,op1,c1,rev1,ref", [
    ("add", 2.5, False, None, None, False, lambda x: x + f32(2.5)),
    ("subtract", 1.0, True, None, None, False, lambda x: f32(1.0) - x),
    ("multiply", 3.0, False, "add", -1.5, False, lambda x: x * f32(3) + f32(-1.5)),
    ("subtract", 0.5, False, "divide", 4.0, True, lambda x: f32(4) / (x - f32(0.5))),
    ("maximum", 0.0, False, "minimum", 1.0, False, lambda x: np.minimum(np.maximum(x, f32(0)), f32(1))),
    ("abs", 0.0, False, None, None, False, np.abs),
    ("rsqrt", 0.0, False, None, None, False, lambda x: (1 / np.sqrt(np.abs(x).astype(np.float64))).astype(f32)),
])
def test_tensor_scalar_fp32(op0, c0, rev0, op1, c1, rev1, ref):
    x = randn(128, 33)
    if op0 == "rsqrt":
        x = np.abs(x) + f32(0.1)
    np.testing.assert_array_equal(k.tensor_scalar_k(x, op0, c0, rev0, op1, c1, rev1), ref(x))


def test_tensor_scalar_bf16_in_fp8_out():
    x = randn(64, 32).astype(ml_dtypes.bfloat16)
    out = k.tensor_scalar_k(x, "multiply", 0.75, False, "add", 0.25, False,
                            out_dtype="float8_e4m3")
    ref = (x.astype(f32) * f32(0.75) + f32(0.25)).astype(ml_dtypes.float8_e4m3)
    np.testing.assert_array_equal(out.view(np.uint8), ref.view(np.uint8))


def test_tensor_scalar_bitvec_int_exact():
    x = rng.integers(-2**31, 2**31 - 1, size=(16, 64), dtype=np.int32)
    out = k.tensor_scalar_k(x, "bitwise_and", 0x0F0F0F0F, False, "bitwise_xor", 0x7FFF, False)
    np.testing.assert_array_equal(out, (x & 0x0F0F0F0F) ^ 0x7FFF)
    u = rng.integers(0, 2**16, size=(16, 64), dtype=np.uint16)
    np.testing.assert_array_equal(k.tensor_scalar_k(u, "right_shift", 3), u >> 3)
    np.testing.assert_array_equal(k.tensor_scalar_k(u, "invert", 0), ~u)


def test_tensor_scalar_column_operands():
    x, a, b = randn(96, 40), randn(96, 1), randn(96, 1)
    np.testing.assert_array_equal(k.tensor_scalar_col_k(x, a, b), (x - a) * b)
    np.testing.assert_array_equal(k.tensor_scalar_col_k(x, a, b, rev0=True, op1="add"), (a - x) + b)


def test_scalar_tensor_tensor():
    x, s, y = randn(64, 50), randn(64, 1), randn(64, 50)
    np.testing.assert_array_equal(k.scalar_tensor_tensor_k(x, s, y), (x - s) * y)
    np.testing.assert_array_equal(k.scalar_tensor_tensor_k(x, s, y, "add", "subtract", rev1=True), y - (x + s))


@pytest.mark.parametrize("op,ref", [("add", np.sum), ("max", np.max), ("minimum", np.min), ("multiply", np.prod)])
def test_tensor_reduce_last_axis(op, ref):
    x = randn(128, 64) if op != "multiply" else (1 + randn(128, 16) * f32(0.1))
    out = k.tensor_reduce_k(x, op, 1, out_shape=(x.shape[0], 1))
    np.testing.assert_allclose(out[:, 0], ref(x.astype(np.float64), axis=1), rtol=1e-5, atol=1e-5)


def test_tensor_reduce_trailing_axes_negate_keepdims():
    x = randn(32, 4, 6, 5)
    out = k.tensor_reduce_k(x, "add", (2, 3), negate=True, keepdims=True, out_shape=(32, 4, 1, 1))
    np.testing.assert_allclose(out, -x.astype(np.float64).sum(axis=(2, 3), keepdims=True), rtol=1e-5, atol=1e-5)
    out = k.tensor_reduce_k(x, "max", -1, out_shape=(32, 4, 6))
    np.testing.assert_array_equal(out, x.max(axis=3))


def test_tensor_reduce_canonical_axis_list_counts_trailing_dims():
    # 0.3.0 documents axis lists [1], [1,2], ...; nki-library's rmsnorm_tkg reduces a [P, T, H] tile into
    # [P, T] with axis=1: the canonical list names how many trailing dims are reduced (dst decides).
    x = randn(32, 4, 6, 5)
    out = k.tensor_reduce_k(x, "add", 1, out_shape=(32, 4, 6))
    np.testing.assert_allclose(out, x.astype(np.float64).sum(axis=3), rtol=1e-5, atol=1e-5)
    out = k.tensor_reduce_k(x, "max", (1, 2), out_shape=(32, 4))
    np.testing.assert_array_equal(out, x.max(axis=(2, 3)))


def test_tensor_reduce_sequential_fp32_order():
    # Sequential fp32 summation in free-element order (docs/semantics.md): reproduce it exactly.
    x = randn(4, 100)
    out = k.tensor_reduce_k(x, "add", 1, out_shape=(4, 1))
    ref = np.zeros(4, f32)
    for i in range(100):
        ref = (ref + x[:, i]).astype(f32)
    ref = x[:, 0].copy()
    for i in range(1, 100):
        ref = (ref + x[:, i]).astype(f32)
    np.testing.assert_array_equal(out[:, 0], ref)


def test_tensor_reduce_bitwise_or_int():
    x = rng.integers(0, 2**31 - 1, size=(16, 8), dtype=np.int32)
    out = k.tensor_reduce_k(x, "bitwise_or", 1, out_shape=(16, 1))
    np.testing.assert_array_equal(out[:, 0], np.bitwise_or.reduce(x, axis=1))


def test_reciprocal():
    x = randn(128, 20)
    np.testing.assert_array_equal(k.reciprocal_k(x), f32(1) / x)


@pytest.mark.parametrize("reverse", [False, True])
def test_tensor_copy_predicated(reverse):
    x, y = randn(64, 30), randn(64, 30)
    pred = rng.integers(0, 2, size=(64, 30)).astype(np.uint8)
    ref = np.where((pred != 0) != reverse, y, x)
    np.testing.assert_array_equal(k.copy_predicated_k(x, y, pred, reverse), ref)


def test_tensor_copy_predicated_int32_bit_exact():
    x = rng.integers(-2**31, 2**31 - 1, size=(8, 16), dtype=np.int32)
    y = rng.integers(-2**31, 2**31 - 1, size=(8, 16), dtype=np.int32)
    pred = rng.integers(0, 3, size=(8, 16)).astype(np.uint32)
    np.testing.assert_array_equal(k.copy_predicated_k(x, y, pred), np.where(pred != 0, y, x))


def test_tensor_tensor_scan_linear_recurrence():
    a, b, init = randn(64, 40) * f32(0.5), randn(64, 40), randn(64, 1)
    out = k.scan_k(a, b, init)
    ref = np.empty_like(a)
    h = init[:, 0].copy()
    for i in range(a.shape[1]):
        h = (a[:, i] * h + b[:, i]).astype(f32)
        ref[:, i] = h
    np.testing.assert_array_equal(out, ref)


def test_tensor_tensor_scan_reversed_operands():
    a, b, init = randn(8, 12), randn(8, 12), randn(8, 1)
    out = k.scan_k(a, b, init, "subtract", "subtract", True, True)
    h = init[:, 0].copy()
    ref = np.empty_like(a)
    for i in range(a.shape[1]):
        h = (b[:, i] - (h - a[:, i])).astype(f32)
        ref[:, i] = h
    np.testing.assert_array_equal(out, ref)


def test_memset_int32_exact_and_bf16():
    np.testing.assert_array_equal(k.memset_k((4, 8), "int32", 2**31 - 1), np.full((4, 8), 2**31 - 1, np.int32))
    np.testing.assert_array_equal(k.memset_k((4, 8), "bfloat16", 0.1),
                                  np.full((4, 8), 0.1, np.float32).astype(ml_dtypes.bfloat16))


def test_psum_operand():
    x, y = randn(32, 64), randn(32, 64)
    np.testing.assert_array_equal(k.psum_chain_k(x, y), x * y)


@pytest.mark.parametrize("kernel,message", [
    (k.bad_tensor_scalar_raw_engine, "engine must be a member of nisa.engine"),
    (k.bad_both_psum, "data1 and data2 cannot both be in PSUM"),
    (k.bad_bitvec_float, "bitvec operator and needs integer tiles"),
    (k.bad_reduce_axis0, "axis 0 is the partition dimension"),
    (k.bad_reduce_not_trailing, "trailing free dimensions"),
    (k.bad_exp_as_alu, "nl.exp is not a binary ALU operator"),
    (k.bad_op1_without_operand1, "op1 and operand1 must both be given"),
])
def test_validation_errors(kernel, message):
    with pytest.raises(nki.NkiValidationError) as e:
        kernel(randn(16, 4, 8) if kernel is k.bad_reduce_not_trailing else randn(16, 8))
    assert message in str(e.value)
    assert e.value.filename.endswith("isa_vector_kernels.py")
