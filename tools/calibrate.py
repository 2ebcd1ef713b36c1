#!/usr/bin/env python3
"""Runs every calibration point (tests/timing/calibration_points.py: AWS's published latencies, our own
versions of the measured kernels) under the timing model at the published shape and prints a table:
kernel, shape, target, published, estimate, error %.

  NKIC_CORE_DIR=build/NAME .venv/bin/python tools/calibrate.py [--filter TEXT] [--markdown] [--beta1]

--beta1: the points measured with our Beta 1 (neuronxcc.nki) kernels through nki.benchmark, each beside
its 0.3.0 twin."""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "timing"))
import calibration_points as cp  # noqa: E402


def fmt_us(us):
    return f"{us / 1000:.3f} ms" if us >= 1000 else f"{us:.3f} us"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--filter", default="", help="only points whose name contains TEXT")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    ap.add_argument("--beta1", action="store_true",
                    help="only the Beta 1 points, each beside its 0.3.0 twin (published, 0.3.0, Beta 1, errors)")
    args = ap.parse_args()
    if args.beta1:
        return beta1_table(args)
    rows = []
    for p in cp.ALL:
        if args.filter.lower() not in p.name.lower():
            continue
        t = time.time()
        est = p.run()
        err = "n/a" if est is None else f"{cp.error_pct(est, p.published_us):+.1f}%"
        rows.append((p.name, p.shape, p.target, fmt_us(p.published_us),
                     "does not fit SBUF" if est is None else fmt_us(est), err, p.kind, f"{time.time() - t:.1f}s"))
        if not args.markdown:
            print("  ".join(rows[-1]), flush=True)
    if args.markdown:
        head = ("data point", "shape", "target", "published", "estimate", "error", "kind", "run time")
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for r in rows:
            print("| " + " | ".join(r) + " |")


def beta1_table(args):
    """The published points measured with our Beta 1 kernels (nki.benchmark) beside their 0.3.0 twins."""
    def est(p):
        e = p.run()
        return ("does not fit SBUF", "n/a") if e is None else (fmt_us(e), f"{cp.error_pct(e, p.published_us):+.1f}%")
    head = ("data point", "published", "0.3.0 estimate", "error", "Beta 1 estimate", "error", "kind")
    if args.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
    for b in cp.BETA1:
        if args.filter.lower() not in b.name.lower():
            continue
        row = (b.name[len("beta1 "):], fmt_us(b.published_us)) + est(cp.BETA1_TWIN[b.name]) + est(b) + (b.kind,)
        print(("| " + " | ".join(row) + " |") if args.markdown else "  ".join(row), flush=True)


if __name__ == "__main__":
    main()
