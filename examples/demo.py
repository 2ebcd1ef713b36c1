"""The main job: compile and simulate the example kernels, check them against NumPy, and report the
instruction counts, the compile and simulate times, and the timing model's estimate of each kernel's
latency on trn2 (nkic.profile). Run by `./dev demo`."""
import os
import sys
import time

import ml_dtypes
import numpy as np

import nkic

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from blocked_matmul import blocked_matmul  # noqa: E402
from matmul import matmul  # noqa: E402
from tensor_add import tensor_add  # noqa: E402
from tiled_add import tiled_add  # noqa: E402


def run(name, kernel, args, reference, tol):
    t0 = time.perf_counter()
    compiled = kernel.compile(*args)
    t1 = time.perf_counter()
    out = kernel(*args)  # compiled once: the second lookup hits the cache
    t2 = time.perf_counter()
    est = nkic.profile(kernel, *args, target="trn2", timing_only=True).latency_us
    err = float(np.abs(out.astype(np.float64) - reference).max())
    ok = err <= tol
    print(f"{name:<15} {compiled.num_instructions:>6} instructions  compile {1e3 * (t1 - t0):7.1f} ms  "
          f"simulate {1e3 * (t2 - t1):7.1f} ms  trn2 estimate {est:9.2f} us  max|err| {err:.2e} (tol {tol:g})  "
          f"{'OK' if ok else 'MISMATCH'}")
    return ok


def main():
    rng = np.random.default_rng(0)
    f32 = np.float32
    a, b = rng.standard_normal((128, 512), dtype=f32), rng.standard_normal((128, 512), dtype=f32)
    big_a, big_b = rng.standard_normal((1024, 1024), dtype=f32), rng.standard_normal((1024, 1024), dtype=f32)
    lhsT, rhs = rng.standard_normal((128, 128), dtype=f32), rng.standard_normal((128, 512), dtype=f32)
    ok = run("tensor_add", tensor_add, (a, b), a + b, 0.0)
    ok &= run("tiled_add", tiled_add, (big_a, big_b), big_a + big_b, 0.0)
    ok &= run("matmul", matmul, (lhsT, rhs), lhsT.T.astype(np.float64) @ rhs.astype(np.float64), 1e-3)
    # bf16 inputs, fp32 accumulation, bf16 output: the tolerance is bf16 rounding of the result.
    bf16 = ml_dtypes.bfloat16
    x, y = rng.standard_normal((2048, 2048), dtype=f32).astype(bf16), rng.standard_normal((2048, 2048), dtype=f32).astype(bf16)
    ref = x.astype(np.float64).T @ y.astype(np.float64)
    ok &= run("blocked_matmul", blocked_matmul, (x, y), ref, 2 ** -8 * float(np.abs(ref).max()))
    print("all kernels match NumPy" if ok else "SOME KERNELS DO NOT MATCH NUMPY")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
