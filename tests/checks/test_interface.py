"""The checkers' interface: nkic.check, CheckError/Finding, checks= selection, NKIC_CHECKS, nki.simulate's
defaults and the CLI. Outputs vs NumPy exactly (copies)."""
import os
import subprocess
import warnings

import numpy as np
import pytest

import nki
import nkic
from check_kernels import fully_loaded, half_loaded
from checks_util import ROOT, HERE

rng = np.random.default_rng(2)
A = rng.standard_normal((128, 128), dtype=np.float32)


def test_check_returns_outputs():
    np.testing.assert_array_equal(nkic.check(fully_loaded, A), A)
    np.testing.assert_array_equal(nkic.check(fully_loaded, A, checks="uninit-read, nonfinite"), A)
    np.testing.assert_array_equal(nkic.check(fully_loaded, A, checks=[]), A)


def test_check_error_and_finding():
    with pytest.raises(nkic.CheckError) as e:
        nkic.check(half_loaded, A)
    err = e.value
    assert isinstance(err, nkic.NkiError)
    (f,) = err.findings
    assert isinstance(f, nkic.Finding)
    assert (f.other.lineno, f.other.message) == (f.lineno - 3, "'t' is allocated here")  # the related location
    assert (err.filename, err.lineno, err.col) == (f.filename, f.lineno, f.col)
    assert str(f) in str(err) and "error: dma_copy: its 'src' operand reads sbuf tile 't'" in str(f)


def test_selection():
    assert set(nkic.CHECKS) == {"affine-dependence", "psum-group", "lnc-race", "uninit-read", "shuffle", "nonfinite"}
    with pytest.raises(ValueError, match="unknown check 'uninit'.*uninit-read"):
        nkic.check(fully_loaded, A, checks="uninit")
    with pytest.raises(ValueError, match="unknown check"):
        nkic.check(fully_loaded, A, checks=["all-of-them"])
    with pytest.raises(ValueError):
        nkic.check(fully_loaded, A, checks=3)
    # a selection without uninit-read does not see the bug
    out = nkic.check(half_loaded, A, checks="nonfinite,shuffle")
    assert np.isnan(out[:, 64:]).all()


def test_simulate_warns_by_default():
    with pytest.warns(nkic.CheckWarning) as rec:
        nki.simulate(half_loaded)(A)
    assert any("never written" in str(r.message) for r in rec)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(nki.simulate(fully_loaded)(A), A)


def test_env_selects_and_raises(monkeypatch):
    monkeypatch.setenv("NKIC_CHECKS", "all")
    with pytest.raises(nkic.CheckError):
        nki.simulate(half_loaded)(A)
    monkeypatch.setenv("NKIC_CHECKS", "none")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nki.simulate(half_loaded)(A)
    monkeypatch.setenv("NKIC_CHECKS", "bogus")
    with pytest.raises(ValueError, match="unknown check 'bogus'"):
        nki.simulate(fully_loaded)(A)


def cli(exe, *args):
    env = {k: v for k, v in os.environ.items() if k != "NKIC_CHECKS"}
    return subprocess.run([exe, *args], capture_output=True, text=True, env=env, cwd=ROOT)


def test_cli(nkic_path):
    kernels = os.path.relpath(os.path.join(HERE, "check_kernels.py"), ROOT)
    r = cli(nkic_path, "run", kernels + ":half_loaded", "--arg", "a=128x128:float32", "--checks=all")
    assert r.returncode == 1, r.stderr
    assert "never written" in r.stderr and "check_kernels.py" in r.stderr and "1 check finding" in r.stderr
    r = cli(nkic_path, "run", kernels + ":fully_loaded", "--arg", "a=128x128:float32", "--checks=uninit-read,nonfinite")
    assert r.returncode == 0 and "no findings" in r.stdout, r.stderr
    r = cli(nkic_path, "run", kernels + ":half_loaded", "--arg", "a=128x128:float32")  # default: a warning
    assert r.returncode == 0 and "warning: dma_copy" in r.stderr
    r = cli(nkic_path, "check", kernels + ":half_loaded", "--arg", "a=128x128:float32", "--checks=all")
    assert r.returncode == 0, r.stderr  # compile only: the dynamic checks do not run
    r = cli(nkic_path, "run", kernels + ":half_loaded", "--arg", "a=128x128:float32", "--checks=nope")
    assert r.returncode == 2 and "unknown check 'nope'" in r.stderr
