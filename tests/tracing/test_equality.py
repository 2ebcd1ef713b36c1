"""`==` on user classes (nki-spec §11.4): NKI's specializer before 0.7.0 compared user objects structurally;
tracing (0.7.0) follows Python (identity, unless __eq__ or a dataclass). The same kernel, both front doors."""
import numpy as np
import pytest

import nki
import nki.isa as nisa
import nki.language as nl


class Tiling(nl.NKIObject):
    def __init__(self, rows, cols):
        self.rows = rows
        self.cols = cols


A = Tiling(128, 64)
B = Tiling(128, 64)  # equal fields, another object


@nki.jit
def scale_if_same(x):
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    factor = 2.0 if A == B else 3.0
    nisa.tensor_scalar(dst=t, data=t, op0=nl.multiply, operand0=factor)
    nisa.dma_copy(dst=out, src=t)
    return out


@pytest.mark.parametrize("frontend,factor", [("custom", 2.0), ("trace", 3.0)])
def test_user_class_equality_per_front_door(monkeypatch, frontend, factor):
    monkeypatch.setenv("NKI_COMPILER_FRONTEND", frontend)
    x = np.arange(128 * 8, dtype=np.float32).reshape(128, 8)
    out = nki.jit(scale_if_same.func)(x)  # a fresh kernel object: no cache shared between the two runs
    np.testing.assert_array_equal(out, x * factor)  # exact: multiplication by a power of two or 3 of small ints


@nki.jit
def uses_len(x):
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    nisa.tensor_scalar(dst=t, data=t, op0=nl.multiply, operand0=float(len(x)))
    nisa.dma_copy(dst=out, src=t)
    return out


@pytest.mark.parametrize("frontend", ["custom", "trace"])
def test_len_of_a_tensor_is_its_first_dim(monkeypatch, frontend):
    monkeypatch.setenv("NKI_COMPILER_FRONTEND", frontend)
    x = np.ones((64, 8), np.float32)
    np.testing.assert_array_equal(nki.jit(uses_len.func)(x), x * 64)  # exact: 64 * 1


@nki.jit
def complex_constant(x):
    c = nl.shared_constant(np.ones((4, 4), np.complex64))  # ERROR-LINE complex
    return c


def test_unsupported_constant_is_an_error_at_its_line(monkeypatch):
    monkeypatch.setenv("NKI_COMPILER_FRONTEND", "trace")
    with pytest.raises(TypeError, match="complex64 and 128 bytes cannot be an NKI constant") as e:
        nki.jit(complex_constant.func)(np.ones((4, 4), np.float32))
    assert isinstance(e.value, nki.NkiCompileError)
    assert e.value.lineno == next(i for i, t in enumerate(open(__file__), 1) if "ERROR-LINE complex" in t)
