"""Kernels that update an input in place and return it (as production kernels do): the returned
array is the caller's own array. Exact (raw copies and one fp32 add)."""
import numpy as np

import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def add_into(acc, x):
    a = nl.ndarray(acc.shape, dtype=acc.dtype, buffer=nl.sbuf)
    b = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=a, src=acc)
    nisa.dma_copy(dst=b, src=x)
    nisa.tensor_tensor(dst=a, data1=a, data2=b, op=nl.add)
    nisa.dma_copy(dst=acc, src=a)
    return acc


@nki.jit
def add_into_and_copy(acc, x):
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    nisa.dma_copy(dst=out, src=t)
    return out, add_into_helper(acc, t)


def add_into_helper(acc, t):
    a = nl.ndarray(acc.shape, dtype=acc.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=a, src=acc)
    nisa.tensor_tensor(dst=a, data1=a, data2=t, op=nl.add)
    nisa.dma_copy(dst=acc, src=a)
    return acc


def test_returned_input_is_the_callers_array():
    rng = np.random.default_rng(3)
    acc, x = rng.standard_normal((2, 64, 32), dtype=np.float32)
    before = acc.copy()
    out = add_into(acc, x)
    assert out is acc
    np.testing.assert_array_equal(acc, before + x)


def test_returned_input_in_a_tuple_with_a_new_output():
    rng = np.random.default_rng(4)
    acc, x = rng.standard_normal((2, 16, 8), dtype=np.float32)
    before = acc.copy()
    copy, same = add_into_and_copy(acc, x)
    assert same is acc
    np.testing.assert_array_equal(copy, x)
    np.testing.assert_array_equal(acc, before + x)


@nki.jit
def copy_reshaped(x):
    # Returning a whole-tensor reshape (as nki-library's cascaded_max does) yields the new shape.
    out = nl.ndarray((1, x.shape[0] * x.shape[1]), dtype=x.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    nisa.dma_copy(dst=out.reshape(x.shape), src=t)
    return out.reshape((x.shape[0], x.shape[1], 1))


@nki.jit
def return_input_reshaped(x):
    return x.reshape((x.shape[1], x.shape[0]))


def test_returned_reshape_has_the_new_shape():
    x = np.random.default_rng(5).standard_normal((4, 8), dtype=np.float32)
    r = copy_reshaped(x)
    assert r.shape == (4, 8, 1)
    np.testing.assert_array_equal(r[..., 0], x)


def test_returned_input_reshaped_is_an_error():
    import pytest
    with pytest.raises(nki.NkiCompileError, match="reshaped"):
        return_input_reshaped(np.zeros((4, 8), np.float32))
