"""The published measurements (../shared/calibration/aws-docs-latencies.csv) as calibration points: each
runs our own version of the measured kernel under the timing model (timing_only, except the DGE row whose
offset is read at run time) at the published shape and target, and returns the estimate in microseconds.

Kinds: "optimised" and "micro" rows are held to the issue's 20 % bound; "naive" rows (kernels whose
published time moved 2.5x between compiler versions) and "ambiguous" ones (shape not stated) are
reported with a loose sanity bound only (see test_calibration.py)."""
import collections
import contextlib
import functools
import io
import json
import os
import sys
import tempfile

import ml_dtypes
import numpy as np

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(_HERE, "kernels"))
sys.path.insert(0, os.path.join(_HERE, "..", "legacy", "kernels"))  # tutorial_matmul.py (Beta 1)
sys.path.insert(0, os.path.join(_HERE, "..", "..", "python"))  # neuronxcc, if the installed build predates it
import nkic  # noqa: E402
from nki import _errors as nkic_errors  # noqa: E402

import cal_layernorm as layernorm  # noqa: E402
import cal_mamba as mamba  # noqa: E402
import cal_matmul as matmul  # noqa: E402
import cal_micro as micro  # noqa: E402
import beta1_layernorm  # noqa: E402
import beta1_mamba  # noqa: E402
import tutorial_matmul  # noqa: E402

Point = collections.namedtuple("Point", "name kernel shape target published_us kind run miss", defaults=(None,))
# miss: why the point is known to miss the 20 % bound (the test marks it xfail with that reason).

bf16, f32 = ml_dtypes.bfloat16, np.float32


def _latency(kernel, *args, target, timing_only=True, **kw):
    return nkic.profile(kernel, *args, target=target, timing_only=timing_only, **kw).latency_us


def _slices(kernel, *args, target, timing_only=True, **kw):
    """The timeline's slices: (track name, opcode, duration us)."""
    p = nkic.profile(kernel, *args, target=target, timing_only=timing_only, **kw)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "t.json")
        p.to_perfetto(path)
        with open(path, encoding="utf-8") as f:
            ev = json.load(f)
    ev = ev["traceEvents"] if isinstance(ev, dict) else ev
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in ev if e.get("name") == "thread_name"}
    return [(names.get((e["pid"], e["tid"]), "?"), e["name"], e["dur"]) for e in ev if e.get("ph") == "X"]


# ---- the matmul tutorials: lhsT[8192, 4096] x rhs[8192, 8192]

MM_SHAPE = "lhsT[8192,4096] x rhs[8192,8192]"


def _mm(kernel, dtype, target, **kw):
    def run():
        a, b = np.zeros((8192, 4096), dtype=dtype), np.zeros((8192, 8192), dtype=dtype)
        return _latency(kernel, a, b, target=target, **kw)
    return run


MATMUL = [
    Point("matmul tiled", "matmul_tiled", MM_SHAPE + " bf16", "trn1", 51800, "naive", _mm(matmul.matmul_tiled, bf16, "trn1")),
    Point("matmul hoisted loads", "matmul_hoisted", MM_SHAPE + " bf16", "trn1", 42960, "naive",
          _mm(matmul.matmul_hoisted, bf16, "trn1")),
    Point("matmul blocked free dim", "matmul_block_free", MM_SHAPE + " bf16", "trn1", 22070, "naive",
          _mm(matmul.matmul_block_free, bf16, "trn1")),
    Point("matmul fully optimised", "matmul_fully_optimized", MM_SHAPE + " bf16", "trn1", 6970, "optimised",
          _mm(matmul.matmul_fully_optimized, bf16, "trn1")),
    Point("kernel-opt v2 tiled", "matmul_tiled tn=256", MM_SHAPE + " fp32", "trn2", 39890, "naive",
          _mm(matmul.matmul_tiled, f32, "trn2", tn=256)),
    Point("kernel-opt v3 hoisted", "matmul_hoisted tn=256", MM_SHAPE + " fp32", "trn2", 28200, "optimised",
          _mm(matmul.matmul_hoisted, f32, "trn2", tn=256)),
    Point("kernel-opt v4 M/N blocks", "matmul_block_free tn=256", MM_SHAPE + " fp32", "trn2", 28410, "optimised",
          _mm(matmul.matmul_block_free, f32, "trn2", tn=256)),
    Point("kernel-opt v5 M/N/K blocks", "matmul_fully_optimized tn=256", MM_SHAPE + " fp32", "trn2", 28300,
          "optimised", _mm(matmul.matmul_fully_optimized, f32, "trn2", tn=256)),
]


