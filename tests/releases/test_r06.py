"""The APIs NKI 0.6.0 added (nki-spec.md §11.3, §11.5): nl.fori_loop, nl.while_loop, nisa.topk — our own
kernels vs NumPy under 0.6.0, 0.7.0 and the default release, and the error under 0.5.0, which lacks them.
Tolerance: exact everywhere (the loops repeat the same fp32 additions in the reference's order; top-k
moves bf16 values and integer indices)."""
import os
import sys

import ml_dtypes
import numpy as np
import pytest

import nki

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "kernels"))
import r06_kernels as k  # noqa: E402
from release_util import error_line, needs_release_selection, run  # noqa: E402

KFILE = os.path.join(HERE, "kernels", "r06_kernels.py")
RELEASES = [None, "0.6", "0.7"]  # None: the default
rng = np.random.default_rng(6)


def randn(*shape):
    return rng.standard_normal(shape, dtype=np.float32)


def repeated_sum(x, n):
    acc = np.zeros_like(x)
    for _ in range(n):
        acc = (acc + x).astype(np.float32)
    return acc


# ---- nl.fori_loop ----
@pytest.mark.parametrize("ver", RELEASES)
@pytest.mark.parametrize("lower,upper,step", [(0, 5, 1), (2, 9, 3), (4, 4, 1), (7, 3, 1)])
def test_fori_loop_int_bounds(ver, lower, upper, step):
    x = randn(32, 16)
    out = run(k.fori_add, x, lower, upper, step, ver=ver)
    np.testing.assert_array_equal(out, repeated_sum(x, len(range(lower, upper, step))))


def test_fori_loop_body_is_traced_once():
    x = randn(8, 4)
    many = nki.jit(k.fori_add).compile(x, 0, 1000, 1)
    few = nki.jit(k.fori_add).compile(x, 0, 2, 1)
    assert many.num_instructions == few.num_instructions
    np.testing.assert_array_equal(run(k.fori_add, x, 0, 1000, 1), repeated_sum(x, 1000))


@pytest.mark.parametrize("n", [0, 1, 6])
def test_fori_loop_register_bound(n):
    x = randn(16, 8)
    out = run(k.fori_register_bound, x, np.array([[n]], np.int32))
    np.testing.assert_array_equal(out, repeated_sum(x, n))


@pytest.mark.parametrize("ver", RELEASES)
def test_fori_loop_induction_register_as_scalar_offset(ver):
    a = randn(5, 128, 64)
    out = run(k.fori_tiles, a, ver=ver)
    np.testing.assert_array_equal(out, a * np.float32(2))


# ---- nl.while_loop ----
@pytest.mark.parametrize("ver", RELEASES)
@pytest.mark.parametrize("count", [0, 1, 5])
def test_while_loop(ver, count):
    x = randn(4, 8)
    out = run(k.while_countdown, x, np.array([[count]], np.int32), ver=ver)
    np.testing.assert_array_equal(out, repeated_sum(x, count))


@pytest.mark.parametrize("count", [0, 3])
def test_while_loop_body_returns_another_register(count):
    x = randn(4, 8)
    out = run(k.while_other_register, x, np.array([[count]], np.int32))
    np.testing.assert_array_equal(out, repeated_sum(x, count))


