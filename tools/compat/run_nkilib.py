#!/usr/bin/env python3
"""Compatibility runner: nki-library's kernels, compiled and simulated by nkic.

    python tools/compat/run_nkilib.py PATH_TO_NKI_LIBRARY [--filter SUBSTR] [--timeout SECONDS]
        [--per-test N] [--max-memory-gb GB] [--json out.json] [--target trn2] [--no-lnc1] [--list]

It collects the repository's own fast tests (`pytest -m fast` under test/integration: the shapes,
inputs, references and tolerances the kernels' authors chose), then runs each case alone in a
subprocess with a time and memory limit, through nkilib_plugin.py (which stands in for their hardware test
harness). One line per case:

    PASS | WRONG <what differs> | COMPILE-ERROR <first line of the diagnostic> | RUNTIME-ERROR ...
    | UNSUPPORTED lnc2 | UNSUPPORTED post-0.3.0: <api> | TIMEOUT | HARNESS-ERROR <...> | SKIPPED

A case launched as kernel[2] (LNC2) is UNSUPPORTED while nkic models one core; it is then also run as
kernel[1] with the same inputs, shown in parentheses (--no-lnc1 to skip that). The subprocess gets
NKIC_NKI_RELEASE=0.3.0 (replacing any the caller set), so nkic keeps the 0.3.0 behaviour whatever its
default release becomes.
Not part of CI: the kernels are not ours, and nothing of them is copied here.
"""

import argparse
import collections
import json
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CATEGORIES = ["PASS", "WRONG", "COMPILE-ERROR", "RUNTIME-ERROR", "UNSUPPORTED", "TIMEOUT", "HARNESS-ERROR",
              "SKIPPED"]


def case_env(repo, args, result_file):
    env = dict(os.environ)
    paths = [repo, os.path.join(repo, "src"), HERE] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env.update(PYTHONPATH=os.pathsep.join(paths), NKIC_COMPAT_RESULT=result_file, NKIC_COMPAT_TARGET=args.target,
               NKIC_COMPAT_LNC1="0" if args.no_lnc1 else "1", NKIC_NKI_RELEASE="0.3.0", NKI_SIMULATOR="1",
               OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", PYTHONDONTWRITEBYTECODE="1")
    return env


def run_pytest(repo, args, pytest_args, timeout):
    """Runs pytest with the plugin in its own process group; returns (plugin results or None, seconds, output)."""
    fd, result_file = tempfile.mkstemp(prefix="nkic_compat_", suffix=".json")
    os.close(fd)
    os.unlink(result_file)
    cmd = [args.python, "-m", "pytest", "-p", "nkilib_plugin", "--noconftest", "-p", "no:cacheprovider",
           "--rootdir", repo, "-q", "--no-header", "-rN", "-W", "ignore", "--tb=short", *pytest_args]
    limit = int(args.max_memory_gb * 2**30)

    def limit_memory():  # a case that needs more fails with MemoryError instead of waking the OOM killer
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=repo, env=case_env(repo, args, result_file), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True, preexec_fn=limit_memory)
    try:
        output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        output, _ = proc.communicate()
        return None, time.perf_counter() - start, output
    seconds = time.perf_counter() - start
    if proc.returncode < 0:
        output += f"\nkilled by {signal.Signals(-proc.returncode).name}"
    try:
        with open(result_file) as f:
            return json.load(f), seconds, output
    except (OSError, ValueError):
        return {}, seconds, output
    finally:
        if os.path.exists(result_file):
            os.unlink(result_file)


def collect(repo, args):
    results, _, output = run_pytest(repo, args, ["--collect-only", "-m", "fast", "test/integration"],
                                    args.collect_timeout)
    if not results:
        sys.exit(f"collection failed or timed out:\n{output[-4000:]}")
    return results["collected"], results["collect_errors"]


def sample(cases, per_test):
    """At most per_test cases of each test function, evenly spread over its parameter list."""
    if per_test <= 0:
        return cases
    groups = collections.defaultdict(list)
    for case in cases:
        groups[case.split("[", 1)[0]].append(case)
    chosen = set()
    for group in groups.values():
        step = max(1, len(group) / per_test)
        chosen.update(group[int(i * step)] for i in range(min(per_test, len(group))))
    return [case for case in cases if case in chosen]