# ---- fused mamba (trn1, fp32, batch 1, state 16)

def _mamba(kernel, ch, L, dma_bcast):
    def run():
        delta, u = np.zeros((1, ch, L), f32), np.zeros((1, ch, L), f32)
        A, B, C = np.zeros((ch, 16), f32), np.zeros((1, 16, L), f32), np.zeros((1, 16, L), f32)
        try:
            return _latency(kernel, delta, u, A, B, C, target="trn1", dma_bcast=dma_bcast)
        except nkic_errors.NkiCompileError as e:
            if "sbuf capacity exceeded" in str(e):
                return None  # AWS's compiler spilled to HBM here (the published profile shows it); ours does not
            raise
    return run


def _mamba_point(v, ch, L, published_us, kind, dma_bcast=True, miss=None):
    """dma_bcast: B and C rows arrive in all 128 partitions by a partition-step-0 DMA (the measured
    profiles are VectorE-bound at about the cost of the five VectorE instructions per state, so the
    broadcast did not cost VectorE time); False: nl.broadcast_to as written (our lowering: stream shuffles
    on VectorE)."""
    k = {"v1": mamba.mamba_v1, "v2": mamba.mamba_v2, "v3": mamba.mamba_v3}[v]
    how = "" if dma_bcast else " (nl.broadcast_to)"
    return Point(f"mamba {v} ch={ch} seq={L}{how}", f"mamba_{v}", f"channels={ch}, seq_len={L}, state=16 fp32",
                 "trn1", published_us, kind, _mamba(k, ch, L, dma_bcast), miss)


# The published v3 rows (and v2 at seq 512) run at 3.1-3.3 us of VectorE per (state, 512 columns); the
# documented cost of the instructions written there is 4.8 us (five VectorE instructions of 2N + 60
# cycles at 1.12 GHz; 3.9 us even if delta * u were hoisted out of the state loop), which v1 and v2 at
# seq >= 1024 do match. AWS's 2024 compiler did something to these two we do not model.
FAST_VECTOR = ("published VectorE time per (state, 512 columns) is ~3.2 us, below the documented cost of "
               "the instructions (>= 3.9 us); v1 and v2 at seq >= 1024 match that cost")

MAMBA = [
    _mamba_point("v1", 256, 512, 172.93, "optimised"),
    _mamba_point("v1", 256, 512, 172.93, "info", dma_bcast=False),
    _mamba_point("v1", 4096, 512, 2340, "optimised"),
    _mamba_point("v2", 4096, 512, 1610, "optimised", miss=FAST_VECTOR),
    _mamba_point("v2", 4096, 8192, 53330, "optimised"),
    _mamba_point("v3", 4096, 8192, 27800, "optimised", miss=FAST_VECTOR),
]
# The tutorial's scaling table (1 decimal, ms): v2 and v3 at seq 1024 .. 7168 (512 and 8192 are above).
MAMBA_SCALING = [_mamba_point(v, 4096, L, ms * 1000, "optimised", miss=FAST_VECTOR if v == "v3" else None)
                 for v, L, ms in [
    ("v3", 512, 1.6), ("v2", 1024, 4.4), ("v3", 1024, 3.3), ("v2", 2048, 8.9), ("v3", 2048, 6.6),
    ("v2", 3072, 13.1), ("v3", 3072, 10.1), ("v2", 4096, 17.6), ("v3", 4096, 13.3), ("v2", 5120, 23.7),
    ("v3", 5120, 17.3), ("v2", 6144, 27.5), ("v3", 6144, 19.6), ("v2", 7168, 41.3), ("v3", 7168, 24.2)]]


