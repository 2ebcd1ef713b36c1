"""Selecting the NKI release kernels target (NKIC_NKI_RELEASE, `nkic --nki`, compile(release=)), the
versions reported (nki.__version__, nkic.__version__, the CLI summary), the names and constructs later
releases deprecated or removed (nki-spec.md §11), and the behaviour changes that follow the release
(NKI_PRECISE_FP, the 0.7.0 LNC check). The legacy namespace's launches and the 0.3.0 compat runner do
not follow the selection. Every kernel result is checked exactly against NumPy (float32 additions and
multiplications by small integers and powers of two are exact; bf16 rounding via ml_dtypes)."""
import importlib.util
import json
import os
import re
import subprocess
import sys
import types
import warnings

import ml_dtypes
import numpy as np
import pytest

import nki
import nkic

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "kernels"))
import selection_kernels as k  # noqa: E402
from release_util import error_line, release, run  # noqa: E402

KFILE = os.path.join(HERE, "kernels", "selection_kernels.py")
X = (np.arange(64 * 32, dtype=np.float32).reshape(64, 32) % 17) / 4


def run_warned(fn, *args, ver=None):
    """(result, warning texts) of fn under release `ver`."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = run(fn, *args, ver=ver)
    return out, [str(w.message) for w in caught]


def compile_error(fn, *args, ver):
    with pytest.raises(nki.NkiError) as ei:
        run(fn, *args, ver=ver)
    return ei.value


# ---- versions ----
def pyproject_version():
    with open(os.path.join(ROOT, "pyproject.toml")) as f:
        return re.search(r'^version\s*=\s*"([^"]+)"', f.read(), re.M).group(1)


def test_nkic_version_is_pyprojects():
    assert nkic.__version__ == pyproject_version()


@pytest.mark.parametrize("ver,shown", [(None, "0.7.0"), ("0.3", "0.3.0"), ("0.6.0", "0.6.0"), ("v0.5", "0.5.0"),
                                       ("0.9", "0.7.0")])
def test_nki_version_is_the_emulated_release(ver, shown):
    with release(ver):
        assert nki.__version__ == shown
        from nki import __version__
        assert __version__ == shown


def test_bad_release_is_a_clear_error():
    with pytest.raises(ValueError, match=r"NKIC_NKI_RELEASE='0\.9' is not an NKI release .*0\.3, 0\.4"):
        run(k.double, X, ver="0.9")


def test_binding_release_param():
    from nki import _core
    with open(KFILE) as f:
        src = f.read()
    desc = [("", ("T", X.shape, "float32")), ("", 4)]
    _core.compile(KFILE, src, "dynamic_range_add", desc, release="0.5")
    with pytest.raises(nki.NkiError, match="not in NKI 0.7.0"):
        _core.compile(KFILE, src, "dynamic_range_add", desc, release="0.7")
    with pytest.raises(ValueError, match="not an NKI release"):
        _core.compile(KFILE, src, "dynamic_range_add", desc, release="1.0")


def test_selection_is_part_of_the_cache_key():
    kern = nki.jit(k.dynamic_range_add)
    with release("0.5"):
        np.testing.assert_array_equal(kern(X, 3), X * 3)
    with release("0.7"), pytest.raises(nki.NkiError, match="removed in NKI 0.7.0"):
        kern(X, 3)
    with release("0.5"):
        np.testing.assert_array_equal(kern(X, 3), X * 3)


# ---- removed and deprecated names ----
@pytest.mark.parametrize("ver", ["0.3", "0.4", "0.5"])
def test_dynamic_range_before_its_deprecation(ver):
    out, ws = run_warned(k.dynamic_range_add, X, 3, ver=ver)
    np.testing.assert_array_equal(out, X * 3)
    assert not [w for w in ws if "dynamic_range" in w], ws


def test_dynamic_range_deprecated_in_06():
    out, ws = run_warned(k.dynamic_range_add, X, 3, ver="0.6")
    np.testing.assert_array_equal(out, X * 3)
    assert any("'nki.language.dynamic_range' is deprecated since NKI 0.6.0" in w and "nl.fori_loop" in w
               for w in ws), ws


def test_dynamic_range_default_warns_removed():
    out, ws = run_warned(k.dynamic_range_add, X, 3)
    np.testing.assert_array_equal(out, X * 3)
    assert any("'nki.language.dynamic_range' was removed in NKI 0.7.0" in w and "nl.fori_loop" in w
               for w in ws), ws


def test_dynamic_range_error_in_07():
    e = compile_error(k.dynamic_range_add, X, 3, ver="0.7")
    assert "'nki.language.dynamic_range' is not in NKI 0.7.0: it was removed in NKI 0.7.0" in str(e)
    assert "nl.fori_loop" in str(e)
    assert e.lineno == error_line(KFILE, "dynamic_range")


COUNT = np.array([[3]], dtype=np.int32)


@pytest.mark.parametrize("ver,expect", [("0.5", None), ("0.6", "is deprecated since NKI 0.6.0"),
                                        (None, "was removed in NKI 0.7.0")])
def test_while_register(ver, expect):
    out, ws = run_warned(k.while_register_add, X, COUNT.copy(), ver=ver)
    np.testing.assert_array_equal(out, X * 3)
    hits = [w for w in ws if "`while` on a register" in w]
    if expect is None:
        assert not hits, ws
    else:
        assert any(expect in w and "nl.while_loop" in w for w in hits), ws


def test_while_register_error_in_07():
    e = compile_error(k.while_register_add, X, COUNT.copy(), ver="0.7")
    assert "`while` on a register is not in NKI 0.7.0: it was removed in NKI 0.7.0" in str(e)
    assert "nl.while_loop" in str(e)
    assert e.lineno == error_line(KFILE, "while")


@pytest.mark.parametrize("ver,warned", [("0.3", False), ("0.4", True), ("0.7", True), (None, True)])
def test_total_available_sbuf_size(ver, warned):
    """Deprecated in 0.4.0 with its value unchanged (per-partition bytes): the same result in every release."""
    x = np.ones((8, 4), np.float32)
    out, ws = run_warned(k.sbuf_size, x, ver=ver)
    hits = [w for w in ws if "total_available_sbuf_size' is deprecated since NKI 0.4.0" in w]
    assert bool(hits) == warned, ws
    assert any("sbuf_fmax_bytes" in w for w in hits) == warned
    base, _ = run_warned(k.sbuf_size, x, ver="0.3")
    np.testing.assert_array_equal(out, base)
    assert out[0, 0] > 0 and np.all(out == out[0, 0])


@pytest.mark.parametrize("ver", ["0.4", "0.6", "0.7"])
def test_tensor_copy_dynamic_removed_in_04(ver):
    e = compile_error(k.copy_dynamic, X, ver=ver)
    assert "'nki.isa.tensor_copy_dynamic_src' is not in NKI" in str(e) and "removed in NKI 0.4.0" in str(e)
    assert e.lineno == error_line(KFILE, "copy_dynamic")


@pytest.mark.parametrize("ver,warned", [(None, False), ("0.3", False), ("0.6", False), ("0.7", True)])
def test_affine_range_deprecated_only_when_07_is_selected(ver, warned):
    out, ws = run_warned(k.affine_double, X, ver=ver)
    np.testing.assert_array_equal(out, X + X)
    hits = [w for w in ws if "'nki.language.affine_range' is deprecated since NKI 0.7.0" in w]
    assert bool(hits) == warned, ws


@pytest.mark.parametrize("ver", [None, "0.3"])
def test_legacy_namespace_in_nki_kernel_warns(ver):
    out, ws = run_warned(k.legacy_namespace_double, X, ver=ver)
    np.testing.assert_array_equal(out, X + X)
    assert any("'neuronxcc.nki.language' is the legacy NKI namespace" in w for w in ws), ws


@pytest.mark.parametrize("ver", ["0.4", "0.7"])
def test_legacy_namespace_in_nki_kernel_error_from_04(ver):
    e = compile_error(k.legacy_namespace_double, X, ver=ver)
    assert "'neuronxcc.nki.language' (the legacy NKI namespace) is not in NKI" in str(e)
    assert "since NKI 0.4.0" in str(e) and "use 'nki.language'" in str(e)
    assert e.lineno == error_line(KFILE, "legacy")


# ---- the legacy launches and the compat runner do not follow the selection ----
@pytest.mark.parametrize("ver", [None, "0.3", "0.7"])
def test_beta1_launch_unaffected(ver):
    import selection_legacy as sl
    a = np.arange(256 * 64, dtype=np.float32).reshape(256, 64) / 8
    with release(ver), warnings.catch_warnings():
        warnings.simplefilter("error")  # no legacy-namespace or deprecation warning either
        np.testing.assert_array_equal(sl.legacy_add(a, a), a + a)


def test_compat_runner_pins_030(monkeypatch):
    spec = importlib.util.spec_from_file_location("run_nkilib", os.path.join(ROOT, "tools", "compat", "run_nkilib.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    monkeypatch.setenv("NKIC_NKI_RELEASE", "0.7")
    env = mod.case_env("/tmp/repo", types.SimpleNamespace(target="trn2", no_lnc1=False), "/tmp/r.json")
    assert env["NKIC_NKI_RELEASE"] == "0.3.0"


# ---- behaviour that follows the release ----
def test_precise_fp_off_is_ignored_with_a_warning(monkeypatch):
    """AWS's simulator keeps bf16/fp8 stores in fp32 with NKI_PRECISE_FP=0; nkic's numerics are the
    hardware's, so the result is still the bf16-rounded one."""
    monkeypatch.setenv("NKI_PRECISE_FP", "0")
    a = (np.arange(128 * 64, dtype=np.float32).reshape(128, 64) / 7 + 1 / 3).astype(ml_dtypes.bfloat16)
    out, ws = run_warned(k.double, a)
    np.testing.assert_array_equal(out, (a.astype(np.float32) * 2).astype(ml_dtypes.bfloat16))
    assert any("NKI_PRECISE_FP=0 is ignored" in w for w in ws), ws
    monkeypatch.setenv("NKI_PRECISE_FP", "1")
    out, ws = run_warned(k.double, a)
    assert not [w for w in ws if "NKI_PRECISE_FP" in w], ws


