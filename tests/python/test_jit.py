"""The Python entry points: nki.simulate, @nki.jit (with and without NKI_SIMULATOR=1), jit on the fly,
kernel[n], the compile cache, argument checks and error objects."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import nki
import nki.isa as nisa
import nki.language as nl

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def add_fn(a, b):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    x = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
    y = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=x, src=a)
    nisa.dma_copy(dst=y, src=b)
    nisa.tensor_tensor(dst=x, data1=x, data2=y, op=nl.add)
    nisa.dma_copy(dst=out, src=x)
    return out


def test_simulate_plain_function():
    a = np.arange(128 * 4, dtype=np.float32).reshape(128, 4)
    np.testing.assert_array_equal(nki.simulate(add_fn)(a, a), a + a)


def test_jit_on_the_fly_and_decorator_forms():
    a = np.ones((8, 8), np.float32)
    k1 = nki.jit(add_fn)
    k2 = nki.jit()(add_fn)
    k3 = nki.jit(mode="auto")(add_fn)
    for k in (k1, k2, k3):
        np.testing.assert_array_equal(k(a, a), a + a)
    np.testing.assert_array_equal(nki.simulate(k1)(a, a), a + a)


def test_deprecated_mode_warns_and_platform_target_selects_the_target():
    with pytest.warns(DeprecationWarning):
        nki.jit(add_fn, mode="simulation")
    # nki-library's cross_entropy_forward uses @nki.jit(platform_target="trn2") (kernels win over docs).
    a = np.ones((8, 8), np.float32)
    for t in ("trn1", "trn2", "trn3"):
        np.testing.assert_array_equal(nki.jit(add_fn, platform_target=t)(a, a), a + a)
    with pytest.raises(nki.NkiError, match="platform_target"):
        nki.jit(add_fn, platform_target="trn9")


def test_compile_cache_reused_for_same_shapes():
    k = nki.jit(add_fn)
    a = np.ones((8, 8), np.float32)
    c1 = k.compile(a, a)
    k(a + 1, a)
    assert k.compile(a, a) is c1
    assert len(k._cache) == 1
    k(np.ones((16, 8), np.float32), np.ones((16, 8), np.float32))
    assert len(k._cache) == 2


def test_launch_grid():
    k = nki.jit(add_fn)
    a = np.ones((8, 8), np.float32)
    np.testing.assert_array_equal(k[1](a, a), a + a)
    with pytest.raises(nki.NkiError, match="at most 2"):
        k[8]
    with pytest.raises(nki.NkiError):
        k["x"]


def test_list_argument_rejected_with_hint():
    k = nki.jit(add_fn)
    with pytest.raises(TypeError, match="tuple"):
        k([1, 2], [3])


def test_unsupported_dtype_rejected():
    k = nki.jit(add_fn)
    with pytest.raises(TypeError, match="float64"):
        k(np.ones((4, 4)), np.ones((4, 4)))


def test_no_arguments_is_an_error():
    with pytest.raises(nki.NkiError):
        nki.jit(add_fn)()


def test_compile_error_is_exception_with_location(tmp_path):
    src = tmp_path / "bad_kernel.py"
    src.write_text(textwrap.dedent("""\
        import nki
        import nki.language as nl

        @nki.jit
        def bad(a):
            t = nl.ndarray((256, 4), dtype=nl.float32, buffer=nl.sbuf)
            return a
        """))
    sys.path.insert(0, str(tmp_path))
    try:
        import bad_kernel
        with pytest.raises(nki.NkiValidationError) as e:
            bad_kernel.bad(np.ones((4, 4), np.float32))
    finally:
        sys.path.remove(str(tmp_path))
    err = e.value
    assert err.filename == str(src)
    assert err.lineno == 6 and err.col == 20
    assert isinstance(err, nki.isa.NkiValidationError)
    assert str(err).splitlines()[0] == f'File "{src}", line 6, col 20'


def test_assert_in_kernel_is_assertion_error():
    def k(a):
        assert a.shape[0] == 3, "needs three rows"
        return a
    with pytest.raises(AssertionError, match="needs three rows"):
        nki.simulate(k)(np.ones((4, 4), np.float32))


def test_nki_simulator_env_script(tmp_path):
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent("""\
        import numpy as np
        import nki, nki.isa as nisa, nki.language as nl

        @nki.jit
        def double(a):
            out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
            t = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
            nisa.dma_copy(dst=t, src=a)
            nisa.tensor_tensor(dst=t, data1=t, data2=t, op=nl.add)
            nisa.dma_copy(dst=out, src=t)
            return out

        a = np.arange(12, dtype=np.float32).reshape(3, 4)
        print("ok" if np.array_equal(double(a), 2 * a) else "bad")
        """))
    env = dict(os.environ, NKI_SIMULATOR="1")
    r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"


def test_target_override(monkeypatch):
    a = np.ones((8, 8), np.float32)
    for t in ("trn1", "trn2", "trn3", "gen3"):
        monkeypatch.setenv("NEURON_PLATFORM_TARGET_OVERRIDE", t)
        np.testing.assert_array_equal(nki.jit(add_fn)(a, a), a + a)
    monkeypatch.setenv("NEURON_PLATFORM_TARGET_OVERRIDE", "trn9")
    with pytest.raises(ValueError, match="unknown target"):
        nki.jit(add_fn)(a, a)
