"""nkic.profile and `nkic profile`: what a person gets from the timing model (issue #13's interface).
The laws the numbers obey are in test_laws.py; the calibration in test_calibration.py."""
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import nki
import nki.isa as nisa
import nki.language as nl
import nkic
from nki import NkiError

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples"))
sys.path.insert(0, str(ROOT / "tests" / "kernels"))

from matmul import matmul  # noqa: E402
from tiled_add import tiled_add  # noqa: E402
from lnc2_kernels import barrier_handoff  # noqa: E402

ENGINES = ["tensor", "vector", "scalar", "gpsimd", "sync", "dma"]


def _mm_args():
    rng = np.random.default_rng(0)
    return rng.standard_normal((128, 128), dtype=np.float32), rng.standard_normal((128, 512), dtype=np.float32)


def test_profile_result_has_the_documented_fields():
    lhsT, rhs = _mm_args()
    p = nkic.profile(matmul, lhsT, rhs)
    assert isinstance(p, nkic.Profile)
    assert isinstance(p.latency_us, float) and p.latency_us > 0
    assert list(p.engine_busy_us) == ENGINES
    assert p.instructions == 5
    assert p.target == "trn2"
    # outputs: what the kernel returns, exactly as nki.simulate gives it (timing never changes results)
    np.testing.assert_array_equal(p.outputs, nki.simulate(matmul)(lhsT, rhs))
    # busy time of an engine never exceeds the latency; the matmul is on TensorE
    assert all(0 <= v <= p.latency_us + 1e-9 for v in p.engine_busy_us.values())
    assert p.engine_busy_us["tensor"] > 0 and p.engine_busy_us["dma"] > 0
    assert 0 < p.mfu < 1 and 0 < p.mbu < 1
    assert p.dma_bytes["hbm_to_sbuf"] == (128 * 128 + 128 * 512) * 4
    assert p.dma_bytes["sbuf_to_hbm"] == 128 * 512 * 4


def test_lines_are_sorted_by_time_and_name_the_source():
    a = np.ones((512, 1024), np.float32)
    p = nkic.profile(tiled_add, a, a)
    lines = p.lines()
    assert [l.us for l in lines] == sorted((l.us for l in lines), reverse=True)
    assert all(l.file.endswith("tiled_add.py") for l in lines)
    by_text = {l.text: l for l in lines}
    add = by_text["nisa.tensor_tensor(dst=a_tile, data1=a_tile, data2=b_tile, op=nl.add)"]
    assert add.instructions == 8  # loop bodies count per iteration
    text = p.summary()
    assert "latency" in text and "tiled_add.py" in text
    for e in ENGINES:
        assert e in text


def test_target_argument_and_environment(monkeypatch):
    lhsT, rhs = _mm_args()
    t2 = nkic.profile(matmul, lhsT, rhs, timing_only=True)
    t1 = nkic.profile(matmul, lhsT, rhs, target="trn1", timing_only=True)
    assert t1.target == "trn1" and t2.target == "trn2"
    assert t1.latency_us != t2.latency_us  # other clocks and DMA figures
    monkeypatch.setenv("NEURON_PLATFORM_TARGET_OVERRIDE", "trn3")
    t3 = nkic.profile(matmul, lhsT, rhs, timing_only=True)
    assert t3.target == "trn3"
    with pytest.raises(NkiError, match="target='trn9'"):
        nkic.profile(matmul, lhsT, rhs, target="trn9")
    with pytest.raises(NkiError, match="timing_only"):
        nkic.profile(matmul, lhsT, rhs, timing_only="yes")


def test_timing_only_gives_the_same_estimate_without_outputs():
    a = np.ones((512, 1024), np.float32)
    full = nkic.profile(tiled_add, a, a)
    fast = nkic.profile(tiled_add, a, a, timing_only=True)
    assert fast.outputs is None
    assert fast.latency_us == pytest.approx(full.latency_us)
    assert fast.instructions == full.instructions


def test_lnc2_reports_each_core_and_the_busiest():
    x = np.arange(128 * 256, dtype=np.float32).reshape(128, 256)
    p = nkic.profile(barrier_handoff[2], x)
    assert len(p.per_core) == 2
    assert all(list(c) == ENGINES for c in p.per_core)
    assert p.engine_busy_us in p.per_core
    np.testing.assert_array_equal(p.outputs, nki.simulate(barrier_handoff[2])(x))


def test_lnc2_barrier_ends_together_on_both_cores(tmp_path):
    x = np.ones((128, 256), np.float32)
    p = nkic.profile(barrier_handoff[2], x)
    trace = json.loads(pathlib.Path(p.to_perfetto(tmp_path / "t.json")).read_text())
    barriers = [e for e in trace["traceEvents"] if e.get("ph") == "X" and e["name"] == "core_barrier"]
    assert sorted(e["pid"] for e in barriers) == [0, 1]
    ends = [e["ts"] + e["dur"] for e in barriers]
    assert ends[0] == pytest.approx(ends[1])


