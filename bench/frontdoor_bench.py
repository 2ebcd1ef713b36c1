"""The two front doors' compile time (issue 16).   Run:  .venv/bin/python bench/frontdoor_bench.py [--repeat N]

The same kernels compiled by the C++ specializer (NKI_COMPILER_FRONTEND=custom) and by Python tracing
(NKI_COMPILER_FRONTEND=trace), in the same run: the whole compile (specialize + allocate + verify), best of
--repeat (default 3), and per instruction. Both produce the same Program (tests/tracing checks it)."""
import argparse
import os
import sys
import time

import ml_dtypes
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "examples"))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "kernels", "tutorials"))

import blocked_matmul as bm  # noqa: E402
import tiled_add as ta  # noqa: E402
import tutorial_kernels as tk  # noqa: E402


def f32(*s):
    return np.random.default_rng(0).standard_normal(s).astype(np.float32)


def bf16(*s):
    return f32(*s).astype(ml_dtypes.bfloat16)


CASES = [
    ("tiled_add 2048x1024", ta.tiled_add, (f32(2048, 1024), f32(2048, 1024))),
    ("tutorial matmul_tiled 1024^3", tk.matmul_tiled, (bf16(1024, 1024), bf16(1024, 1024))),
    ("tutorial matmul_blocked 2048^3", tk.matmul_blocked, (bf16(2048, 2048), bf16(2048, 2048))),
    ("blocked_matmul 2048^3", bm.blocked_matmul, (bf16(2048, 2048), bf16(2048, 2048))),
    ("tutorial softmax 1024x512", tk.softmax, (f32(1024, 512),)),
    ("tutorial layernorm 1024x512", tk.layernorm, (f32(1024, 512), f32(1, 512), f32(1, 512))),
    ("tutorial mamba_scan", tk.mamba_scan, (f32(256, 512), f32(256, 512), f32(256, 1), f32(512, 1), f32(512, 1))),
]


def compile_time(kernel, args, frontend, repeat):
    os.environ["NKI_COMPILER_FRONTEND"] = frontend
    best, n = float("inf"), 0
    for _ in range(repeat):
        kernel._cache.clear()
        t0 = time.perf_counter()
        compiled = kernel.compile(*args)
        best = min(best, time.perf_counter() - t0)
        n = compiled.num_instructions
    return best, n


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--repeat", type=int, default=3)
    a = p.parse_args()
    print(f"{'kernel':34} {'instrs':>7} {'custom ms':>10} {'trace ms':>9} {'custom us/i':>12} {'trace us/i':>11} "
          f"{'trace/custom':>12}")
    for name, kernel, args in CASES:
        try:
            tc, n = compile_time(kernel, args, "custom", a.repeat)
            tt, n2 = compile_time(kernel, args, "trace", a.repeat)
        except Exception as e:  # noqa: BLE001  (a benchmark row, not a test)
            print(f"{name:34} skipped: {type(e).__name__}: {str(e).splitlines()[-1]}")
            continue
        assert n == n2, (name, n, n2)
        print(f"{name:34} {n:7d} {tc * 1e3:10.1f} {tt * 1e3:9.1f} {tc * 1e6 / n:12.2f} {tt * 1e6 / n:11.2f} "
              f"{tt / tc:12.2f}")
    os.environ.pop("NKI_COMPILER_FRONTEND", None)


if __name__ == "__main__":
    main()
