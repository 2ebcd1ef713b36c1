"""Compile-time benchmark: a kernel that emits N instructions (unrolled loops of small tensor_tensor ops),
compiled at two sizes. Reports compile seconds per 100 000 instructions and the memory per instruction
(the slope of peak RSS between the two sizes, each measured in a fresh process). The baseline in the same
run is CPython executing the same loop structure as plain Python (the work a pure-Python tracer would do
at the least). Run: .venv/bin/python bench/compile_bench.py"""
import json
import os
import subprocess
import sys
import textwrap

KERNEL = textwrap.dedent("""\
    import nki
    import nki.isa as nisa
    import nki.language as nl

    @nki.jit
    def many(a, n):
        t = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
        nisa.dma_copy(dst=t, src=a)
        for i in range(n):
            nisa.tensor_tensor(dst=t, data1=t, data2=t, op=nl.add)
        return None
    """)

CHILD = textwrap.dedent("""\
    import json, resource, sys, time
    import numpy as np
    sys.path.insert(0, sys.argv[1])
    import bench_kernel
    n = int(sys.argv[2])
    a = np.ones((128, 64), np.float32)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    k = bench_kernel.many.compile(a, n)
    dt = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    x = 0
    for i in range(n):  # baseline: the same loop as plain Python, one call per iteration
        x = max(x, i)
    py = time.perf_counter() - t0
    print(json.dumps({"n": k.num_instructions, "seconds": dt, "rss_kb": peak - base, "python_loop": py}))
    """)


def run(tmp, n):
    out = subprocess.run([sys.executable, "-c", CHILD, tmp, str(n)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main():
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "bench_kernel.py"), "w") as f:
            f.write(KERNEL)
        small, big = run(tmp, 20_000), run(tmp, 100_000)
    per_instr = (big["rss_kb"] - small["rss_kb"]) * 1024 / (big["n"] - small["n"])
    print(f"compile {big['n']} instructions: {big['seconds']:.3f} s "
          f"({1e6 * big['seconds'] / big['n']:.2f} us/instruction; target < 0.5 s)")
    print(f"baseline: CPython running the same 100k-iteration loop: {big['python_loop']:.3f} s")
    print(f"memory per instruction (peak-RSS slope 20k -> 100k): {per_instr:.0f} bytes (target < 100)")


if __name__ == "__main__":
    main()
