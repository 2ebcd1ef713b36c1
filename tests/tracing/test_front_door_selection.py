"""Which front door compiles a kernel (docs/semantics.md, "Front doors"): NKI_COMPILER_FRONTEND, else the
selected release (0.7 traces), else the C++ specializer; the legacy language is always the specializer."""
import numpy as np
import pytest

import nki
import nki.isa as nisa
import nki.language as nl


def comprehension_kernel(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    tiles = [nl.ndarray((128, a.shape[1]), dtype=a.dtype, buffer=nl.sbuf) for _ in range(a.shape[0] // 128)]
    for i, t in enumerate(tiles):
        nisa.dma_copy(dst=t, src=a[i * 128:(i + 1) * 128, :])
        nisa.dma_copy(dst=out[i * 128:(i + 1) * 128, :], src=t)
    return out


X = np.arange(256 * 4, dtype=np.float32).reshape(256, 4)


@pytest.mark.parametrize("env", [{"NKIC_NKI_RELEASE": "0.7"}, {"NKI_COMPILER_FRONTEND": "trace"},
                                 {"NKI_COMPILER_FRONTEND": "tracing", "NKIC_NKI_RELEASE": "0.5"}])
def test_tracing_selected(monkeypatch, env):
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    np.testing.assert_array_equal(nki.jit(comprehension_kernel)(X), X)  # a copy: exact


@pytest.mark.parametrize("env", [{}, {"NKIC_NKI_RELEASE": "0.6"},
                                 {"NKIC_NKI_RELEASE": "0.7", "NKI_COMPILER_FRONTEND": "custom"}])
def test_specializer_selected(monkeypatch, env):
    monkeypatch.delenv("NKI_COMPILER_FRONTEND", raising=False)
    monkeypatch.delenv("NKIC_NKI_RELEASE", raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(nki.NkiCompileError, match="list comprehensions are not supported"):
        nki.jit(comprehension_kernel)(X)


def test_unknown_front_door(monkeypatch):
    monkeypatch.setenv("NKI_COMPILER_FRONTEND", "pyhton")
    with pytest.raises(nki.NkiError, match="NKI_COMPILER_FRONTEND='pyhton'"):
        nki.jit(comprehension_kernel)(X)


def test_legacy_kernel_stays_on_the_specializer(monkeypatch):
    import sys, os
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "releases", "kernels"))
    import selection_legacy as sl
    monkeypatch.setenv("NKI_COMPILER_FRONTEND", "trace")
    a = np.arange(256 * 64, dtype=np.float32).reshape(256, 64) / 8
    np.testing.assert_array_equal(sl.legacy_add(a, a), a + a)  # exact: a sum of eighths
