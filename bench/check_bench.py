"""The checkers' overhead.   Run:  .venv/bin/python bench/check_bench.py [--repeat N]

Simulates the example kernels and the tutorial kernels (tests/kernels/tutorials) in one process, each
under NKIC_CHECKS=none (the baseline), the default checks (the static ones and uninit-read), each dynamic
check alone, and all of them; prints the wall time of each (best of --repeat runs, compile excluded: the
kernel is compiled before timing) and its overhead over the baseline. The static checks run once per
compiled kernel (cached), so their cost shows in the first run only: it is reported apart."""
import argparse
import os
import sys
import time
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "examples"))
sys.path.insert(0, os.path.join(ROOT, "tests", "kernels", "tutorials"))

import ml_dtypes  # noqa: E402

import blocked_matmul as ex_blocked  # noqa: E402
import matmul as ex_matmul  # noqa: E402
import tensor_add as ex_add  # noqa: E402
import tiled_add as ex_tiled  # noqa: E402
import tutorial_kernels as t  # noqa: E402

rng = np.random.default_rng(0)
bf16 = ml_dtypes.bfloat16


def randn(*shape, dtype=np.float32):
    return rng.standard_normal(shape, dtype=np.float32).astype(dtype)


CASES = [
    ("tensor_add", ex_add.tensor_add, (randn(128, 512), randn(128, 512)), {}),
    ("tiled_add", ex_tiled.tiled_add, (randn(1024, 1024), randn(1024, 1024)), {}),
    ("matmul", ex_matmul.matmul, (randn(128, 128), randn(128, 512)), {}),
    ("blocked_matmul", ex_blocked.blocked_matmul, (randn(1024, 1024, dtype=bf16), randn(1024, 2048, dtype=bf16)), {}),
    ("tut matmul_blocked", t.matmul_blocked, (randn(2048, 1024, dtype=bf16), randn(2048, 1024, dtype=bf16)), {}),
    ("tut softmax", t.softmax, (randn(1024, 512),), {}),
    ("tut layernorm", t.layernorm, (randn(512, 1000), randn(1, 1000), randn(1, 1000)), {}),
    ("tut rmsnorm", t.rmsnorm, (randn(1024, 512), randn(1, 512)), {}),
    ("tut pool2d", t.pool2d, (randn(128, 64, 64),), {"k": 2, "mode": "max"}),
    ("tut mamba_scan", t.mamba_scan,
     (np.abs(randn(256, 256)) * np.float32(0.1), randn(256, 256), -np.abs(randn(256, 8)), randn(8, 256),
      randn(8, 256)), {}),
]
MODES = ["none", "default", "uninit-read", "nonfinite", "shuffle", "all"]


def timed(kernel, args, kwargs, mode, repeat):
    os.environ["NKIC_CHECKS"] = mode
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kernel(*args, **kwargs)
        best = min(best, time.perf_counter() - t0)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--modes", default=",".join(MODES), help="NKIC_CHECKS values to time, the first the baseline")
    a = ap.parse_args()
    modes = a.modes.split(";") if ";" in a.modes else a.modes.split(",")
    print(f"{'kernel':<20}" + "".join(f"{m:>22}" for m in modes))
    totals = [0.0] * len(modes)
    for name, kernel, args, kwargs in CASES:
        kernel.compile(*args, **kwargs)
        timed(kernel, args, kwargs, "all", 1)  # warm: the static findings are cached per compiled kernel
        row = [timed(kernel, args, kwargs, m, a.repeat) for m in modes]
        totals = [x + y for x, y in zip(totals, row)]
        print(f"{name:<20}" + "".join(f"{1e3 * x:>12.1f} ms {100 * (x / row[0] - 1):+6.1f}%" for x in row))
    print(f"{'total':<20}" + "".join(f"{1e3 * x:>12.1f} ms {100 * (x / totals[0] - 1):+6.1f}%" for x in totals))
    os.environ.pop("NKIC_CHECKS")


if __name__ == "__main__":
    main()
