"""The language-subset check accepts what production NKI 0.3.0 kernels use (docs/subset.md): `is None`,
`in` on compile-time containers, f-strings with format specs and `{expr=}`, `raise` in an untaken branch,
`with nl.no_reorder()`, Enum and NKIObject classes, helpers with defaults and keyword-only parameters,
and host code (comprehensions, lambdas) next to the kernel that the kernel never reaches."""
import warnings
from enum import Enum

import numpy as np
import pytest

import nki
import nki.isa as nisa
import nki.language as nl

# Host code in the kernel's own module: never reached by the kernel, so never checked.
SHAPES = [(p, f) for p in (4, 128) for f in (8, 64)]
host_scale = lambda x: x * 2  # noqa: E731


class Mode(Enum):
    COPY = 0
    DOUBLE = 1


class Tiling(nl.NKIObject):
    def __init__(self, rows, cols=None):
        self.rows = rows
        self.cols = cols

    def free_size(self):
        return self.cols if self.cols is not None else 1


def copy_through_sbuf(dst, src, shape, dtype, *, double=False, engine=None):
    t = nl.ndarray(shape, dtype=dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=src)
    if double:
        nisa.tensor_tensor(dst=t, data1=t, data2=t, op=nl.add)
    nisa.dma_copy(dst=dst, src=t)


def checked_dtype(dtype, allowed=(nl.float32, nl.bfloat16)):
    if dtype not in allowed:
        raise ValueError(f"dtype {dtype} is not supported")
    return dtype


@nki.jit
def accepts_kernel(a, bias=None, double=False, scale=1.5):
    mode = Mode.DOUBLE if double else Mode.COPY
    assert a.shape[0] <= 128, f"partition dim too large: {a.shape[0]=}"
    label = f"{scale:.2f}|{a.shape[1]:>6}|{a.shape[0]:04d}|{mode}"
    assert label == f"1.50|{a.shape[1]:>6}|{a.shape[0]:04d}|Mode.{'DOUBLE' if double else 'COPY'}", label
    if bias is not None:
        raise ValueError("bias is not supported yet")
    if a.dtype is None or mode not in (Mode.COPY, Mode.DOUBLE):
        raise ValueError(f"unreachable: {mode}")
    dims = {"rows": a.shape[0], "cols": a.shape[1]}
    assert "rows" in dims and "depth" not in dims
    tiling = Tiling(dims["rows"], cols=dims["cols"])
    assert tiling.free_size() == a.shape[1]

    def tile_rows(t):  # a nested helper that captures nothing
        return t.rows

    assert tile_rows(tiling) == a.shape[0]
    out = nl.ndarray(a.shape, dtype=checked_dtype(a.dtype), buffer=nl.shared_hbm)
    with nl.no_reorder():
        copy_through_sbuf(out, a, a.shape, a.dtype, double=mode == Mode.DOUBLE)
    return out


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("mode", [Mode.COPY, Mode.DOUBLE])
def test_production_constructs_compile_and_run(shape, mode):
    a = np.random.default_rng(7).standard_normal(shape, dtype=np.float32)
    out = nki.simulate(accepts_kernel)(a, double=mode == Mode.DOUBLE)
    np.testing.assert_array_equal(out, a + a if mode == Mode.DOUBLE else a)
    assert host_scale(1) == 2


def test_raise_when_reached_is_a_compile_error():
    a = np.ones((4, 8), np.float32)
    with pytest.raises(Exception) as e:
        nki.simulate(accepts_kernel)(a, bias=a)
    assert "bias is not supported yet" in str(e.value)


@nki.jit
def legacy_import_kernel(a):
    import neuronxcc.nki.language as legacy_nl

    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=legacy_nl.shared_hbm)
    nisa.dma_copy(dst=out, src=a)
    return out


def test_legacy_namespace_import_in_kernel_warns():
    a = np.ones((4, 8), np.float32)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = nki.simulate(legacy_import_kernel)(a)
    np.testing.assert_array_equal(out, a)
    texts = [str(w.message) for w in caught]
    assert any("'neuronxcc.nki.language' is the legacy NKI namespace" in t and "nki.language" in t for t in texts), texts


def helper_with_comprehension(shape):
    return [d * 2 for d in shape]


@nki.jit
def reaches_comprehension_kernel(a):
    dims = helper_with_comprehension(a.shape)
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=a)
    assert dims
    return out


def test_helper_reached_by_kernel_is_checked():
    with pytest.raises(Exception) as e:
        nki.simulate(reaches_comprehension_kernel)(np.ones((4, 8), np.float32))
    assert "list comprehensions are not supported in NKI kernels" in str(e.value)


def scale_by(t, times):
    def apply(x):
        return x * times  # `times` lives in the enclosing helper's frame

    return apply(t)


@nki.jit
def closure_kernel(a):
    assert scale_by(a.shape[0], 3) == 3 * a.shape[0]
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=a)
    return out


def test_nested_def_closure():
    a = np.ones((4, 8), np.float32)
    np.testing.assert_array_equal(nki.simulate(closure_kernel)(a), a)


@nki.jit
def enum_argument_kernel(a, mode=Mode.COPY):
    assert mode in (Mode.COPY, Mode.DOUBLE), f"{mode} is not a Mode member"
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=a)
    return out


def test_enum_argument_from_python():
    a = np.ones((4, 8), np.float32)
    np.testing.assert_array_equal(nki.simulate(enum_argument_kernel)(a, mode=Mode.DOUBLE), a)
