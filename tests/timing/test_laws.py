"""The laws the timing model must obey (issue 13, "Trust"): each with a kernel written for it, timed with
nkic.profile. Where the data does not matter the kernels run with timing_only=True (no arithmetic), so
the file runs in seconds on CI. The numbers the model gives for these kernels are in docs/timing-model.md."""
import json
import os
import sys

import ml_dtypes
import numpy as np
import pytest

import nki
import nki.isa as nisa
import nki.language as nl
import nkic

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernels"))
import cal_matmul as tutorial  # noqa: E402  (the calibration's tutorial matmul kernels, tests/timing/kernels)

bf16 = ml_dtypes.bfloat16
TARGETS = ("trn1", "trn2", "trn3")


def latency(kernel, *args, target="trn2", **kwargs):
    return nkic.profile(kernel, *args, target=target, timing_only=True, **kwargs).latency_us


# ---------------------------------------------------------------- TensorE: II = max(N_moving, 64)

@nki.jit
def matmul_stream(lhsT, rhs, reps=32):
    """`reps` matmuls of one stationary [K, M] against one moving [K, N], accumulating in one PSUM tile
    (the stationary stays loaded: only the moving stream costs)."""
    K, M = lhsT.shape
    N = rhs.shape[1]
    a = nl.ndarray((K, M), dtype=lhsT.dtype, buffer=nl.sbuf)
    b = nl.ndarray((K, N), dtype=rhs.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=a, src=lhsT)
    nisa.dma_copy(dst=b, src=rhs)
    ps = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.psum)
    for _ in nl.static_range(reps):
        nisa.nc_matmul(dst=ps, stationary=a, moving=b)
    r = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=r, src=ps)
    out = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=r)
    return out


def matmul_ns_per_instruction(n, dtype=bf16, target="trn2"):
    """The marginal cost of one more matmul: (latency of 64 matmuls - of 32) / 32, so the loads, the
    PSUM copy and the store cancel out."""
    a, b = np.zeros((128, 128), dtype), np.zeros((128, n), dtype)
    return (latency(matmul_stream, a, b, reps=64, target=target) -
            latency(matmul_stream, a, b, reps=32, target=target)) / 32 * 1e3


@pytest.mark.parametrize("target", TARGETS)
def test_matmul_time_is_linear_in_moving_size_above_64(target):
    ns = {n: matmul_ns_per_instruction(n, target=target) for n in (16, 32, 64, 128, 256, 512)}
    # Below the minimum of 64 moving columns a matmul costs the same as at 64.
    assert ns[16] == pytest.approx(ns[64], rel=0.01) and ns[32] == pytest.approx(ns[64], rel=0.01)
    # Above it the cost is proportional to N: 64, 128, 256, 512 columns cost 1 : 2 : 4 : 8.
    for n in (128, 256, 512):
        assert ns[n] == pytest.approx(ns[64] * n / 64, rel=0.05), (n, ns)
    # ... and at the TensorE clock: one moving column per cycle (2.8 GHz on trn1, 2.4 on trn2/trn3).
    ghz = {"trn1": 2.8, "trn2": 2.4, "trn3": 2.4}[target]
    assert ns[512] == pytest.approx(512 / ghz, rel=0.05)


@pytest.mark.parametrize("n", [64, 128, 512])
def test_fp32_matmul_is_about_4x_bf16(n):
    ratio = matmul_ns_per_instruction(n, np.float32) / matmul_ns_per_instruction(n, bf16)
    assert ratio == pytest.approx(4.0, rel=0.1)


# ---------------------------------------------------------------- DMA: the bandwidth figure

