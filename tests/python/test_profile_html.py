"""The profile's HTML report opened in headless Chromium: it draws without console errors, with one
`.track` element per engine queue / DMA ring that has slices and the expected number of instruction
slices, and the Perfetto trace of the same run is valid trace-event JSON. Chromium is Debian's
`chromium` package, which ./dev installs: without it these tests fail rather than skip."""
import html.parser
import json
import os
import shutil
import subprocess

import numpy as np
import pytest

import nki
import nki.isa as nisa
import nki.language as nl
import nkic


@nki.jit
def scaled_matmul(lhsT, rhs):
    # Several engines and DMA rings, and a loop, so the report has tracks and repeated slices.
    k, m = lhsT.shape
    _, n = rhs.shape
    out = nl.ndarray((m, n), dtype=nl.float32, buffer=nl.shared_hbm)
    a = nl.ndarray((k, m), dtype=lhsT.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=a, src=lhsT)
    for j in nl.affine_range(n // 128):
        b = nl.ndarray((k, 128), dtype=rhs.dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=b, src=rhs[:, j * 128:(j + 1) * 128])
        acc = nl.ndarray((m, 128), dtype=nl.float32, buffer=nl.psum)
        nisa.nc_matmul(dst=acc, stationary=a, moving=b)
        r = nl.ndarray((m, 128), dtype=nl.float32, buffer=nl.sbuf)
        nisa.activation(dst=r, op=nl.copy, data=acc, scale=2.0)
        nisa.dma_copy(dst=out[:, j * 128:(j + 1) * 128], src=r)
    return out


def chromium():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("chromium is not installed: `apt-get install chromium` (./dev installs it)", pytrace=False)
    return path


class _Dom(html.parser.HTMLParser):
    """What the test reads of the dumped DOM: the .track elements, #tracks and <body>'s attributes."""

    def __init__(self):
        super().__init__()
        self.tracks, self.tracks_div, self.body = [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "track" in (a.get("class") or "").split():
            self.tracks.append(a)
        if a.get("id") == "tracks":
            self.tracks_div = a
        if tag == "body":
            self.body = a


def open_in_chromium(path):
    r = subprocess.run([chromium(), "--headless=new", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr",
                        "--v=0", "--virtual-time-budget=10000", "--window-size=1280,1024", "--dump-dom",
                        "file://" + os.path.abspath(path)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    # The page logs nothing: any console line (console.error is logged as INFO:CONSOLE by some
    # versions) or an uncaught exception is a failure.
    console = [line for line in r.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert not console, "\n".join(console)
    dom = _Dom()
    dom.feed(r.stdout)
    return dom


def trace_counts(trace):
    """(tracks, instruction slices) of a trace-event JSON: threads named by metadata, and "X" events."""
    threads = {(e["pid"], e["tid"]) for e in trace["traceEvents"] if e["ph"] == "M" and e["name"] == "thread_name"}
    slices = [e for e in trace["traceEvents"] if e["ph"] == "X"]
    return threads, slices


@pytest.fixture(scope="module")
def profiled():
    rng = np.random.default_rng(0)
    lhsT = rng.standard_normal((128, 128), dtype=np.float32)
    rhs = rng.standard_normal((128, 512), dtype=np.float32)
    p = nkic.profile(scaled_matmul, lhsT, rhs, target="trn2")
    np.testing.assert_allclose(p.outputs, 2 * (lhsT.T.astype(np.float64) @ rhs), rtol=1e-5, atol=1e-4)
    return p


def test_perfetto_trace_is_valid(profiled, tmp_path):
    path = tmp_path / "trace.json"
    profiled.to_perfetto(str(path))
    trace = json.loads(path.read_text())
    assert trace["displayTimeUnit"] == "ns"
    threads, slices = trace_counts(trace)
    names = {e["args"]["name"] for e in trace["traceEvents"] if e["ph"] == "M" and e["name"] == "thread_name"}
    assert {"tensor", "scalar"} <= names and any(n.startswith("dma") for n in names), names
    procs = {e["args"]["name"] for e in trace["traceEvents"] if e["ph"] == "M" and e["name"] == "process_name"}
    assert procs == {"core 0"}
    assert len(slices) >= profiled.instructions  # a DMA may be split over several rings
    for e in slices:
        assert (e["pid"], e["tid"]) in threads
        assert e["dur"] >= 0 and 0 <= e["ts"] <= profiled.latency_us + 1e-9
        assert e["args"]["source"].split(":")[0].endswith("test_profile_html.py")
    mm = [e for e in slices if e["name"] == "nc_matmul"]
    assert len(mm) == 4
    assert set(mm[0]["args"]["tensors"]) == {"acc", "a", "b"}
    assert mm[0]["args"]["operands"]["dst"].startswith("float32@psum:acc[")


def test_html_report_draws_in_chromium(profiled, tmp_path):
    trace_path, html_path = tmp_path / "trace.json", tmp_path / "report.html"
    profiled.to_perfetto(str(trace_path))
    profiled.to_html(str(html_path))
    page = html_path.read_text()
    assert "http://" not in page and "https://" not in page  # self-contained
    threads, slices = trace_counts(json.loads(trace_path.read_text()))

    dom = open_in_chromium(html_path)
    assert dom.tracks_div is not None and int(dom.tracks_div["data-count"]) == len(threads)
    assert len(dom.tracks) == len(threads)
    assert dom.body is not None and int(dom.body.get("data-slices", -1)) == len(slices)
    assert sum(int(t["data-slices"]) for t in dom.tracks) == len(slices)
