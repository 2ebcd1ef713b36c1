"""Baseline for bench/parse_bench.cpp: CPython's ast.parse on the same file, timed the same way
(best and median of repeated runs). Prints one JSON object; bench/run.sh puts it beside nkic's number."""
import ast
import json
import os
import statistics
import sys
import time


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "data", "nki_module_3000.py")
    with open(path, "rb") as f:
        text = f.read()
    runs = []
    deadline = time.perf_counter() + 3.0  # about as long as Google Benchmark spends
    while len(runs) < 5 or (time.perf_counter() < deadline and len(runs) < 1000):
        t0 = time.perf_counter()
        ast.parse(text, filename=path)
        runs.append(time.perf_counter() - t0)
    print(json.dumps({
        "name": "cpython_ast_parse",
        "python": sys.version.split()[0],
        "file": os.path.basename(path),
        "lines": text.count(b"\n"),
        "bytes": len(text),
        "runs": len(runs),
        "min_ms": min(runs) * 1e3,
        "median_ms": statistics.median(runs) * 1e3,
    }))


if __name__ == "__main__":
    main()
