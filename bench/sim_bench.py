"""Simulator speed benchmark.   Run:  .venv/bin/python bench/sim_bench.py [--repeat N]

(a) The tutorial's fully blocked bf16 matmul (tests/kernels/tutorials/tutorial_kernels.py:
    matmul_blocked), lhsT [K, M] x rhs [K, N] with M = N = K = 2048, simulated; its wall time beside
    NumPy's float32 matmul of the same size measured in the same run. The simulator is single-threaded,
    and NumPy's BLAS is pinned to 1 thread (threadpoolctl when installed, else a subprocess with
    OMP/OPENBLAS/MKL_NUM_THREADS=1), so the ratio compares one core with one core.
(b) Per-instruction overhead: a kernel of 20 000 tensor_scalar instructions on a [128, 1] tile;
    compile and simulate times are reported separately, per instruction.
Times are the best of --repeat runs (default 5); process CPU time is shown too."""
import argparse
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "kernels", "tutorials"))

import ml_dtypes  # noqa: E402

import nki  # noqa: E402
import nki.isa as nisa  # noqa: E402
import nki.language as nl  # noqa: E402
import tutorial_kernels as tk  # noqa: E402

N_SMALL = 20000


@nki.jit
def many_tensor_scalar(x, n=N_SMALL):
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    for _ in nl.static_range(n):
        nisa.tensor_scalar(dst=t, data=t, op0=nl.add, operand0=1.0)
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=t)
    return out


def best(f, repeat, cpu=None):
    """Best wall time of `repeat` calls; the matching process CPU time goes into cpu[0] if given
    (CPU time is less disturbed by other load on a shared machine)."""
    ts, cs = [], []
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        f()
        ts.append(time.perf_counter() - t0)
        cs.append(time.process_time() - c0)
    if cpu is not None:
        cpu.append(min(cs))
    return min(ts)


NUMPY_SNIPPET = """
import time, numpy as np
n, repeat = {n}, {repeat}
a = np.random.default_rng(0).standard_normal((n, n), dtype=np.float32)
b = np.random.default_rng(1).standard_normal((n, n), dtype=np.float32)
a @ b
ts = []
for _ in range(repeat):
    t0 = time.perf_counter(); a @ b; ts.append(time.perf_counter() - t0)
print(min(ts))
"""


def numpy_matmul_1thread(n, repeat):
    try:
        from threadpoolctl import threadpool_limits
        with threadpool_limits(limits=1):
            return float(subprocess_free(n, repeat)), "threadpoolctl(limits=1)"
    except ImportError:
        env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
        out = subprocess.run([sys.executable, "-c", NUMPY_SNIPPET.format(n=n, repeat=repeat)], env=env,
                             capture_output=True, text=True, check=True).stdout
        return float(out), "subprocess with OMP/OPENBLAS/MKL_NUM_THREADS=1"


def subprocess_free(n, repeat):
    a = np.random.default_rng(0).standard_normal((n, n), dtype=np.float32)
    b = np.random.default_rng(1).standard_normal((n, n), dtype=np.float32)
    a @ b
    return best(lambda: a @ b, repeat)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--size", type=int, default=2048)
    args = ap.parse_args()
    n = args.size
    rng = np.random.default_rng(0)
    lhsT = rng.standard_normal((n, n), dtype=np.float32).astype(ml_dtypes.bfloat16)
    rhs = rng.standard_normal((n, n), dtype=np.float32).astype(ml_dtypes.bfloat16)
    t0 = time.perf_counter()
    k = tk.matmul_blocked.compile(lhsT, rhs)
    tc = time.perf_counter() - t0
    tk.matmul_blocked(lhsT, rhs)  # warm-up
    cpu = []
    ts = best(lambda: tk.matmul_blocked(lhsT, rhs), args.repeat, cpu)
    tn, how = numpy_matmul_1thread(n, args.repeat)
    counts = k.opcode_counts()
    print(f"(a) bf16 matmul {n}x{n}x{n} (matmul_blocked, {counts['nc_matmul']} nc_matmul, "
          f"{k.num_instructions} instructions)")
    print(f"    compile {tc * 1e3:9.1f} ms")
    print(f"    simulate {ts * 1e3:8.1f} ms  ({2 * n ** 3 / ts / 1e9:.1f} GFLOP/s; CPU time {cpu[0] * 1e3:.1f} ms)")
    print(f"    numpy f32 {tn * 1e3:7.1f} ms  ({how})")
    print(f"    ratio simulate / numpy = {ts / tn:.2f}x")

    x = np.zeros((128, 1), np.float32)
    t0 = time.perf_counter()
    k2 = many_tensor_scalar.compile(x)
    tc2 = time.perf_counter() - t0
    out = many_tensor_scalar(x)
    assert out[0, 0] == N_SMALL
    cpu2 = []
    ts2 = best(lambda: many_tensor_scalar(x), args.repeat, cpu2)
    ni = k2.num_instructions
    print(f"(b) {N_SMALL} tensor_scalar on [128, 1] ({ni} instructions)")
    print(f"    compile  {tc2 * 1e3:8.1f} ms total, {tc2 / ni * 1e6:6.2f} us/instruction")
    print(f"    simulate {ts2 * 1e3:8.1f} ms total, {ts2 / ni * 1e6:6.2f} us/instruction "
          f"(CPU time {cpu2[0] / ni * 1e6:.2f} us/instruction)")


if __name__ == "__main__":
    main()
