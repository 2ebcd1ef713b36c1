"""The timing model against AWS's published measurements (calibration_points.py; tools/calibrate.py
prints the same points as a table). Every point runs timing_only at the published shape (each well under
a second on one core).

Bounds (issue 13): optimised kernels and micro-benchmarks within 20 %. A point whose miss is understood
and explained (Point.miss) is an expected failure with that reason, so a model change that fixes it
shows up as XPASS. Naive kernels get a loose sanity bound only: their published times moved 2.5x between
compiler versions (the 2024 trn1 tutorial's tiled/hoisted/blocked matmuls run at ~1.3 us per DMA
instruction, a DMA issue rate of that compiler, not a hardware figure). Layernorm's shape is ambiguous:
the (4096, 8192) reading gets the loose bound, the (300, 1000) reading must be far below the published
time (which shows the measurement was not of that shape).

The "beta1 ..." points are the same published measurements taken with our Beta 1 (neuronxcc.nki) versions
of the kernels through nki.benchmark, under the bounds of their 0.3.0 twins."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import calibration_points as cp  # noqa: E402

BOUND = 20.0


def _id(p):
    return p.name.replace(" ", "_")


@pytest.mark.parametrize("p", [p for p in cp.ALL if p.kind in ("optimised", "micro")], ids=_id)
def test_within_20_percent(p):
    est = p.run()
    if est is None:
        pytest.skip("does not fit SBUF without spilling (AWS's compiler spilled here; ours does not spill)")
    err = cp.error_pct(est, p.published_us)
    if p.miss and abs(err) > BOUND:
        pytest.xfail(f"{err:+.1f}%: {p.miss}")
    assert abs(err) <= BOUND, f"{p.name}: estimate {est:.3f} us vs published {p.published_us} us ({err:+.1f}%)"


@pytest.mark.parametrize("p", [p for p in cp.ALL if p.kind == "naive"], ids=_id)
def test_naive_sanity(p):
    est = p.run()
    assert 0.25 * p.published_us <= est <= 2.0 * p.published_us, (p.name, est, p.published_us)


@pytest.mark.parametrize("p", [p for p in cp.ALL if p.kind == "ambiguous"], ids=_id)
def test_layernorm_shape_readings(p):
    est = p.run()
    if "(4096,8192)" in p.name:
        assert 0.5 * p.published_us <= est <= 2.0 * p.published_us, (p.name, est, p.published_us)
    else:
        assert est < 0.1 * p.published_us, (p.name, est, p.published_us)


def test_tutorial_matmuls_get_faster_in_order():
    """The tutorial's order (tiled, hoisted, blocked free dim, fully optimised) holds for the estimates."""
    est = [p.run() for p in cp.MATMUL[:4]]
    assert est == sorted(est, reverse=True), est


def test_beta1_tutorial_matmuls_get_faster_in_order():
    """The same order for our Beta 1 versions (nki.benchmark estimates)."""
    est = [p.run() for p in cp.BETA1[:4]]
    assert est == sorted(est, reverse=True), est
