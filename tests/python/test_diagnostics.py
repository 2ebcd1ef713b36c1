"""Golden diagnostics: each tests/diagnostics/<name>.py is compiled with `nkic check` (arguments from its
first line, `# nkic: [kernel=NAME] [cmd=run] --arg ...`; `cmd=run` simulates too, for run-time errors); stderr must equal <name>.expected exactly. Regenerate after an
intended change with `./dev golden`."""
import glob
import os
import shlex
import subprocess

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DIAG = os.path.join(ROOT, "tests", "diagnostics")
CASES = sorted(glob.glob(os.path.join(DIAG, "*.py")))


def run_case(nkic_path, path):
    with open(path) as f:
        first = f.readline()
    args = shlex.split(first.split("nkic:", 1)[1]) if "nkic:" in first else []
    rel = os.path.relpath(path, ROOT)  # paths in the expected text are relative to the repo root
    target, cmd = rel, "check"
    for a in list(args):  # `kernel=NAME` picks the kernel in files with several functions
        if a.startswith("kernel="):
            target = f"{rel}:{a.split('=', 1)[1]}"
            args.remove(a)
        elif a.startswith("cmd="):
            cmd = a.split("=", 1)[1]
            args.remove(a)
    extra = ["--quiet"] if cmd == "run" else []
    r = subprocess.run([nkic_path, cmd, target, *extra, *args], capture_output=True, text=True, cwd=ROOT)
    return r.returncode, r.stderr


@pytest.mark.parametrize("path", CASES, ids=[os.path.basename(c)[:-3] for c in CASES])
def test_golden(path, nkic_path):
    code, text = run_case(nkic_path, path)
    expected_path = path[:-3] + ".expected"
    if os.environ.get("NKIC_REGEN_GOLDEN"):
        with open(expected_path, "w") as f:
            f.write(text)
    assert code == 1, f"expected a compile error, got exit {code}:\n{text}"
    with open(expected_path) as f:
        assert text == f.read()