# ---- nisa.topk ----
def topk_reference(x, n, kk, sorted_):
    """Per 16-partition group: snake element e = x[g + e % 16, e // 16]; result j at (j % 16, j // 16)."""
    P, X = x.shape
    xf = x.astype(np.float32)
    vals = np.zeros((P, kk), np.float32)
    idx = np.zeros((P, kk), np.uint64)
    cols = -(-kk // 16)
    for g in range(0, P, 16):
        snake = np.array([xf[g + e % 16, e // 16] for e in range(n)])
        order = sorted(range(n), key=lambda e: (-snake[e], e))[:kk]
        if not sorted_:
            order = order[::-1]
        for c in range(cols):
            for p in range(16):
                j = c * 16 + p
                vals[g + p, c] = snake[order[j]] if j < kk else -np.inf
                idx[g + p, c] = order[j] if j < kk else 0xFFFFFFFF
    return vals, idx


def distinct_bf16(P, X):
    """Distinct small integers (exact in bf16) per 16-partition group, randomly placed."""
    out = np.zeros((P, X), np.float32)
    for g in range(0, P, 16):
        out[g:g + 16] = (rng.permutation(16 * X) - 8 * X).reshape(X, 16).T
    return out.astype(ml_dtypes.bfloat16)


@pytest.mark.parametrize("ver", ["0.7", None])
@pytest.mark.parametrize("P,X,n,kk", [(16, 8, 128, 8), (32, 10, 150, 20), (128, 4, 64, 64), (16, 16, 200, 1)])
def test_topk_sorted(ver, P, X, n, kk):
    x = distinct_bf16(P, X)
    vals, idx = run(k.topk, x, n, kk, True, ver=ver)
    rv, ri = topk_reference(x, n, kk, True)
    cols = -(-kk // 16)
    np.testing.assert_array_equal(vals.astype(np.float32)[:, :cols], rv[:, :cols])
    np.testing.assert_array_equal(idx[:, :cols].astype(np.uint64), ri[:, :cols])
    # columns from ceil(k/16) on are not written: they keep the memset zeros
    assert not vals.astype(np.float32)[:, cols:].any() and not idx[:, cols:].any()


@pytest.mark.parametrize("ver", RELEASES)
def test_topk_unsorted_same_set(ver):
    """0.6.0's form (no sorted=): the same k values and indices; nkic writes them in ascending order."""
    P, X, n, kk = 32, 8, 100, 24
    x = distinct_bf16(P, X)
    vals, idx = run(k.topk, x, n, kk, ver=ver)
    rv, ri = topk_reference(x, n, kk, False)
    cols = -(-kk // 16)
    np.testing.assert_array_equal(vals.astype(np.float32)[:, :cols], rv[:, :cols])
    np.testing.assert_array_equal(idx[:, :cols].astype(np.uint64), ri[:, :cols])


def test_topk_ties_take_the_smaller_index_first():
    x = np.ones((16, 4), ml_dtypes.bfloat16)
    vals, idx = run(k.topk, x, 64, 16, True)
    np.testing.assert_array_equal(idx[:, 0], np.arange(16))
    np.testing.assert_array_equal(vals.astype(np.float32)[:, 0], np.ones(16))


def test_topk_cost_is_4n_plus_k():
    import nkic
    x = distinct_bf16(16, 64)
    small = nkic.profile(nki.jit(k.topk), x, 64, 8, True, timing_only=True)
    big = nkic.profile(nki.jit(k.topk), x, 1024, 8, True, timing_only=True)
    assert big.engine_busy_us["gpsimd"] > small.engine_busy_us["gpsimd"]


# ---- Errors ----
@pytest.mark.parametrize("name,args,message", [
    ("fori_step_zero", (), "step must be a positive int"),
    ("fori_body_returns", (), "body_fun must return None"),
    ("fori_writes_iv", (), "read-only"),
    ("fori_in_no_reorder", (), "no_reorder"),
    ("while_int_init", (), "init must be a VirtualRegister"),
    ("while_body_returns_none", (), "must return the next condition register"),
])
def test_loop_errors(name, args, message):
    x = randn(4, 8)
    with pytest.raises(Exception) as e:
        run(getattr(k, name), x, *args)
    assert message in str(e.value)
    assert e.value.lineno == error_line(KFILE, name)


@pytest.mark.parametrize("name,shape,message", [
    ("topk_bad_n", (16, 4), "8 <= n < 65536"),
    ("topk_bad_partitions", (24, 4), "multiple of 16"),
])
def test_topk_errors(name, shape, message):
    x = np.zeros(shape, ml_dtypes.bfloat16)
    with pytest.raises(Exception) as e:
        run(getattr(k, name), x)
    assert message in str(e.value)
    assert e.value.lineno == error_line(KFILE, name)


# ---- Under 0.5.0 these names do not exist ----
@pytest.mark.parametrize("fn,args,name", [
    (k.fori_add, (np.ones((4, 8), np.float32), 0, 2, 1), "nki.language.fori_loop"),
    (k.while_countdown, (np.ones((4, 8), np.float32), np.array([[1]], np.int32)), "nki.language.while_loop"),
    (k.topk, (np.ones((16, 4), ml_dtypes.bfloat16), 64, 8), "nki.isa.topk"),
])
def test_missing_before_0_6(fn, args, name):
    needs_release_selection(k.topk, (np.ones((16, 4), ml_dtypes.bfloat16), 64, 8), "0.5")
    with pytest.raises(Exception) as e:
        run(fn, *args, ver="0.5")
    assert f"'{name}' is not in NKI 0.5.0: it was added in NKI 0.6.0" in str(e.value)


def test_topk_sorted_is_0_7():
    needs_release_selection(k.topk, (np.ones((16, 4), ml_dtypes.bfloat16), 64, 8), "0.5")
    x = distinct_bf16(16, 8)
    with pytest.raises(Exception) as e:
        run(k.topk, x, 64, 8, True, ver="0.6")
    assert "sorted parameter is not in NKI 0.6.0" in str(e.value)


# ---- nki.collectives.all_gather_v ----
def all_gather_v_reference(xs, counts, displs, out_len, rdispls):
    n = len(xs)
    slot = out_len // n
    out = np.full(out_len, -1, np.float32)
    for s in range(n):
        at = rdispls[s] if rdispls is not None else s * slot
        out[at:at + counts[s]] = xs[s][displs[s]:displs[s] + counts[s]]
    return out


@pytest.mark.parametrize("ver", RELEASES)
@pytest.mark.parametrize("n,variant", [(2, "slots"), (4, "slots"), (4, "known"), (4, "rdispls"), (8, "slots")])
def test_all_gather_v(ver, n, variant):
    import nkic
    from release_util import release
    length, out_len = 32, 16 * n
    xs = [randn(length) for _ in range(n)]
    counts = [(3 * s) % 7 + 1 for s in range(n)]
    displs = [(5 * s) % 11 for s in range(n)]
    rd = [sum(counts[:s]) + s for s in range(n)] if variant == "rdispls" else None
    rows = 4 if variant == "rdispls" else 3
    args = []
    for r in range(n):
        meta = np.zeros((rows, n), np.uint32)
        meta[0, 0], meta[1, 0] = counts[r], displs[r]
        meta[2, :] = counts
        if rd is not None:
            meta[3, :] = rd
        args.append((xs[r], meta, out_len, n, variant != "slots", variant == "rdispls"))
    with release(ver):
        outs = nkic.simulate_ranks(nki.jit(k.all_gather_v), ranks=n)(args)
    want = all_gather_v_reference(xs, counts, displs, out_len, rd)
    for out in outs:
        np.testing.assert_array_equal(out, want)


def test_all_gather_v_wrong_recv_count_is_a_runtime_error():
    import nkic
    n = 2
    xs = [randn(16) for _ in range(n)]
    args = []
    for r in range(n):
        meta = np.zeros((3, n), np.uint32)
        meta[0, 0], meta[1, 0] = 4, 0
        meta[2, :] = [4, 5]  # rank 1 sends 4, not 5
        args.append((xs[r], meta, 16, n, True, False))
    with pytest.raises(Exception) as e:
        nkic.simulate_ranks(nki.jit(k.all_gather_v), ranks=n)(args)
    assert "expects 5 elements from rank 1, which sends 4" in str(e.value)


def test_all_gather_v_missing_before_0_6():
    import nkic
    from release_util import release
    needs_release_selection(k.topk, (np.ones((16, 4), ml_dtypes.bfloat16), 64, 8), "0.5")
    meta = np.zeros((3, 2), np.uint32)
    with release("0.5"), pytest.raises(Exception) as e:
        nkic.simulate_ranks(nki.jit(k.all_gather_v), ranks=2)([(randn(8), meta, 8, 2, False, False)] * 2)
    assert "'nki.collectives.all_gather_v' is not in NKI 0.5.0: it was added in NKI 0.6.0" in str(e.value)