@nki.jit
def hbm_copy(x, tf=1024):
    """out = x through SBUF, one [128, tf] tile per DMA each way (tf * 4 bytes per partition), the tile
    declared in the affine_range body so that loads and stores of successive tiles overlap."""
    P, F = x.shape
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    for i in nl.affine_range(F // tf):
        t = nl.ndarray((P, tf), dtype=x.dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=t, src=x[:, i * tf:(i + 1) * tf])
        nisa.dma_copy(dst=out[:, i * tf:(i + 1) * tf], src=t)
    return out


# Per-core DMA bandwidth (src/target/timing.cpp): 16 rings x per-ring bytes/ns, capped by the core's
# share of the device's HBM bandwidth.
DMA_BYTES_PER_NS = {"trn1": min(16 * 17.0, 410.0), "trn2": min(16 * 23.0, 362.5), "trn3": min(16 * 33.0, 612.5)}


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("tf", [1024, 4096])  # 4 KiB and 16 KiB per partition per DMA
def test_dma_bound_copy_runs_at_the_bandwidth_figure(target, tf):
    x = np.zeros((128, 64 * 1024), np.float32)  # 32 MiB: the first load's latency is noise
    us = latency(hbm_copy, x, tf=tf, target=target)
    moved = 2 * x.nbytes  # loaded and stored
    bytes_per_ns = moved / (us * 1e3)
    assert bytes_per_ns == pytest.approx(DMA_BYTES_PER_NS[target], rel=0.15), (target, bytes_per_ns)


# ---------------------------------------------------------------- engines run in parallel

@nki.jit
def two_streams(x, n=16, vector=True, scalar=True):
    """Two independent chains of `n` dependent instructions: tensor_scalar on VectorE over one tile,
    activation on ScalarE over another. Neither reads what the other writes."""
    P, F = x.shape
    u = nl.ndarray((P, F), dtype=x.dtype, buffer=nl.sbuf)
    v = nl.ndarray((P, F), dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=u, src=x)
    nisa.dma_copy(dst=v, src=x)
    for _ in nl.static_range(n):
        if vector:
            nisa.tensor_scalar(dst=u, data=u, op0=nl.multiply, operand0=0.5, engine=nisa.vector_engine)
        if scalar:
            nisa.activation(dst=v, op=nl.exp, data=v, scale=0.5)
    out = nl.ndarray((2 * P, F), dtype=x.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out[0:P, :], src=u)
    nisa.dma_copy(dst=out[P:2 * P, :], src=v)
    return out


def test_independent_work_on_two_engines_overlaps():
    x = np.zeros((128, 2048), np.float32)
    base = latency(two_streams, x, vector=False, scalar=False)
    vec = latency(two_streams, x, scalar=False) - base
    act = latency(two_streams, x, vector=False) - base
    both = latency(two_streams, x) - base
    p = nkic.profile(two_streams, x, target="trn2", timing_only=True)
    assert p.engine_busy_us["vector"] > 0 and p.engine_busy_us["scalar"] > 0
    assert vec > 1.0 and act > 1.0  # each stream is real work (us)
    # Together they take the longer of the two, not the sum.
    assert both == pytest.approx(max(vec, act), rel=0.05), (vec, act, both)
    assert both < 0.8 * (vec + act)


# ---------------------------------------------------------------- multi-buffering

@nki.jit
def scale_tiles_multi(x, tf=512):
    """load -> ScalarE -> store per tile; the tiles are declared in the affine_range body, so they rotate
    through several buffers and iteration i + 1 loads while iteration i computes."""
    P, F = x.shape
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    for i in nl.affine_range(F // tf):
        t = nl.ndarray((P, tf), dtype=x.dtype, buffer=nl.sbuf)
        r = nl.ndarray((P, tf), dtype=x.dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=t, src=x[:, i * tf:(i + 1) * tf])
        nisa.activation(dst=r, op=nl.exp, data=t)
        nisa.dma_copy(dst=out[:, i * tf:(i + 1) * tf], src=r)
    return out


@nki.jit
def scale_tiles_single(x, tf=512):
    """The same work with one input and one output tile declared before the loop and reused: each load
    waits until the previous tile has been consumed (write after read), each ScalarE instruction until
    the previous store has read its output."""
    P, F = x.shape
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray((P, tf), dtype=x.dtype, buffer=nl.sbuf)
    r = nl.ndarray((P, tf), dtype=x.dtype, buffer=nl.sbuf)
    for i in nl.sequential_range(F // tf):
        nisa.dma_copy(dst=t, src=x[:, i * tf:(i + 1) * tf])
        nisa.activation(dst=r, op=nl.exp, data=t)
        nisa.dma_copy(dst=out[:, i * tf:(i + 1) * tf], src=r)
    return out


@pytest.mark.parametrize("target", TARGETS)
def test_multi_buffering_beats_a_single_buffer(target):
    x = np.zeros((128, 32 * 512), np.float32)
    multi, single = latency(scale_tiles_multi, x, target=target), latency(scale_tiles_single, x, target=target)
    assert multi < 0.6 * single, (multi, single)


def test_multi_buffered_and_single_buffered_compute_the_same():
    x = np.random.default_rng(0).standard_normal((128, 4 * 512)).astype(np.float32)
    a = nkic.profile(scale_tiles_multi, x).outputs
    b = nkic.profile(scale_tiles_single, x).outputs
    np.testing.assert_allclose(a, np.exp(x), rtol=1e-5)  # ScalarE's exp: within float32 rounding
    np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------- the tutorial's matmul versions

TUTORIAL_STEPS = [("tiled", tutorial.matmul_tiled, {}),
                  ("hoisted loads", tutorial.matmul_hoisted, {}),
                  ("blocked free dimension", tutorial.matmul_block_free, {}),
                  ("fully optimised", tutorial.matmul_fully_optimized, {"bm": 8})]  # 8 M tiles: M = 1024


@pytest.mark.parametrize("n", [1024, 2048])
def test_tutorial_matmul_versions_get_faster_in_order(n):
    # trn1: the target of the tutorial's published table.
    a, b = np.zeros((n, n), bf16), np.zeros((n, n), bf16)
    steps = [(name, k, dict(kw, bm=n // 128)) if "fully" in name else (name, k, kw) for name, k, kw in TUTORIAL_STEPS]
    times = [(name, latency(k, a, b, target="trn1", **kw)) for name, k, kw in steps]
    for (slow, t0), (fast, t1) in zip(times, times[1:]):
        assert t1 < 0.95 * t0, f"{fast} ({t1:.1f} us) is not faster than {slow} ({t0:.1f} us): {times}"


@pytest.mark.parametrize("target", ["trn2", "trn3"])
def test_tutorial_matmul_versions_on_newer_targets(target):
    # With faster DMA the blocked-free-dimension version is already near the TensorE bound (the matmuls'
    # own time plus the first loads and the last stores), so the fully optimised one cannot gain: at this
    # size it is one block, whose loads do not overlap its matmuls. The first three steps get faster; the
    # last two stay within 20% of each other and within 50% of the TensorE time.
    n = 1024
    a, b = np.zeros((n, n), bf16), np.zeros((n, n), bf16)
    profiles = [(name, nkic.profile(k, a, b, target=target, timing_only=True, **kw)) for name, k, kw in TUTORIAL_STEPS]
    times = [p.latency_us for _, p in profiles]
    assert times[1] < 0.95 * times[0] and times[2] < 0.95 * times[1], profiles
    assert times[3] < 1.2 * times[2], profiles
    name, p = profiles[2]
    assert p.latency_us < 1.5 * p.engine_busy_us["tensor"], (name, p.latency_us, p.engine_busy_us)


def test_tutorial_matmul_versions_compute_the_product():
    n = 256
    rng = np.random.default_rng(1)
    a = rng.standard_normal((n, n)).astype(bf16)
    b = rng.standard_normal((n, n)).astype(bf16)
    want = a.astype(np.float32).T @ b.astype(np.float32)
    for name, k, kw in TUTORIAL_STEPS:
        kw = dict(kw, tn=128, bm=2, bn=2) if name != "tiled" and name != "hoisted loads" else dict(kw, tn=128)
        if name == "fully optimised":
            kw["bk"] = 2
        got = nkic.profile(k, a, b, **kw).outputs.astype(np.float32)
        # bf16 result (fully optimised: bf16 partial sums too): a few bf16 ulps of the row norm.
        np.testing.assert_allclose(got, want, rtol=0.05, atol=0.5, err_msg=name)


# ---------------------------------------------------------------- LNC2

@nki.jit
def split_rows(x, n=16):
    """Each of the kernel's cores takes its share of the 128-row tiles of x and runs `n` VectorE passes
    over each (compute-bound); launched as kernel[1] one core does all the tiles."""
    R, F = x.shape
    cores = nl.num_programs()
    tiles = R // 128 // cores
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    for i in nl.affine_range(tiles):
        r0 = (nl.program_id(0) * tiles + i) * 128
        t = nl.ndarray((128, F), dtype=x.dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=t, src=x[r0:r0 + 128, :])
        for _ in nl.static_range(n):
            nisa.tensor_scalar(dst=t, data=t, op0=nl.add, operand0=1.0, engine=nisa.vector_engine)
        nisa.dma_copy(dst=out[r0:r0 + 128, :], src=t)
    return out


def test_lnc2_halves_the_work_per_core():
    x = np.zeros((8 * 128, 1024), np.float32)
    one = latency(split_rows[1], x)
    two = nkic.profile(split_rows[2], x, target="trn2", timing_only=True)
    assert one / two.latency_us == pytest.approx(2.0, rel=0.1)
    assert len(two.per_core) == 2
    assert two.per_core[0]["vector"] == pytest.approx(two.per_core[1]["vector"], rel=1e-6)


def test_lnc2_split_computes_the_same():
    x = np.random.default_rng(2).standard_normal((4 * 128, 256)).astype(np.float32)
    want = x.copy()
    for _ in range(16):  # sixteen float32 additions, rounded each time as VectorE does
        want = want + np.float32(1.0)
    np.testing.assert_array_equal(nkic.profile(split_rows[2], x).outputs, want)


@nki.jit
def uneven_handoff(x, slow=32, fast=32):
    """Core 1 runs `slow` VectorE passes over its half before writing it to a shared stage, core 0 none;
    after the barrier on the stage each core reads the other's half and core 0 runs `fast` passes over
    it. The barrier makes core 0 wait for core 1."""
    P, F = x.shape
    pid = nl.program_id(0)
    stage = nl.ndarray((2 * P, F), dtype=x.dtype, buffer=nl.shared_hbm)
    out = nl.ndarray((2 * P, F), dtype=x.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray((P, F), dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    if pid == 1:
        for _ in nl.static_range(slow):
            nisa.tensor_scalar(dst=t, data=t, op0=nl.add, operand0=1.0, engine=nisa.vector_engine)
    nisa.dma_copy(dst=stage[pid * P:(pid + 1) * P, :], src=t)
    nisa.core_barrier(stage, (0, 1))
    u = nl.ndarray((P, F), dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=u, src=stage[(1 - pid) * P:(2 - pid) * P, :])
    if pid == 0:
        for _ in nl.static_range(fast):
            nisa.tensor_scalar(dst=u, data=u, op0=nl.add, operand0=2.0, engine=nisa.vector_engine)
    nisa.dma_copy(dst=out[pid * P:(pid + 1) * P, :], src=u)
    return out


def vector_slices(profile, tmp_path):
    """(core, start us, end us) of each VectorE slice of the profile's Perfetto trace."""
    trace = json.loads(open(profile.to_perfetto(tmp_path / "t.json")).read())["traceEvents"]
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in trace if e["ph"] == "M" and e["name"] == "thread_name"}
    return [(e["pid"], e["ts"], e["ts"] + e["dur"]) for e in trace
            if e["ph"] == "X" and names[(e["pid"], e["tid"])] == "vector"]


def test_core_barrier_makes_the_faster_core_wait(tmp_path):
    x = np.zeros((128, 2048), np.float32)
    p = nkic.profile(uneven_handoff[2], x, target="trn2", timing_only=True)
    sl = vector_slices(p, tmp_path)
    core1_done = max(e for c, _, e in sl if c == 1)
    core0_start = min(s for c, s, _ in sl if c == 0)
    assert len(sl) == 64 and core0_start > core1_done  # core 0's passes wait for core 1's
    busy1, busy0 = p.per_core[1]["vector"], p.per_core[0]["vector"]
    assert busy0 == pytest.approx(busy1) and p.latency_us > busy0 + busy1


def test_core_barrier_kernel_computes_the_handoff():
    x = np.random.default_rng(3).standard_normal((128, 64)).astype(np.float32)
    got = nkic.profile(uneven_handoff[2], x, slow=3, fast=2).outputs
    one = x + np.float32(1) + np.float32(1) + np.float32(1)  # core 1's half, then core 0 adds 2 twice
    np.testing.assert_array_equal(got, np.concatenate([one + np.float32(2) + np.float32(2), x]))


# ---------------------------------------------------------------- timing never changes the numbers

@nki.jit
def softmax_rows(x):
    """A softmax over the free dim of a [128, F] tile: VectorE max, ScalarE exp with a per-row bias and
    a sum, a reciprocal and a scale."""
    P, F = x.shape
    t = nl.ndarray((P, F), dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    m = nl.ndarray((P, 1), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_reduce(dst=m, op=nl.maximum, data=t, axis=1, negate=True)
    e = nl.ndarray((P, F), dtype=nl.float32, buffer=nl.sbuf)
    s = nl.ndarray((P, 1), dtype=nl.float32, buffer=nl.sbuf)
    nisa.activation_reduce(dst=e, op=nl.exp, data=t, bias=m, reduce_op=nl.add, reduce_res=s)
    rs = nl.ndarray((P, 1), dtype=nl.float32, buffer=nl.sbuf)
    nisa.reciprocal(dst=rs, data=s)
    r = nl.ndarray((P, F), dtype=x.dtype, buffer=nl.sbuf)
    nisa.tensor_scalar(dst=r, data=e, op0=nl.multiply, operand0=rs)
    out = nl.ndarray((P, F), dtype=x.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=r)
    return out


@pytest.mark.parametrize("case", ["tutorial matmul", "softmax", "lnc2 barrier"])
def test_profile_outputs_equal_simulate_bit_for_bit(case):
    rng = np.random.default_rng(4)
    if case == "tutorial matmul":
        kernel, args, kw = tutorial.matmul_hoisted, (rng.standard_normal((256, 256)).astype(bf16),
                                                     rng.standard_normal((256, 512)).astype(bf16)), {}
    elif case == "softmax":
        kernel, args, kw = softmax_rows, (rng.standard_normal((128, 300)).astype(np.float32),), {}
    else:
        kernel, args, kw = uneven_handoff[2], (rng.standard_normal((128, 64)).astype(np.float32),), \
            {"slow": 3, "fast": 2}
    want = nki.simulate(kernel)(*args, **kw)
    got = nkic.profile(kernel, *args, **kw).outputs
    assert got.dtype == want.dtype and got.shape == want.shape
    assert got.tobytes() == want.tobytes()
    if case == "softmax":  # and the kernel is a softmax (the NumPy reference, float32 rounding)
        x = args[0]
        ref = np.exp(x - x.max(axis=1, keepdims=True))
        np.testing.assert_allclose(got, ref / ref.sum(axis=1, keepdims=True), rtol=1e-5, atol=1e-7)