# ---- layernorm (trn1, fp32): the tutorial text says (300, 1000), its script defaults to (4096, 8192)

def _ln(kernel, R, D):
    def run():
        x, g, b = np.zeros((R, D), f32), np.zeros(D, f32), np.zeros(D, f32)
        return _latency(kernel, x, g, b, target="trn1")
    return run


LAYERNORM = [Point(f"layernorm {v} ({R},{D})", f"layernorm_{v}", f"x[{R},{D}] fp32", "trn1", us, "ambiguous",
                   _ln(getattr(layernorm, f"layernorm_{v}"), R, D))
             for v, us in [("v1", 2311), ("v2", 1969)] for R, D in [(300, 1000), (4096, 8192)]]


# ---- micro-benchmarks

def _act_interval():
    x = np.zeros((128, 1), f32)
    return (_latency(micro.act_chain, x, target="trn1", n=16) - _latency(micro.act_chain, x, target="trn1", n=8)) / 8


def _ring_transfer(shape):
    def run():
        s = [d for track, op, d in _slices(micro.dma_load, np.zeros(shape, bf16), target="trn2")
             if track.startswith("dma") and op == "dma_copy"]
        return max(s[:-1]) if len(s) > 1 else s[0]  # the load's ring slices (the last is the 8-byte store)
    return run


def _dge():
    a, row = np.zeros((16, 512), f32), np.array([[3]], dtype=np.int32)
    s = _slices(micro.dma_dynamic_row, a, row, target="trn2", timing_only=False)
    return max(d for track, op, d in s if not track.startswith("dma"))


def _act_table_load():
    x = np.zeros((128, 1), f32)
    return (_latency(micro.act_chain, x, target="trn1", n=1, op=micro.nl.exp)
            - _latency(micro.act_chain, x, target="trn1", n=1, op=micro.nl.copy)) * 1000 / 1000


MICRO = [
    Point("ScalarE tiny dependent activations", "act_chain", "[128,1] fp32, RAW chain", "trn1", 0.189, "micro",
          _act_interval),
    Point("DMA HBM->SBUF one ring", "dma_load", "A[4,4096] bf16 (32 KiB)", "trn2", 1.416, "micro",
          _ring_transfer((4, 4096))),
    Point("DMA HBM->SBUF 16 rings x 2 KiB", "dma_load", "A[128,128] bf16", "trn2", 0.097, "micro",
          _ring_transfer((128, 128))),
    Point("DGE DMA instruction", "dma_dynamic_row", "a[row, :] fp32 (run-time row)", "trn2", 0.600, "micro", _dge),
    Point("ACT_TABLE_LOAD", "act_chain exp - copy", "[128,1] fp32", "trn1", 0.368, "micro", _act_table_load),
]

# ---- the same published points, measured with our Beta 1 (neuronxcc.nki) versions of the kernels, in the
# tutorials' original structure (tests/legacy/kernels/tutorial_matmul.py, kernels/beta1_*.py), run the way
# the tutorials ran them: nki.benchmark(warmup=5, iters=10)(kernel)(*args) on trn1, then
# kernel.benchmark_result.nc_latency.get_latency_percentile(50) (a timing-only run). Each has the kind
# (bounds) of its 0.3.0 twin, named in BETA1_TWIN.

def _benchmark(kernel, *args, **kw):
    from neuronxcc import nki as nki_beta1
    k = nki_beta1.benchmark(warmup=5, iters=10, platform_target="trn1")(kernel)
    with contextlib.redirect_stdout(io.StringIO()):  # its one-line report
        k(*args, **kw)
    return k.benchmark_result.nc_latency.get_latency_percentile(50)


def _b1_mm(kernel):
    @functools.lru_cache(maxsize=None)  # ~1.5 s each; the ordering test reads them again
    def run():
        return _benchmark(kernel, np.zeros((8192, 4096), bf16), np.zeros((8192, 8192), bf16))
    return run


