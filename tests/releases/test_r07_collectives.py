"""NKI 0.7.0's prepare/trigger collectives (nki-spec.md §11.4): all_to_all_v_prepare/_trigger and
all_gather_v_prepare/_trigger vs NumPy references under 0.7.0 and the default, the one-slot rules, the
NkiInstruction all_to_all_v returns, and the error under 0.6.0, which lacks them. Tolerance: exact
(collectives move fp32 values)."""
import os
import sys

import numpy as np
import pytest

import nki
import nkic

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "kernels"))
import r07_collective_kernels as k  # noqa: E402
from release_util import error_line, release  # noqa: E402

KFILE = os.path.join(HERE, "kernels", "r07_collective_kernels.py")
RELEASES = [None, "0.7"]
rng = np.random.default_rng(7)


def ranks(kernel, n, args, ver):
    with release(ver):
        return nkic.simulate_ranks(nki.jit(kernel), ranks=n)(args)


def a2av_case(n, variant):
    """Per-rank (x, meta) and the expected dsts, as tests/kernels/test_collectives.py builds them."""
    length, out_len = 64, 64
    xs = [rng.standard_normal(length).astype(np.float32) for _ in range(n)]
    counts = [[(s + 2 * r) % 5 + 1 for r in range(n)] for s in range(n)]
    sdispls = [[sum(counts[s][:r]) for r in range(n)] for s in range(n)]
    rdispls = None
    if variant == "rdispls":
        rdispls = [[sum(counts[q][r] for q in range(s)) + s for s in range(n)] for r in range(n)]
    metas = []
    for r in range(n):
        rows = [[counts[r][c] for c in range(n)], [sdispls[r][c] for c in range(n)]]
        if variant in ("known", "rdispls"):
            rows.append([counts[c][r] for c in range(n)])
        if variant == "rdispls":
            rows.append([rdispls[r][c] for c in range(n)])
        metas.append(np.array(rows, dtype=np.uint32))
    wants = []
    for r in range(n):
        want = np.full(out_len, -1, np.float32)
        at = 0
        for s in range(n):
            c = counts[s][r]
            if rdispls is not None:
                at = rdispls[r][s]
            want[at:at + c] = xs[s][sdispls[s][r]:sdispls[s][r] + c]
            at += c
        wants.append(want)
    return xs, metas, out_len, wants


@pytest.mark.parametrize("ver", RELEASES)
@pytest.mark.parametrize("n,variant", [(2, "counts"), (4, "known"), (4, "rdispls")])
def test_all_to_all_v_prepare_trigger(ver, n, variant):
    xs, metas, out_len, wants = a2av_case(n, variant)
    known, rd = variant in ("known", "rdispls"), variant == "rdispls"
    outs = ranks(k.a2av_prepared, n, [(x, m, out_len, n, known, rd) for x, m in zip(xs, metas)], ver)
    for got, want in zip(outs, wants):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("ver", RELEASES)
@pytest.mark.parametrize("n,variant", [(2, "slots"), (4, "known"), (4, "rdispls")])
def test_all_gather_v_prepare_trigger(ver, n, variant):
    length, out_len = 32, 16 * n
    xs = [rng.standard_normal(length).astype(np.float32) for _ in range(n)]
    counts = [(3 * s) % 7 + 1 for s in range(n)]
    displs = [(5 * s) % 11 for s in range(n)]
    rd = [sum(counts[:s]) + s for s in range(n)] if variant == "rdispls" else None
    args = []
    for r in range(n):
        meta = np.zeros((4 if rd else 3, n), np.uint32)
        meta[0, 0], meta[1, 0] = counts[r], displs[r]
        meta[2, :] = counts
        if rd:
            meta[3, :] = rd
        args.append((xs[r], meta, out_len, n, variant != "slots", variant == "rdispls"))
    want = np.full(out_len, -1, np.float32)
    for s in range(n):
        at = rd[s] if rd else s * (out_len // n)
        want[at:at + counts[s]] = xs[s][displs[s]:displs[s] + counts[s]]
    for out in ranks(k.agv_prepared, n, args, ver):
        np.testing.assert_array_equal(out, want)


@pytest.mark.parametrize("ver", [None, "0.6", "0.7"])
def test_all_to_all_v_returns_a_handle_from_0_7(ver):
    xs, metas, out_len, wants = a2av_case(2, "counts")
    args = [(x, m, out_len, 2) for x, m in zip(xs, metas)]
    if ver == "0.6":  # None: no depends_on
        with pytest.raises(Exception) as e:
            ranks(k.a2av_handle, 2, args, ver)
        assert "depends_on" in str(e.value)
        return
    for got, want in zip(ranks(k.a2av_handle, 2, args, ver), wants):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("name,message", [
    ("two_prepares", "has not been triggered yet (one prepare at a time)"),
    ("two_triggers", "was already triggered (one trigger per prepare)"),
    ("wrong_trigger", "prepare_instr comes from all_gather_v_prepare"),
])
def test_slot_errors(name, message):
    meta = np.zeros((3, 2), np.uint32)
    with pytest.raises(Exception) as e:
        ranks(getattr(k, name), 2, [(np.zeros(8, np.float32), meta, 8, 2)] * 2, None)
    assert message in str(e.value)
    assert e.value.lineno == error_line(KFILE, name)


@pytest.mark.parametrize("name", ["all_gather_v_prepare", "all_to_all_v_prepare"])
def test_missing_before_0_7(name):
    meta = np.zeros((3, 2), np.uint32)
    kernel = k.prepare_missing if name == "all_gather_v_prepare" else k.a2av_prepared
    args = (np.zeros(8, np.float32), meta, 8, 2) + (() if kernel is k.prepare_missing else (False, False))
    with pytest.raises(Exception) as e:
        ranks(kernel, 2, [args] * 2, "0.6")
    assert f"'nki.collectives.{name}' is not in NKI 0.6.0: it was added in NKI 0.7.0" in str(e.value)
    if kernel is k.prepare_missing:
        assert e.value.lineno == error_line(KFILE, "prepare_missing")