def short(nodeid):
    """test/integration/nkilib/core/x/test_x.py::TestX::test_y[id] -> core/x/test_x.py::test_y[id]"""
    path, _, rest = nodeid.partition("::")
    path = path.removeprefix("test/integration/nkilib/")
    return f"{path}::{rest.rsplit('::', 1)[-1]}" if rest else path


def describe(result):
    status = result["status"]
    text = status + (" " + result["detail"] if result.get("detail") else "")
    sub = result.get("lnc1")
    if sub:
        text += f"  (kernel[1]: {sub['status']}" + (f" {sub['detail']}" if sub.get("detail") else "") + ")"
    return text


def save(path, repo, args, rows):
    if path:
        with open(path, "w") as f:
            json.dump({"repo": repo, "target": args.target, "results": rows}, f, indent=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repo", help="a checkout of aws-neuron/nki-library (the 0.3.0 line)")
    parser.add_argument("--filter", default="", help="run only cases whose test id contains SUBSTR")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per case (default 120)")
    parser.add_argument("--collect-timeout", type=float, default=600.0, help=argparse.SUPPRESS)
    parser.add_argument("--max-memory-gb", type=float, default=16.0, help="address-space limit per case (default 16)")
    parser.add_argument("--json", help="write every result to this file (rewritten after each case)")
    parser.add_argument("--target", default="trn2", choices=["trn1", "trn2", "trn3"])
    parser.add_argument("--no-lnc1", action="store_true", help="do not rerun LNC2 cases as kernel[1]")
    parser.add_argument("--per-test", type=int, default=3, metavar="N",
                        help="run N evenly spread parameter sets of each test function (default 3; 0: all)")
    parser.add_argument("--list", action="store_true", help="list the cases and stop")
    parser.add_argument("--python", default=sys.executable, help="interpreter with nki, torch, ml_dtypes, pytest")
    args = parser.parse_args()
    repo = os.path.abspath(args.repo)

    cases, collect_errors = collect(repo, args)
    cases = sample([c for c in cases if args.filter in c], args.per_test)
    collect_errors = [e for e in collect_errors if args.filter in e["nodeid"]]
    if args.list:
        print("\n".join(cases))
        return

    rows = []
    for error in collect_errors:  # a test module that cannot be imported: its kernels cannot be loaded
        missing = re.search(r"No module named '([\w.]+)'", error["error"])
        ours = not missing or missing.group(1).split(".")[0] in ("nki", "neuronxcc", "nkilib_src", "nkilib")
        rows.append({"case": error["nodeid"], "status": "COMPILE-ERROR" if ours else "HARNESS-ERROR",
                     "detail": f"(import) {error['error']}"})
        print(f"{short(error['nodeid'])}  {describe(rows[-1])}", flush=True)
    width = min(100, max((len(short(c)) for c in cases), default=0))
    for nodeid in cases:
        results, seconds, output = run_pytest(repo, args, [nodeid], args.timeout)
        if results is None:
            result = {"status": "TIMEOUT", "detail": f"> {args.timeout:g} s"}
        else:
            result = results.get("cases", {}).get(nodeid)
            if result is None:
                lines = [line for line in output.splitlines() if line.strip()]
                result = {"status": "HARNESS-ERROR", "detail": "no result: " + (lines[-1] if lines else "no output")}
        result = {"case": nodeid, **result, "seconds": round(seconds, 1)}
        rows.append(result)
        print(f"{short(nodeid):<{width}}  {seconds:6.1f}s  {describe(result)}", flush=True)
        save(args.json, repo, args, rows)  # after each case: a long run can be read while it goes
    save(args.json, repo, args, rows)

    counts = collections.Counter(row["status"] for row in rows)
    print("\nsummary: " + ", ".join(f"{counts[c]} {c}" for c in CATEGORIES if counts[c]) + f" ({len(rows)} cases)")
    lnc1 = collections.Counter(row["lnc1"]["status"] for row in rows if "lnc1" in row)
    if lnc1:
        print("UNSUPPORTED lnc2 cases rerun as kernel[1]: " + ", ".join(f"{n} {s}" for s, n in lnc1.most_common()))


if __name__ == "__main__":
    main()
