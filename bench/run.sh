#!/usr/bin/env bash
# Builds bench/parse_bench.cpp (Release, its own build dir) and runs it beside CPython's ast.parse on the
# same 3000-line NKI module, then prints both and the ratio:   bench/run.sh [extra benchmark flags]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${NKIC_BENCH_BUILD_DIR:-build/bench}"
PY="${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}"

cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DNKIC_BUILD_BENCH=ON -DNKIC_PYTHON=OFF \
  -DNKIC_BUILD_TESTS=OFF >/dev/null
cmake --build "$BUILD_DIR" --target parse_bench >/dev/null

# Medians of 5 repetitions on both sides: the machine is usually shared.
"$BUILD_DIR/parse_bench" --benchmark_format=json --benchmark_min_time=0.5 --benchmark_repetitions=5 \
  --benchmark_report_aggregates_only=true "$@" > "$BUILD_DIR/parse_bench.json"
"$PY" bench/parse_baseline.py > "$BUILD_DIR/parse_baseline.json"

"$PY" - "$BUILD_DIR/parse_bench.json" "$BUILD_DIR/parse_baseline.json" <<'PYEOF'
import json, sys
bench = json.load(open(sys.argv[1]))
base = json.load(open(sys.argv[2]))
rows = {b["name"]: b for b in bench["benchmarks"]}
def ms(b):  # Google Benchmark reports real_time in the benchmark's unit (ms here)
    return b["real_time"] * {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[b["time_unit"]]
print(f"file: bench/data/{base['file']}  ({base['lines']} lines, {base['bytes']} bytes)")
print(f"{'(medians)':28}{'ms/parse':>10}{'lines/s':>14}")
cp = base["median_ms"]
print(f"{'CPython ' + base['python'] + ' ast.parse':28}{cp:>10.3f}{base['lines'] / cp * 1e3:>14,.0f}")
for name in ("BM_ParseModule", "BM_ParseAndCheck"):
    b = rows.get(name + "_median", rows.get(name))
    t = ms(b)
    print(f"{'nkic ' + name[3:]:28}{t:>10.3f}{base['lines'] / t * 1e3:>14,.0f}   ({cp / t:.2f}x CPython)")
PYEOF

# Simulator speed (tiled bf16 matmul vs single-threaded NumPy; per-instruction overhead). Uses the
# installed package (.venv, built by ./dev build).
"$PY" bench/sim_bench.py
