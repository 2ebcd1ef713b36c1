"""Profiler benchmark (issue 13).   Run:  .venv/bin/python bench/profile_bench.py [--repeat N] [--size N]

(a) Overhead of timing: nki.simulate (no timing) against nkic.profile(timing_only=False) (timing with
    every slice kept for traces), measured in the same run on the same inputs. Kernels: the tutorial's
    tiled bf16 matmul at --size (default 2048^3) and a softmax over rows (VectorE/ScalarE, many small
    instructions). The issue's bar: at most 20 % overhead.
(b) Speedup of timing_only: nkic.profile(timing_only=True) against nkic.profile() on matmul-heavy
    kernels (the tiled and the fully blocked matmul). The bar: at least 10x.
Times are the best of --repeat runs (default 3), wall clock; the machine is usually shared."""
import argparse
import os
import sys
import time

import ml_dtypes
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "timing", "kernels"))

import nki  # noqa: E402
import nki.isa as nisa  # noqa: E402
import nki.language as nl  # noqa: E402
import nkic  # noqa: E402
import cal_matmul as mm  # noqa: E402  (the tutorial matmul kernels of the timing calibration)


@nki.jit
def softmax_rows(x):
    """Row softmax of [R, F] in 128-row tiles: max (VectorE), exp with the row sum (ScalarE),
    reciprocal and scale (VectorE)."""
    R, F = x.shape
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    for i in nl.affine_range(R // 128):
        t = nl.ndarray((128, F), dtype=x.dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=t, src=x[i * 128:(i + 1) * 128, :])
        m = nl.ndarray((128, 1), dtype=nl.float32, buffer=nl.sbuf)
        nisa.tensor_reduce(dst=m, op=nl.maximum, data=t, axis=1, negate=True)
        e = nl.ndarray((128, F), dtype=nl.float32, buffer=nl.sbuf)
        s = nl.ndarray((128, 1), dtype=nl.float32, buffer=nl.sbuf)
        nisa.activation_reduce(dst=e, op=nl.exp, data=t, bias=m, reduce_op=nl.add, reduce_res=s)
        nisa.reciprocal(dst=s, data=s)
        nisa.tensor_scalar(dst=t, data=e, op0=nl.multiply, operand0=s)
        nisa.dma_copy(dst=out[i * 128:(i + 1) * 128, :], src=t)
    return out


def best(f, repeat):
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t0)
    return min(ts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--size", type=int, default=2048)
    args = ap.parse_args()
    n, r = args.size, args.repeat
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32).astype(ml_dtypes.bfloat16)
    b = rng.standard_normal((n, n), dtype=np.float32).astype(ml_dtypes.bfloat16)
    x = rng.standard_normal((64 * 128, 512), dtype=np.float32)

    print("(a) overhead of timing: nki.simulate vs nkic.profile (timing, slices kept)   bar: <= 20 %")
    for name, k, kargs in ((f"matmul_tiled bf16 {n}^3", mm.matmul_tiled, (a, b)),
                           ("softmax rows [8192, 512] f32", softmax_rows, (x,))):
        sim = nki.simulate(k)
        sim(*kargs)  # compile once: both sides reuse the compiled kernel
        nkic.profile(k, *kargs)
        ts = best(lambda: sim(*kargs), r)
        tp = best(lambda: nkic.profile(k, *kargs), r)
        p = nkic.profile(k, *kargs)
        print(f"    {name:32} simulate {ts * 1e3:8.1f} ms  profile {tp * 1e3:8.1f} ms  overhead "
              f"{(tp / ts - 1) * 100:6.1f} %   ({p.instructions} instructions, estimate {p.latency_us:.1f} us)")

    print("(b) timing_only speedup: nkic.profile() vs nkic.profile(timing_only=True)   bar: >= 10x")
    for name, k, kw in ((f"matmul_tiled bf16 {n}^3", mm.matmul_tiled, {}),
                        (f"matmul_fully_optimized bf16 {n}^3", mm.matmul_fully_optimized, {"bm": min(16, n // 128)})):
        nkic.profile(k, a, b, timing_only=True, **kw)
        tf = best(lambda: nkic.profile(k, a, b, **kw), r)
        to = best(lambda: nkic.profile(k, a, b, timing_only=True, **kw), r)
        print(f"    {name:40} full {tf * 1e3:8.1f} ms  timing_only {to * 1e3:7.1f} ms  speedup {tf / to:6.1f}x")


if __name__ == "__main__":
    main()
