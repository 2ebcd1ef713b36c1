"""NKI 0.5.0 tensor indirection, `NkiTensor.indirect(index, num_elem=None)` (nki-spec.md §11.2,
docs/semantics.md "NKI 0.5.0: tensor indirection"): our kernels on trn3 against NumPy under 0.5.0 and the
default release, and the errors (trn2, an instruction without indirection, ScalarE scatter into PSUM,
re-indirecting, slicing the indirect dim, an out-of-range offset at run time, NKI 0.4.0).
Tolerances: gathers, scatters and the add are exact (data moves bit for bit, one fp32 add); the fp32
matmul within rtol 1e-5 / atol 1e-5 of float64 NumPy; exp on ScalarE within rtol 1e-6 of NumPy's fp32 exp."""
import os
import sys

import numpy as np
import pytest

import nki

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "kernels"))
import r05_indirect_kernels as k  # noqa: E402
from release_util import error_line, needs_release_selection, run  # noqa: E402

KFILE = os.path.join(HERE, "kernels", "r05_indirect_kernels.py")
RELEASES = [None, "0.5"]
rng = np.random.default_rng(55)


@pytest.fixture(autouse=True)
def trn3(monkeypatch):
    monkeypatch.setenv("NEURON_PLATFORM_TARGET_OVERRIDE", "trn3")


def randn(*shape):
    return rng.standard_normal(shape, dtype=np.float32)


def offsets(idx, P, n, G):
    """offsets[q, i]: the column partition q of an indirect view reads (index[g*G + i % G, i // G])."""
    R = idx.shape[0]
    out = np.zeros((P, n), dtype=np.int64)
    for q in range(P):
        base = 0 if R == G else q // G * G
        for i in range(n):
            out[q, i] = idx[base + i % G, i // G]
    return out


def gathered(x, off):
    return np.take_along_axis(x, off, axis=1)


@pytest.mark.parametrize("ver", RELEASES)
@pytest.mark.parametrize("rows", [16, 32])  # one offset list for all groups / one per 16-partition group
def test_gather_tensor_tensor(ver, rows):
    P, F, n = 32, 40, 32
    a, b = randn(P, F), randn(P, n)
    idx = rng.integers(0, F, (rows, n // 16)).astype(np.uint16)
    out = run(k.gather_tensor_tensor, a, b, idx, ver=ver)
    np.testing.assert_array_equal(out, gathered(a, offsets(idx, P, n, 16)) + b)


@pytest.mark.parametrize("ver", RELEASES)
def test_scatter_tensor_copy(ver):
    P, F, n = 16, 24, 16
    base, src = randn(P, F), randn(P, n)
    idx = rng.permutation(F)[:n].astype(np.uint16).reshape(1, n).T.copy()  # (16, 1): column i -> idx[i, 0]
    out = run(k.scatter_tensor_copy, base, src, idx, ver=ver)
    ref = base.copy()
    ref[:, idx[:, 0]] = src
    np.testing.assert_array_equal(out, ref)


@pytest.mark.parametrize("ver", RELEASES)
def test_matmul_indirect_moving(ver):
    K, M, F = 64, 16, 48
    w, x = randn(K, M), randn(K, F)
    idx = rng.integers(0, F, (32, 1)).astype(np.uint16)  # G = 32 on TensorE: 32 offsets
    out = run(k.matmul_indirect_moving, w, x, idx, ver=ver)
    ref = w.astype(np.float64).T @ gathered(x, offsets(idx, K, 32, 32)).astype(np.float64)
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("ver", RELEASES)
def test_activation_gather(ver):
    P, F = 16, 20
    x = randn(P, F)
    idx = rng.integers(0, F, (16, 2)).astype(np.uint16)
    out = run(k.activation_indirect, x, idx, ver=ver)
    np.testing.assert_allclose(out, np.exp(gathered(x, offsets(idx, P, 32, 16))), rtol=1e-6)


def test_activation_scatter_sbuf():
    P, F, n = 16, 20, 16
    x, base = randn(P, n), randn(P, F)
    idx = rng.permutation(F)[:n].astype(np.uint16).reshape(n, 1)
    out = run(k.activation_scatter, x, base, idx)
    ref = base.copy()
    ref[:, idx[:, 0]] = np.exp(x)
    np.testing.assert_allclose(out, ref, rtol=1e-6)


def check_error(e, message, marker):
    text = str(e.value)
    assert message in text, text
    assert f'r05_indirect_kernels.py", line {error_line(KFILE, marker)},' in text, text


def test_error_on_trn2(monkeypatch):
    monkeypatch.setenv("NEURON_PLATFORM_TARGET_OVERRIDE", "trn2")
    with pytest.raises(nki.NkiCompileError) as e:
        run(k.gather_tensor_tensor, randn(16, 8), randn(16, 16), np.zeros((16, 1), np.uint16))
    check_error(e, "tensor indirection needs NeuronCore-v4 or later (trn3); the target is trn2", "gather")


@pytest.mark.parametrize("kernel, marker, message", [
    (k.unsupported_instruction, "unsupported",
     "reciprocal data is an indirect view (.indirect()): only these compute instructions take one"),
    (k.act_scatter_psum, "act_psum", "activation: ScalarE cannot scatter into PSUM"),
    (k.re_indirect, "re_indirect", "an indirect view cannot be re-indirected"),
    (k.slice_indirect_dim, "slice_dim", "the indirect dim (dim 1) of an indirect view cannot be sliced or selected"),
    (k.index_indirect_dim, "index_dim", "an indirect view cannot be indexed or sliced"),
    (k.dma_of_indirect, "dma", "dma_copy src is an indirect view (.indirect())"),
])
def test_compile_errors(kernel, marker, message):
    with pytest.raises(nki.NkiCompileError) as e:
        run(kernel, randn(16, 16), np.zeros((16, 1), np.uint16))
    check_error(e, message, marker)


def test_index_capacity_error():
    # 32 offsets from a (16, 1) index tile: only 16 per group
    with pytest.raises(nki.NkiCompileError) as e:
        run(k.gather_tensor_tensor, randn(16, 40), randn(16, 32), np.zeros((16, 1), np.uint16))
    check_error(e, "holds 16 offsets per group", "gather_use")


def test_out_of_range_offset_at_run_time():
    idx = np.zeros((16, 1), np.uint16)
    idx[5, 0] = 16  # the view has 16 elements per partition
    with pytest.raises(nki.NkiError) as e:
        run(k.copy_indirect, randn(16, 16), idx)
    check_error(e, "indirect offset 16 (index[5, 0]) is out of range", "copy")


def test_error_under_0_4():
    needs_release_selection(k.gather_tensor_tensor,
                            (randn(16, 16), randn(16, 16), np.zeros((16, 1), np.uint16)), "0.4")
    with pytest.raises(nki.NkiCompileError) as e:
        run(k.gather_tensor_tensor, randn(16, 16), randn(16, 16), np.zeros((16, 1), np.uint16), ver="0.4")
    check_error(e, "'NkiTensor.indirect' is not in NKI 0.4.0: it was added in NKI 0.5.0", "gather")
