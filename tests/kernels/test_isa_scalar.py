"""ScalarE activation vs NumPy. Tolerances: the simulator evaluates each function exactly (float64)
on the fp32 value data*scale+bias (each step rounded to fp32) and rounds once to fp32, so fp32 results
match the float64 NumPy formula within 2 ulp (rtol 3e-7); bf16/fp8 outputs are compared with the fp32
reference cast by ml_dtypes, within 1 ulp of the dst type; accumulator sums are sequential fp32."""
import os
import sys

import ml_dtypes
import numpy as np
import pytest
from math import erf, pi, sqrt

import nki

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import isa_scalar_kernels as k  # noqa: E402

rng = np.random.default_rng(11)
f32 = np.float32


def randn(*shape):
    return rng.standard_normal(shape, dtype=np.float32)


verf = np.vectorize(erf)


def sig(x):
    return 1 / (1 + np.exp(-x))


def softplus(x):
    return np.log1p(np.exp(x))


REF = {
    "copy": lambda x: x, "square": lambda x: x * x, "exp": np.exp, "log": np.log, "tanh": np.tanh, "sigmoid": sig,
    "relu": lambda x: np.maximum(x, 0), "gelu": lambda x: 0.5 * x * (1 + verf(x / sqrt(2))),
    "gelu_dx": lambda x: 0.5 * (1 + verf(x / sqrt(2))) + x * np.exp(-x * x / 2) / sqrt(2 * pi),
    "gelu_apprx_tanh": lambda x: 0.5 * x * (1 + np.tanh(sqrt(2 / pi) * (x + 0.044715 * x ** 3))),
    "gelu_apprx_sigmoid": lambda x: x * sig(1.702 * x),
    "gelu_apprx_sigmoid_dx": lambda x: sig(1.702 * x) + 1.702 * x * sig(1.702 * x) * (1 - sig(1.702 * x)),
    "silu": lambda x: x * sig(x), "silu_dx": lambda x: sig(x) * (1 + x * (1 - sig(x))), "softplus": softplus,
    "mish": lambda x: x * np.tanh(softplus(x)), "erf": verf, "erf_dx": lambda x: 2 / sqrt(pi) * np.exp(-x * x),
    "sign": np.sign, "abs": np.abs, "sin": np.sin, "arctan": np.arctan, "sqrt": np.sqrt,
    "rsqrt": lambda x: 1 / np.sqrt(x), "reciprocal": lambda x: 1 / x,
}
POSITIVE = {"log", "sqrt", "rsqrt", "reciprocal"}


@pytest.mark.parametrize("fn", sorted(REF))
def test_activation_fp32(fn):
    x = randn(128, 40)
    if fn in POSITIVE:
        x = np.abs(x) + f32(0.05)
    if fn in ("sin", "arctan"):
        x = np.clip(x, -1.5, 1.5)
    out = k.act_k(x, fn)
    np.testing.assert_allclose(out, REF[fn](x.astype(np.float64)), rtol=3e-7, atol=1e-37)


def test_activation_scale_bias_scalars():
    x = randn(64, 32)
    t = (x * f32(0.5)).astype(f32) + f32(-0.25)
    np.testing.assert_allclose(k.act_k(x, "tanh", 0.5, -0.25), np.tanh(t.astype(np.float64)), rtol=3e-7)


def test_activation_scale_bias_tiles():
    x, s, b = randn(96, 24), randn(96, 1), randn(96, 1)
    t = (x * s).astype(f32) + b
    np.testing.assert_allclose(k.act_tiles_k(x, s, b), np.exp(t.astype(np.float64)), rtol=3e-7)


@pytest.mark.parametrize("dt,mdt", [("bfloat16", ml_dtypes.bfloat16), ("float8_e5m2", ml_dtypes.float8_e5m2)])
def test_activation_low_precision_output(dt, mdt):
    x = randn(32, 64).astype(ml_dtypes.bfloat16)
    out = k.act_k(x, "sigmoid", out_dtype=dt)
    ref = sig(x.astype(np.float64)).astype(f32).astype(mdt)
    # within 1 ulp of the dst type
    ulp = np.abs(np.nextafter(ref.astype(f32), np.inf).astype(mdt).astype(f32) - ref.astype(f32))
    assert np.all(np.abs(out.astype(f32) - ref.astype(f32)) <= ulp)


def test_activation_reduce():
    x, b = randn(128, 50), randn(128, 1)
    o, s = k.act_reduce_k(x, b)
    e = np.exp((x + b).astype(f32).astype(np.float64))
    np.testing.assert_allclose(o, e, rtol=3e-7)
    np.testing.assert_allclose(s[:, 0], e.sum(axis=1), rtol=1e-5)


def test_accumulator_persists_across_instructions():
    x = randn(64, 64)
    s = k.accumulate_chain_k(x)
    ref = np.zeros(64, f32)
    for i in range(64):
        ref = (ref + (x[:, i] * x[:, i]).astype(f32)).astype(f32)
    np.testing.assert_array_equal(s[:, 0], ref)


@pytest.mark.parametrize("kernel,message", [
    (k.bad_act_alu_only, "nl.add is not an activation function"),
    (k.bad_act_bias_shape, "bias [16, 8] must be a (16, 1) tile"),
    (k.bad_reduce_cmd_int, "raw integers"),
])
def test_validation_errors(kernel, message):
    with pytest.raises(nki.NkiValidationError) as e:
        kernel(randn(16, 8))
    assert message in str(e.value) or message in repr(e.value)