def run_lnc(ver):
    """(result, LNC-check warnings) of kernel[2] under release `ver` (each core doubles its half of the rows)."""
    with release(ver), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = nki.jit(k.double_halves)[2](X)
    return out, [str(w.message) for w in caught if "configured with LNC" in str(w.message)]


def test_lnc_check_07(monkeypatch):
    monkeypatch.setenv("NEURON_LOGICAL_NC_CONFIG", "1")
    with pytest.raises(nki.NkiError, match=r"configured with LNC=2, but NEURON_LOGICAL_NC_CONFIG=1"):
        run_lnc("0.7")
    out, ws = run_lnc(None)  # the default: a warning
    np.testing.assert_array_equal(out, X + X)
    assert ws and "an error when NKI 0.7.0 is selected" in ws[0]
    out, ws = run_lnc("0.6")  # before 0.7.0: no check
    np.testing.assert_array_equal(out, X + X)
    assert not ws
    monkeypatch.setenv("NEURON_LOGICAL_NC_CONFIG", "2")
    out, ws = run_lnc("0.7")
    np.testing.assert_array_equal(out, X + X)
    assert not ws


# ---- the CLI ----
def cli(nkic_path, *args, env=None):
    e = dict(os.environ)
    e.pop("NKIC_NKI_RELEASE", None)
    e.update(env or {})
    return subprocess.run([nkic_path, *args], capture_output=True, text=True, cwd=ROOT, env=e)


