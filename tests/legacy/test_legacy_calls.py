"""Beta 1 calls that return tiles (tests/legacy/kernels/calls_tiles.py), each against NumPy, and the
errors of calls_errors.py at their lines. Tolerances: exact for adds, copies, integer ops, memset and iota;
fp32 division / transcendental / softmax 1e-5 relative (ScalarE/VectorE fp32 arithmetic); fp32 matmul
1e-4 relative to the largest output (K-term fp32 sums in another order)."""
import inspect
import os
import sys

import numpy as np
import pytest

from nki._errors import NkiCompileError

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernels"))

import calls_errors as ce  # noqa: E402
import calls_tiles as ct  # noqa: E402

RNG = np.random.default_rng(11)


def f32(*shape):
    return RNG.standard_normal(shape, dtype=np.float32)


def test_operators():
    a, b = f32(128, 256), f32(128, 256)
    out, cmp = ct.operators(a, b)
    ref = -((a + b) * a - b / np.float32(2.0) + np.float32(1.0))
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(cmp, (a > b).astype(np.float32))


def test_int_operators():
    a = RNG.integers(0, 1000, (128, 64), dtype=np.int32)
    b = RNG.integers(0, 1000, (128, 64), dtype=np.int32)
    np.testing.assert_array_equal(ct.int_operators(a, b), ((a << 2) & b) | (a >> 1) ^ ~b)


def test_broadcast_add():
    a, c, r = f32(128, 64), f32(128, 1), f32(1, 64)
    np.testing.assert_array_equal(ct.broadcast_add(a, c, r), (a + c) + r)


def test_exp_and_activation():
    a, bias = f32(128, 96), f32(128, 1)
    o1, o2 = ct.exp_activation(a, bias)
    np.testing.assert_allclose(o1, np.exp(a), rtol=1e-5)
    np.testing.assert_allclose(o2, np.exp(a * np.float32(0.5) + bias), rtol=1e-5)


