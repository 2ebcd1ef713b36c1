"""nki.collectives across 2, 4 and 8 simulated ranks (nkic.simulate_ranks) against NumPy. Moves are exact;
fp32 sums are compared with a tolerance of 1e-6 relative (the order of a ring reduction may differ)."""
import numpy as np
import pytest

import nki
import nkic
from collective_kernels import (all_gather_hbm, all_gather_sbuf_columns, all_reduce_hbm, all_reduce_in_place,
                                all_reduce_pairs, all_reduce_sbuf, all_to_all_hbm, all_to_all_v_hbm, lnc2_all_reduce,
                                permute_implicit, permute_implicit_reduce, permute_ring, rank_ids, reduce_scatter_hbm,
                                skips_on_rank_1)

RANKS = [2, 4, 8]
rng = np.random.default_rng(11)


def data(n, shape, dtype=np.float32):
    return [rng.standard_normal(shape).astype(dtype) for _ in range(n)]


@pytest.mark.parametrize("n", RANKS)
@pytest.mark.parametrize("op", ["add", "max", "min"])
def test_all_reduce(n, op):
    xs, ys = data(n, (128, 64)), data(n, (64, 32))
    outs = nkic.simulate_ranks(all_reduce_hbm, ranks=n)([(x, y, n, op) for x, y in zip(xs, ys)])
    f = {"add": np.sum, "max": np.max, "min": np.min}[op]
    for ox, oy in outs:
        np.testing.assert_allclose(ox, f(np.stack(xs), axis=0), rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(oy, f(np.stack(ys), axis=0), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("n", RANKS)
def test_all_reduce_sbuf_and_in_place(n):
    xs = data(n, (128, 16))
    for kernel in (all_reduce_sbuf, all_reduce_in_place):
        for out in nkic.simulate_ranks(kernel, ranks=n)([(x, n) for x in xs]):
            np.testing.assert_allclose(out, np.sum(np.stack(xs), axis=0), rtol=1e-6, atol=1e-6)


def test_all_reduce_replica_subgroups():
    xs = data(4, (32, 8))
    outs = nkic.simulate_ranks(all_reduce_pairs, ranks=4)([(x,) for x in xs])
    for r, out in enumerate(outs):
        lo = 0 if r < 2 else 2
        np.testing.assert_allclose(out, xs[lo] + xs[lo + 1], rtol=1e-6)


@pytest.mark.parametrize("n", RANKS)
def test_all_gather(n):
    xs = data(n, (16, 8))
    for out in nkic.simulate_ranks(all_gather_hbm, ranks=n)([(x, n) for x in xs]):
        assert np.array_equal(out, np.concatenate(xs, axis=0))
    for out in nkic.simulate_ranks(all_gather_sbuf_columns, ranks=n)([(x, n) for x in xs]):
        assert np.array_equal(out, np.concatenate(xs, axis=1))


@pytest.mark.parametrize("n", RANKS)
def test_reduce_scatter(n):
    xs = data(n, (16 * n, 8))
    total = np.sum(np.stack(xs), axis=0)
    for r, out in enumerate(nkic.simulate_ranks(reduce_scatter_hbm, ranks=n)([(x, n) for x in xs])):
        np.testing.assert_allclose(out, total[16 * r:16 * (r + 1)], rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("n", RANKS)
def test_all_to_all(n):
    xs = data(n, (4 * n, 8))
    for r, out in enumerate(nkic.simulate_ranks(all_to_all_hbm, ranks=n)([(x, n) for x in xs])):
        assert np.array_equal(out, np.concatenate([x[4 * r:4 * (r + 1)] for x in xs]))


def a2av_reference(xs, counts, sdispls, out_len, rdispls=None):
    n = len(xs)
    outs = []
    for r in range(n):
        out = np.full(out_len, -1.0, np.float32)
        pos = 0
        for s in range(n):
            c, d = counts[s][r], sdispls[s][r]
            at = rdispls[r][s] if rdispls is not None else pos
            out[at:at + c] = xs[s][d:d + c]
            pos = at + c
        outs.append(out)
    return outs


@pytest.mark.parametrize("n", RANKS)
@pytest.mark.parametrize("variant", ["counts", "known", "rdispls"])
def test_all_to_all_v(n, variant):
    length, out_len = 64, 64
    xs = data(n, (length,))
    counts = [[(s + 2 * r) % 5 + 1 for r in range(n)] for s in range(n)]  # counts[s][r]: s sends to r
    sdispls = [[sum(counts[s][:r]) for r in range(n)] for s in range(n)]
    rdispls = [[3 * s for s in range(n)] for r in range(n)] if variant == "rdispls" else None
    if variant == "rdispls":
        rdispls = [[sum(counts[q][r] for q in range(s)) + s for s in range(n)] for r in range(n)]  # gaps of 1
    metas = []
    for r in range(n):
        rows = [[counts[r][c] for c in range(n)], [sdispls[r][c] for c in range(n)]]
        if variant in ("known", "rdispls"):
            rows.append([counts[c][r] for c in range(n)])
        if variant == "rdispls":
            rows.append([rdispls[r][c] for c in range(n)])
        metas.append(np.array(rows, dtype=np.uint32))
    known, rd = variant in ("known", "rdispls"), variant == "rdispls"
    outs = nkic.simulate_ranks(all_to_all_v_hbm, ranks=n)([(x, m, out_len, n, known, rd) for x, m in zip(xs, metas)])
    for got, want in zip(outs, a2av_reference(xs, counts, sdispls, out_len, rdispls)):
        assert np.array_equal(got, want)


def test_all_to_all_v_wrong_recv_count_is_an_error():
    n = 2
    xs = data(n, (8,))
    metas = [np.array([[2, 2], [0, 2], [2, 3]], np.uint32), np.array([[2, 2], [0, 2], [2, 2]], np.uint32)]
    with pytest.raises(nki.NkiError, match="expects 3 elements from rank 1, which sends 2"):
        nkic.simulate_ranks(all_to_all_v_hbm, ranks=n)([(x, m, 8, n, True, False) for x, m in zip(xs, metas)])


@pytest.mark.parametrize("n", RANKS)
def test_collective_permute(n):
    xs = data(n, (8, 4))
    for r, out in enumerate(nkic.simulate_ranks(permute_ring, ranks=n)([(x, n) for x in xs])):
        assert np.array_equal(out, xs[(r - 1) % n])


@pytest.mark.parametrize("n", RANKS)
def test_collective_permute_implicit(n):
    xs, ys = data(n, (8, 4)), data(n, (4, 2))
    for r, (ox, oy) in enumerate(nkic.simulate_ranks(permute_implicit, ranks=n)([(x, y, n) for x, y in zip(xs, ys)])):
        assert np.array_equal(ox, xs[(r - 1) % n]) and np.array_equal(oy, ys[(r - 1) % n])
    for r, out in enumerate(nkic.simulate_ranks(permute_implicit_reduce, ranks=n)([(x, y, n) for x, y in zip(xs, xs[::-1])])):
        p = (r - 1) % n
        assert np.array_equal(out, np.maximum(xs[p], xs[::-1][p]))


@pytest.mark.parametrize("n", RANKS)
def test_rank_id_and_processing_rank(n):
    x = np.zeros((1, 1), np.float32)
    for r, out in enumerate(nkic.simulate_ranks(rank_ids, ranks=n)([(x, n)] * n)):
        assert out[0, 0] == r
        assert [int(v) for v in out[1:, 0]] == [(r - it) % n for it in range(n)]


@pytest.mark.parametrize("n", [2, 4])
def test_lnc2_ranks(n):
    xs = data(n, (128, 16))
    for out in nkic.simulate_ranks(lnc2_all_reduce[2], ranks=n)([(x, n) for x in xs]):
        np.testing.assert_allclose(out, np.sum(np.stack(xs), axis=0), rtol=1e-6, atol=1e-6)


def test_results_are_deterministic():
    xs = data(8, (128, 16))
    first = nkic.simulate_ranks(all_reduce_sbuf, ranks=8)([(x, 8) for x in xs])
    for _ in range(2):
        again = nkic.simulate_ranks(all_reduce_sbuf, ranks=8)([(x, 8) for x in xs])
        assert all(np.array_equal(a, b) for a, b in zip(first, again))


def test_a_rank_that_skips_a_collective_deadlocks():
    xs = data(4, (8, 4))
    with pytest.raises(nki.NkiError) as e:
        nkic.simulate_ranks(skips_on_rank_1, ranks=4)([(x, 4) for x in xs])
    msg = str(e.value)
    assert "deadlock: rank 0 core 0 waits here for a matching all_reduce" in msg, msg
    assert "rank 1 core 0 has finished" in msg, msg


def test_single_rank_launch_rejects_groups_of_more_ranks():
    with pytest.raises(nki.NkiError, match="the replica group names rank 1, but the launch has 1 rank"):
        nki.simulate(all_reduce_sbuf)(np.zeros((4, 4), np.float32), 2)


def test_cli_runs_ranks(tmp_path, nkic_path):
    import os
    import subprocess
    nkic_bin = nkic_path
    src = os.path.join(os.path.dirname(__file__), "collective_kernels.py")
    r = subprocess.run([nkic_bin, "run", f"{src}:all_reduce_sbuf", "--ranks", "4", "--arg", "x=128x16:float32",
                        "--arg", "n=4", "--out", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "4 ranks" in r.stdout
    outs = [np.load(tmp_path / f"rank{k}" / "out.npy") for k in range(4)]
    assert all(np.array_equal(o, outs[0]) for o in outs)  # every rank holds the same sum
