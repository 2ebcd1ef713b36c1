"""The nkic command line: run with .npy files in and out, ir, check, parse, exit codes and help."""
import json
import os
import subprocess

import ml_dtypes
import numpy as np
import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ADD = os.path.join(ROOT, "examples", "tensor_add.py")
MATMUL = os.path.join(ROOT, "examples", "matmul.py")
TILED = os.path.join(ROOT, "examples", "tiled_add.py")


@pytest.fixture
def nkic(nkic_path):
    def run(*args, cwd=None):
        return subprocess.run([nkic_path, *args], capture_output=True, text=True, cwd=cwd)
    return run


def test_run_with_npy_in_and_out(tmp_path, nkic):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((128, 512), dtype=np.float32)
    b = rng.standard_normal((128, 512), dtype=np.float32)
    np.save(tmp_path / "a.npy", a)
    np.save(tmp_path / "b.npy", b)
    out = tmp_path / "out"
    r = nkic("run", f"{ADD}:tensor_add", "--arg", f"a=128x512:float32={tmp_path / 'a.npy'}",
             "--arg", f"b=128x512:float32={tmp_path / 'b.npy'}", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "instructions" in r.stdout and "compile" in r.stdout and "simulate" in r.stdout
    files = os.listdir(out)
    assert len(files) == 1
    np.testing.assert_array_equal(np.load(out / files[0]), a + b)


def test_run_matmul_random_inputs_json(tmp_path, nkic):
    r = nkic("run", f"{MATMUL}:matmul", "--arg", "lhsT=128x128:float32", "--arg", "rhs=128x512:float32=ones",
             "--json", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    assert summary["instructions"] == 5
    (o,) = summary["outputs"]
    assert o["shape"] == [128, 512] and o["dtype"] == "float32" and o["nan_count"] == 0


def test_run_tiled_default_kernel_name(tmp_path, nkic):
    r = nkic("run", TILED, "--arg", "a=256x1024:float32=ones", "--arg", "b=256x1024:float32=ones",
             "--out", str(tmp_path), "--quiet")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    (f,) = os.listdir(tmp_path)
    np.testing.assert_array_equal(np.load(tmp_path / f), np.full((256, 1024), 2, np.float32))


def test_ir_prints_one_instruction_per_line(nkic):
    r = nkic("ir", f"{ADD}:tensor_add", "--arg", "a=128x512:float32", "--arg", "b=128x512:float32")
    assert r.returncode == 0, r.stderr
    lines = [ln for ln in r.stdout.splitlines() if ln.strip()[:1].isdigit()]
    assert len(lines) == 4
    assert "dma_copy engine=dma" in lines[0] and "tensor_add.py:" in lines[0]
    assert "tensor_tensor engine=vector" in lines[2] and "op=add" in lines[2]
    assert "float32@sbuf:" in lines[2] and "[[512,128],[1,512]]" in lines[2]


def test_check_ok_and_compile_error_exit_1(tmp_path, nkic):
    r = nkic("check", f"{ADD}:tensor_add", "--arg", "a=128x512:float32", "--arg", "b=128x512:float32")
    assert r.returncode == 0 and "ok" in r.stdout
    r = nkic("check", f"{ADD}:tensor_add", "--arg", "a=256x512:float32", "--arg", "b=256x512:float32")
    assert r.returncode == 1
    assert "partition dimension 256 exceeds the maximum of 128" in r.stderr
    assert r.stderr.startswith(f'File "{ADD}", line ')


def test_usage_errors_exit_2(nkic):
    assert nkic().returncode == 2
    assert nkic("frobnicate").returncode == 2
    assert nkic("run").returncode == 2
    assert nkic("run", ADD, "--arg", "a=12y4:float32").returncode == 2
    assert nkic("run", ADD, "--arg", "a=4x4:float64").returncode == 2
    r = nkic("run", ADD, "--bogus")
    assert r.returncode == 2 and "unknown option" in r.stderr


@pytest.mark.parametrize("cmd", ["run", "check", "ir", "parse"])
def test_help(cmd, nkic):
    r = nkic(cmd, "--help")
    assert r.returncode == 0 and "usage: nkic" in r.stdout and "example" in r.stdout


def test_parse_subcommand(tmp_path, nkic):
    assert nkic("parse", ADD).returncode == 0
    bad = tmp_path / "bad.py"
    bad.write_text("def f(:\n    pass\n")
    r = nkic("parse", str(bad))
    assert r.returncode == 1 and "error:" in r.stderr and f'File "{bad}", line 1' in r.stderr


def test_bfloat16_npy_input(tmp_path, nkic):
    a = np.arange(128 * 4, dtype=np.float32).reshape(128, 4)
    np.save(tmp_path / "a.npy", a)
    r = nkic("run", f"{ADD}:tensor_add", "--arg", f"a=128x4:float32={tmp_path / 'a.npy'}",
             "--arg", "b=128x4:float32=zeros", "--out", str(tmp_path / "o"))
    assert r.returncode == 0, r.stderr
    (f,) = os.listdir(tmp_path / "o")
    np.testing.assert_array_equal(np.load(tmp_path / "o" / f), a)
    assert ml_dtypes  # bf16 kernels come with the simulator issue


def test_run_saves_a_returned_input_after_the_run(tmp_path, nkic):
    kernel = os.path.join(ROOT, "tests", "kernels", "test_returned_input.py")
    x = np.full((64, 32), 2.0, np.float32)
    np.save(tmp_path / "x.npy", x)
    out = tmp_path / "out"
    r = nkic("run", f"{kernel}:add_into", "--arg", "acc=64x32:float32=ones",
             "--arg", f"x=64x32:float32={tmp_path / 'x.npy'}", "--out", str(out))
    assert r.returncode == 0, r.stderr
    np.testing.assert_array_equal(np.load(out / "acc.npy"), np.full((64, 32), 3.0, np.float32))