KARGS = [f"{KFILE}:dynamic_range_add", "--arg", "x=64x32:float32", "--arg", "n=3"]


def test_cli_summary_shows_the_release_and_nkic(nkic_path):
    v = pyproject_version()
    r = cli(nkic_path, "run", *KARGS)
    assert r.returncode == 0, r.stderr
    assert f"NKI 0.7.0 (default), nkic {v}" in r.stdout
    assert "was removed in NKI 0.7.0" in r.stderr
    r = cli(nkic_path, "run", *KARGS, "--nki", "0.6")
    assert r.returncode == 0 and f"NKI 0.6.0, nkic {v}" in r.stdout and "deprecated since NKI 0.6.0" in r.stderr
    r = cli(nkic_path, "check", *KARGS, env={"NKIC_NKI_RELEASE": "0.5"})
    assert r.returncode == 0 and "NKI 0.5.0" in r.stdout and not r.stderr
    r = cli(nkic_path, "run", *KARGS, "--json", "--nki=0.4")
    assert r.returncode == 0 and json.loads(r.stdout)["nki"] == "0.4.0" and json.loads(r.stdout)["nkic"] == v
    r = cli(nkic_path, "profile", *KARGS, "--timing-only", "--nki", "0.5")
    assert r.returncode == 0 and "NKI 0.5.0" in r.stdout