def _b1_mamba(kernel, ch, L):
    def run():
        args = (np.zeros((1, ch, L), f32), np.zeros((1, ch, L), f32), np.zeros((ch, 16), f32),
                np.zeros((1, 16, L), f32), np.zeros((1, 16, L), f32))
        try:
            return _benchmark(kernel, *args)
        except nkic_errors.NkiCompileError as e:
            if "sbuf capacity exceeded" in str(e):
                return None
            raise
    return run


def _b1_ln(kernel, R, D):
    return lambda: _benchmark(kernel, np.zeros((R, D), f32), np.zeros(D, f32), np.zeros(D, f32))


# Why Beta 1 points miss where their 0.3.0 twins do not (docs/timing-model.md, "Measured with the Beta 1
# kernels"): the spellings of that era lower to more instructions than AWS's compiler emitted for them.
PSUM_ZEROS = ("the zeroing of each PSUM accumulator is folded into its first matmul as AWS's compiler does, "
              "but the Beta 1 version still zeroes its SBUF result block per N block and packs each strip with "
              "a copy before its store, and adds every K block's PSUM sum into SBUF with VectorE (2N per "
              "tile): VectorE work the 0.3.0 version does not have")
BCAST = ("tile.broadcast_to of the B and C rows is four stream shuffles on VectorE per broadcast (the "
         "0.3.0 'info' row); the measured profiles show no VectorE time for it")

_MM_B1 = [("matmul tiled", tutorial_matmul.matmul_tiled, None),
          ("matmul hoisted loads", tutorial_matmul.matmul_hoist_load, None),
          ("matmul blocked free dim", tutorial_matmul.matmul_block_free_dimension, None),
          ("matmul fully optimised", tutorial_matmul.matmul_fully_optimized, PSUM_ZEROS)]
_MAMBA_B1 = [("v1", 256, 512, "mamba v1 ch=256 seq=512"), ("v1", 4096, 512, "mamba v1 ch=4096 seq=512"),
             ("v2", 4096, 512, "mamba v2 ch=4096 seq=512"), ("v2", 4096, 1024, "mamba v2 ch=4096 seq=1024"),
             ("v2", 4096, 8192, "mamba v2 ch=4096 seq=8192"), ("v3", 4096, 512, "mamba v3 ch=4096 seq=512"),
             ("v3", 4096, 8192, "mamba v3 ch=4096 seq=8192")]


def _twin(name):
    return next(p for p in MATMUL + MAMBA + MAMBA_SCALING + LAYERNORM if p.name == name)


BETA1, BETA1_TWIN = [], {}
for _name, _k, _miss in _MM_B1:
    _t = _twin(_name)
    BETA1.append(_t._replace(name="beta1 " + _name, kernel=_k.func.__name__, run=_b1_mm(_k), miss=_miss))
for _v, _ch, _L, _name in _MAMBA_B1:
    _t = _twin(_name)
    _miss = BCAST + ("; and " + FAST_VECTOR if _v == "v3" or (_v == "v2" and _L == 512) else "")
    BETA1.append(_t._replace(name="beta1 " + _name, run=_b1_mamba(getattr(beta1_mamba, "mamba_" + _v), _ch, _L),
                             miss=_miss))
for _t in LAYERNORM:
    _v, _R, _D = _t.kernel[-2:], int(_t.shape[2:].split(",")[0]), int(_t.shape.split(",")[1].split("]")[0])
    BETA1.append(_t._replace(name="beta1 " + _t.name, run=_b1_ln(getattr(beta1_layernorm, "layernorm_" + _v), _R, _D)))
for _b in BETA1:
    BETA1_TWIN[_b.name] = _twin(_b.name[len("beta1 "):])

ALL = MATMUL + MAMBA + MAMBA_SCALING + LAYERNORM + MICRO + BETA1


def error_pct(estimate, published):
    return 100.0 * (estimate - published) / published
