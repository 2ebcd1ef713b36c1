"""The command line's front doors (issue #16): `--frontend trace` (or NKI 0.7 selected) runs the kernel in
Python through `python3 -m nkic.cli`; `--frontend custom` is the C++ specializer."""
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
KFILE = os.path.join(HERE, "kernels", "cli_traced.py")


def nkic(nkic_path, *args, env=None):
    e = dict(os.environ)
    e.pop("NKIC_CHECKS", None)
    e.pop("NKI_COMPILER_FRONTEND", None)
    e.pop("NKIC_NKI_RELEASE", None)
    e["NKIC_PYTHON"] = sys.executable  # the interpreter this test runs in, with this nki package
    e.update(env or {})
    return subprocess.run([nkic_path, *args], capture_output=True, text=True, env=e)


def test_run_traced_kernel(nkic_path, tmp_path):
    x = np.arange(256 * 64, dtype=np.float32).reshape(256, 64)
    np.save(tmp_path / "x.npy", x)
    r = nkic(nkic_path, "run", f"{KFILE}:double_rows", "--arg", f"a=256x64:float32={tmp_path / 'x.npy'}",
             "--frontend", "trace", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert "estimated latency" in r.stdout
    np.testing.assert_array_equal(np.load(tmp_path / "out.npy"), 2 * x)  # exact: doubling


def test_release_07_selects_tracing(nkic_path):
    for how in (["--nki", "0.7"], ["--frontend=trace"]):
        r = nkic(nkic_path, "ir", f"{KFILE}:double_rows", "--arg", "a=256x64:float32", *how)
        assert r.returncode == 0, r.stderr
        assert "tensor %2 tiles: float32[128,64]" in r.stdout
    r = nkic(nkic_path, "ir", f"{KFILE}:double_rows", "--arg", "a=256x64:float32",
             env={"NKI_COMPILER_FRONTEND": "trace"})
    assert r.returncode == 0, r.stderr


def test_custom_front_door_rejects_the_comprehension(nkic_path):
    r = nkic(nkic_path, "check", f"{KFILE}:double_rows", "--arg", "a=256x64:float32", "--frontend", "custom")
    assert r.returncode == 1
    assert "list comprehensions are not supported" in r.stderr
    r = nkic(nkic_path, "check", f"{KFILE}:double_rows", "--arg", "a=256x64:float32", "--nki", "0.7",
             "--frontend", "custom")
    assert r.returncode == 1


def test_traced_error_at_its_line(nkic_path):
    r = nkic(nkic_path, "check", f"{KFILE}:bad_shape", "--arg", "a=128x16:float32", "--frontend", "trace")
    assert r.returncode == 1
    line = next(i for i, t in enumerate(open(KFILE), 1) if "ERROR-LINE" in t)
    assert f'cli_traced.py", line {line}' in r.stderr, r.stderr
    assert "error:" in r.stderr and "Traceback" not in r.stderr


def test_bad_frontend_value(nkic_path):
    r = nkic(nkic_path, "check", f"{KFILE}:double_rows", "--arg", "a=256x64:float32", "--frontend", "pyhton")
    assert r.returncode == 2
    assert "--frontend takes custom or trace" in r.stderr


def test_missing_python_is_a_clear_error(nkic_path):
    r = nkic(nkic_path, "run", f"{KFILE}:double_rows", "--arg", "a=256x64:float32", "--frontend", "trace",
             env={"NKIC_PYTHON": "/nonexistent/python3"})
    assert r.returncode == 2
    assert "runs the kernel in Python" in r.stderr and "--frontend custom" in r.stderr