def test_reductions():
    a = f32(128, 200)
    s, m, mu, mn = ct.reductions(a)
    np.testing.assert_allclose(s, a.sum(axis=1, keepdims=True), rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(m, a.max(axis=1, keepdims=True))
    np.testing.assert_allclose(mu, a.mean(axis=1, keepdims=True), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(mn, a.min(axis=1, keepdims=True))


def test_matmul_accumulate():
    lhsT, rhs = f32(384, 128), f32(384, 256)
    out, out2 = ct.matmul_accumulate(lhsT, rhs)
    ref = lhsT.T.astype(np.float64) @ rhs
    np.testing.assert_allclose(out, ref, rtol=0, atol=1e-4 * np.abs(ref).max())
    np.testing.assert_allclose(out2, ref, rtol=0, atol=1e-4 * np.abs(ref).max())


def test_matmul_without_transpose_x():
    x, y = f32(64, 128), f32(128, 256)
    ref = x.astype(np.float64) @ y
    np.testing.assert_allclose(ct.matmul_plain(x, y), ref, rtol=0, atol=1e-4 * np.abs(ref).max())


def test_transposes():
    a = f32(128, 64)
    o1, o2 = ct.transposes(a)
    np.testing.assert_array_equal(o1, a.T)
    np.testing.assert_array_equal(o2, a[:32, :32].T)


def test_softmax():
    a = f32(128, 300)
    e = np.exp(a - a.max(axis=1, keepdims=True))
    np.testing.assert_allclose(ct.softmax_nl(a), e / e.sum(axis=1, keepdims=True), rtol=1e-5, atol=1e-7)


def test_isa_calls():
    a, b = f32(128, 64), f32(128, 64) + np.float32(4.0)
    tt, ts, rc, ms, io = ct.isa_calls(a, b)
    np.testing.assert_array_equal(tt, np.maximum(a, b))
    np.testing.assert_allclose(ts, a * np.float32(3.0) + np.float32(1.0), rtol=1e-6)
    np.testing.assert_allclose(rc, 1 / b, rtol=1e-5)
    np.testing.assert_array_equal(ms, np.full_like(a, 2.5))
    np.testing.assert_array_equal(io, np.arange(128 * 64, dtype=np.int32).reshape(128, 64))


def error_line(kernel):
    """The line of the `# error` marker in the kernel's source."""
    fn = getattr(kernel, "func", kernel)
    lines, first = inspect.getsourcelines(fn)
    return first + next(i for i, line in enumerate(lines) if line.rstrip().endswith("# error"))


@pytest.mark.parametrize(
    "kernel, args, message",
    [
        (ce.modulo_operator, (f32(128, 8),), "the 'Mod' operator is not supported on tiles"),
        (ce.partition_broadcast_operator, (f32(128, 8), f32(1, 8)),
         "operators on tiles do not broadcast along the partition dimension"),
        (ce.bad_broadcast, (f32(128, 8), f32(128, 4)), "nl.add: x (128, 8) and y (128, 4) do not broadcast"),
        (ce.matmul_contraction_mismatch, (f32(128, 128), f32(64, 128)),
         "must equal the stationary partition dimension"),
        (ce.rank_mismatch, (f32(128, 8),), "nl.add: x (128, 8) and y (128, 1, 8) must have the same rank"),
        (ce.two_numbers, (f32(128, 8),), "nl.add: at least one of x and y must be a tile"),
        (ce.string_operand, (f32(128, 8),), "nl.multiply: y must be a tile or a number, not str"),
        (ce.copy_from_hbm, (f32(128, 8),), "nl.copy: x must be an on-chip tile (SBUF or PSUM), but it is in HBM"),
        (ce.not_on_tile, (f32(128, 8),), "'not' on a tile is not supported"),
        (ce.is_on_tile, (f32(128, 8),), "'is' / 'in' comparisons are not supported on tiles"),
        (ce.number_into_hbm, (f32(128, 8),), "a number cannot be assigned to an HBM tensor"),
        (ce.assign_wrong_shape, (f32(128, 64),),
         "cannot assign a tile of shape (128, 64) to a tensor view of shape (128, 8)"),
        (ce.assign_non_tile, (f32(128, 8),), "cannot assign a value of type 'str' to a tensor"),
        (ce.iota_of_int, (f32(128, 8),), "nisa.iota: expr must be an affine expression of index grids"),
        (ce.dma_rmw, (f32(128, 8),), "nisa.dma_copy: dst_rmw_op is not supported by nkic yet"),
        (ce.bad_dtype, (f32(128, 8),), "dtype must be an nki.language dtype"),
        (ce.affine_select_of_bool, (f32(128, 8),), "nisa.affine_select: pred must be one comparison"),
    ],
)
def test_errors(kernel, args, message):
    with pytest.raises(NkiCompileError) as e:
        kernel(*args)
    text = str(e.value)
    assert message in text
    assert e.value.lineno == error_line(kernel), text


def test_promotion():
    a8 = RNG.integers(-100, 100, (128, 32), dtype=np.int8)
    h = f32(128, 32).astype(np.float16)
    o1, o2 = ct.promotion(a8, h)
    np.testing.assert_array_equal(o1, a8.astype(np.int32) + 2)
    np.testing.assert_allclose(o2, h.astype(np.float32) * np.float32(1.2), rtol=1e-6)


def test_write_into_targets():
    a, b = f32(128, 128), f32(128, 128)
    out, mm = ct.write_into(a, b)
    ref = a.T.astype(np.float64) @ b
    np.testing.assert_allclose(mm, ref, rtol=0, atol=1e-4 * np.abs(ref).max())
    np.testing.assert_allclose(out[:, :128], 2 * np.exp(a), rtol=1e-5)
    np.testing.assert_array_equal(out[:, 128:], np.ones((128, 128), np.float32))


def test_write_into_retargets_the_instruction():
    """`ps[...] = nisa.nc_matmul(...)` is one matmul writing ps (overwriting), `t[:, 0:128] = nl.exp(x)` one
    activation writing t, `t *= 2.0` one tensor_scalar; the only copy is nl.store's of the PSUM tile."""
    import nki
    ir = nki.jit(getattr(ct.write_into, "func", ct.write_into)).compile(f32(128, 128), f32(128, 128)).ir()
    assert "nc_matmul engine=tensor dst=float32@psum:ps[0]" in ir and "accumulate=false" in ir
    assert "activation engine=scalar dst=float32@sbuf:t[0]" in ir
    assert "tensor_scalar engine=vector dst=float32@sbuf:t[0]" in ir
    assert ir.count("tensor_copy") == 1


def test_masked_calls():
    a = f32(128, 64)
    out, red = ct.masked_calls(a)
    np.testing.assert_allclose(out[:100, :48], np.exp(a[:100, :48]) + 1, rtol=1e-5)
    np.testing.assert_allclose(red[:100], a[:100].sum(axis=1, keepdims=True), rtol=1e-5, atol=1e-5)


def test_composites():
    a, c = f32(128, 64), f32(1, 64)
    w, b = ct.composites(a, c)
    np.testing.assert_array_equal(w, np.where(a > 0, a, 0))
    np.testing.assert_array_equal(b, np.broadcast_to(c, a.shape))


def test_affine_select_causal():
    a = f32(128, 128)
    rows, cols = np.indices(a.shape)
    np.testing.assert_array_equal(ct.causal(a), np.where(rows - cols >= 0, a, np.float32(-9984.0)))