def test_cli_flag_overrides_the_environment(nkic_path):
    r = cli(nkic_path, "check", *KARGS, "--nki", "0.7", env={"NKIC_NKI_RELEASE": "0.5"})
    assert r.returncode == 1 and "not in NKI 0.7.0" in r.stderr
    r = cli(nkic_path, "ir", *KARGS, "--nki", "0.5", env={"NKIC_NKI_RELEASE": "0.7"})
    assert r.returncode == 0 and "6 instructions" in r.stdout


def test_cli_bad_release(nkic_path):
    r = cli(nkic_path, "check", *KARGS, "--nki", "0.8")
    assert r.returncode == 2 and "--nki='0.8' is not an NKI release" in r.stderr
    r = cli(nkic_path, "check", *KARGS, env={"NKIC_NKI_RELEASE": "zero"})
    assert r.returncode == 2 and "NKIC_NKI_RELEASE='zero'" in r.stderr


def engines(fn, *args, ver):
    """{'engine:opcode'} of the compiled kernel under release `ver`, DMAs left out."""
    with release(ver):
        ir = nki.jit(fn).compile(*args).ir()
    return {f"{m.group(2)}:{m.group(1)}" for m in re.finditer(r"^\s+\d+: (\S+) engine=(\S+)", ir, re.M)
            if m.group(1) != "dma_copy"}


@pytest.mark.parametrize("ver,expect", [("0.3", "scalar:activation"), ("0.5", "scalar:activation"),
                                        ("0.6", "vector:tensor_copy"), ("0.7", "vector:tensor_copy"),
                                        (None, "vector:tensor_copy")])
def test_nl_copy_engine_follows_the_release(ver, expect):
    assert engines(k.nl_copy, X, ver=ver) == {expect}
    out, _ = run_warned(k.nl_copy, X, ver=ver)
    np.testing.assert_array_equal(out, X)


@pytest.mark.parametrize("ver,expect", [("0.3", "tensor:nc_transpose"), ("0.4", "vector:nc_transpose"),
                                        (None, "vector:nc_transpose")])
def test_nc_transpose_engine_honoured_from_04(ver, expect):
    x = X[:32, :32].copy()
    assert expect in engines(k.transpose_engine, x, ver=ver)
    out, _ = run_warned(k.transpose_engine, x, ver=ver)
    np.testing.assert_array_equal(out, x.T)
