"""The Beta 1 launchers (neuronxcc.nki.jit/baremetal/simulate_kernel/benchmark/profile) on the team's
tensor-add kernels; results checked exactly against NumPy (a float32 add)."""
import json
import os
import sys
import warnings

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "migrate"))

from neuronxcc import nki  # noqa: E402
import neuronxcc.nki.language as nl  # noqa: E402,F401
import neuronxcc.nki.typing as nt  # noqa: E402

def _fixture(name):
    """A module of tests/legacy/migrate under its own name (examples/tensor_add.py is `tensor_add` too)."""
    import importlib.util
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "migrate", name + ".py")
    spec = importlib.util.spec_from_file_location("legacy_fixture_" + name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


ta = _fixture("tensor_add")

A = np.arange(128 * 512, dtype=np.float32).reshape(128, 512) / 7
B = np.ones((128, 512), np.float32)


def _add_raw():
    return ta.tensor_add.func


def test_namespace_imports():
    import neuronxcc.nki.compiler as ncc
    import neuronxcc.nki.isa as nisa
    assert nl.float32 is not None and nl.tile_size.pmax == 128 and nl.psum is not None
    assert nisa.dge_mode.none.value == 0 and nisa.dge_mode.unknown.value == 3  # Beta 1 values
    assert ncc.force_auto_alloc(_add_raw()) is _add_raw()
    assert nt.tensor[[128, 512], nl.float32].shape == (128, 512)
    with pytest.raises(Exception, match="inside a kernel"):
        nl.arange(128)


def test_jit_returns_outputs_without_legacy_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(ta.tensor_add(A, B), A + B)


def test_simulate_kernel():
    np.testing.assert_array_equal(nki.simulate_kernel(ta.tensor_add, A, B), A + B)
    np.testing.assert_array_equal(nki.simulate_kernel(_add_raw(), A, B), A + B)


def test_baremetal_returns_outputs_and_writes_trace(tmp_path):
    k = nki.baremetal(_add_raw(), save_trace_name=str(tmp_path / "t.ntff"), save_neff_name=str(tmp_path / "k.neff"))
    np.testing.assert_array_equal(k(A, B), A + B)
    json.loads((tmp_path / "t.ntff").read_text())
    assert (tmp_path / "t.html").exists() and "no NEFF" in (tmp_path / "k.neff").read_text()


def test_benchmark_percentiles(capsys):
    k = nki.benchmark(warmup=2, iters=3)(ta.tensor_add)
    k(A, B)
    lat = k.benchmark_result.nc_latency
    values = {lat.get_latency_percentile(p) for p in (0, 1, 10, 25, 50, 90, 99, 100)}
    assert len(values) == 1 and values.pop() > 0
    assert "estimated latency" in capsys.readouterr().out
    with pytest.raises(ValueError, match="percentiles"):
        lat.get_latency_percentile(95)
    k2 = nki.benchmark(ta.tensor_add)
    k2(nt.tensor[[128, 512], nl.float32], nt.tensor[[128, 512], nl.float32])  # placeholders: shapes only
    assert k2.benchmark_result.nc_latency.get_latency_percentile(50) == lat.get_latency_percentile(50)


def test_profile_writes_trace_html_summary_and_neff_note(tmp_path):
    k = nki.profile(working_directory=str(tmp_path), save_trace_name="profile.ntff")(ta.tensor_add)
    assert k(A, B) is None
    json.loads((tmp_path / "profile.ntff").read_text())
    assert (tmp_path / "profile.html").exists() and (tmp_path / "file.neff").exists()
    assert json.loads((tmp_path / "profile_summary.json").read_text())["latency_us"] > 0
    with pytest.raises(FileExistsError):
        k(A, B)
    nki.profile(working_directory=str(tmp_path), overwrite=True)(ta.tensor_add)(A, B)


def test_launcher_errors():
    with pytest.raises(Exception, match="absolute"):
        nki.profile(working_directory="rel/dir")
    with pytest.raises(Exception, match="mode"):
        nki.jit(_add_raw(), mode="bogus")
    with pytest.raises(Exception, match="warmup"):
        nki.benchmark(warmup=-1)
    with pytest.raises(Exception, match="positive ints"):
        ta.tensor_add[4, -2]


def test_new_namespace_keeps_its_errors():
    import nki as nki030
    for name in ("baremetal", "benchmark", "profile", "simulate_kernel"):
        with pytest.raises(AttributeError, match=f"nki.{name} is not available in NKI 0.3.0"):
            getattr(nki030, name)


def test_new_jit_on_legacy_kernel_still_warns():
    import nki as nki030
    with pytest.warns(UserWarning, match="legacy NKI namespace"):
        nki030.simulate(nki030.jit(_add_raw()))(A, B)