def test_perfetto_trace_is_valid_trace_event_json(tmp_path):
    lhsT, rhs = _mm_args()
    p = nkic.profile(matmul, lhsT, rhs)
    path = p.to_perfetto(tmp_path / "trace.json")
    trace = json.loads(pathlib.Path(path).read_text())
    events = trace["traceEvents"]
    slices = [e for e in events if e["ph"] == "X"]
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in events if e["ph"] == "M" and e["name"] == "thread_name"}
    for e in slices:
        assert {"name", "ts", "dur", "pid", "tid", "args"} <= set(e)
        assert e["dur"] >= 0 and e["ts"] >= 0
        assert e["args"]["source"].endswith(f"matmul.py:{e['args']['source'].rsplit(':', 1)[1]}")
    by_name = {}
    for e in slices:
        by_name.setdefault(e["name"], set()).add(names[(e["pid"], e["tid"])])
    assert by_name["nc_matmul"] == {"tensor"}
    assert by_name["tensor_copy"] == {"vector"}
    assert all(t.startswith("dma") for t in by_name["dma_copy"])
    mm = next(e for e in slices if e["name"] == "nc_matmul")
    assert set(mm["args"]["operands"]) == {"dst", "stationary", "moving"}
    assert "lhsT_tile" in mm["args"]["tensors"]
    # the last slice ends at the latency
    assert max(e["ts"] + e["dur"] for e in slices) == pytest.approx(p.latency_us)


def test_html_report_is_self_contained(tmp_path):
    lhsT, rhs = _mm_args()
    html = pathlib.Path(nkic.profile(matmul, lhsT, rhs).to_html(tmp_path / "r.html")).read_text()
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "http://" not in html and "https://" not in html  # no network
    assert "nc_matmul" in html


def test_profile_errors_point_at_the_kernel_line():
    @nki.jit
    def bad(x):
        out = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.shared_hbm)
        t = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
        nisa.dma_copy(dst=t, src=x)  # shape mismatch
        nisa.dma_copy(dst=out, src=t)
        return out

    with pytest.raises(NkiError, match="dma_copy") as e:
        nkic.profile(bad, np.ones((128, 32), np.float32))
    assert "test_profile_api.py" in str(e.value)


# ---- the command line ----

@pytest.fixture
def cli(nkic_path):
    env = {k: v for k, v in os.environ.items() if k != "NKIC_CHECKS"}  # a selection makes `run` untimed

    def run(*args):
        return subprocess.run([nkic_path, *args], capture_output=True, text=True, cwd=ROOT, env=env)
    return run


MM = ["examples/matmul.py:matmul", "--arg", "lhsT=128x128:float32", "--arg", "rhs=128x512:float32"]


def test_cli_profile_json(cli):
    r = cli("profile", *MM, "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert {"latency_us", "engine_busy_us", "instructions"} <= set(d)
    assert list(d["engine_busy_us"]) == ENGINES and d["instructions"] == 5 and d["target"] == "trn2"
    assert d["latency_us"] == pytest.approx(nkic.profile(matmul, *_mm_args()).latency_us)


def test_cli_profile_text_trace_and_html(cli, tmp_path):
    trace, html = tmp_path / "t.json", tmp_path / "r.html"
    r = cli("profile", *MM, "--target", "trn1", "--timing-only", "--trace", str(trace), "--html", str(html))
    assert r.returncode == 0, r.stderr
    assert "latency" in r.stdout and "trn1" in r.stdout and "(timing only)" in r.stdout
    assert any(e["ph"] == "X" for e in json.loads(trace.read_text())["traceEvents"])
    assert html.read_text().count("nc_matmul") >= 1


def test_cli_profile_lnc2(cli):
    r = cli("profile", "tests/kernels/lnc2_kernels.py:barrier_handoff", "--arg", "x=128x256:float32", "--lnc", "2",
            "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["cores"] == 2 and len(d["per_core"]) == 2


def test_cli_run_prints_the_estimate(cli):
    r = cli("run", *MM)
    assert r.returncode == 0, r.stderr
    assert "estimated latency" in r.stdout and "us on trn2" in r.stdout
    d = json.loads(cli("run", *MM, "--json").stdout)
    assert d["latency_us"] > 0


def test_cli_profile_usage_errors(cli, tmp_path):
    r = cli("run", *MM, "--timing-only")
    assert r.returncode == 2 and "--timing-only" in r.stderr
    r = cli("profile", *MM, "--trace")
    assert r.returncode == 2 and "--trace needs a value" in r.stderr
    r = cli("profile", *MM, "--html", str(tmp_path / "no" / "such" / "dir" / "r.html"))
    assert r.returncode == 2 and "cannot write" in r.stderr
