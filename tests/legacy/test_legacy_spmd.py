"""Beta 1 SPMD grids (legacy-spec.md §1): kernel[d0, d1, ...] runs every program in turn on one core,
each with its nl.program_id(axis); HBM tensors the kernel declares are shared by all programs (matched
in declaration order); kernel[nl.nc(2)] runs on the two cores of an LNC2 logical core."""
import os
import sys

import numpy as np
import pytest

import neuronxcc.nki.language as nl
from nki import NkiError

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernels"))
import spmd_kernels as sk  # noqa: E402


def test_two_dimensional_grid_runs_every_program():
    a = np.random.default_rng(0).standard_normal((256, 1024), dtype=np.float32)
    b = np.random.default_rng(1).standard_normal((256, 1024), dtype=np.float32)
    np.testing.assert_array_equal(sk.add_grid[2, 2](a, b), a + b)  # exact: one fp32 add per element


def test_program_ids_and_counts():
    out = sk.grid_facts[3, 2](np.zeros((6, 4), np.float32))
    expected = np.array([[2, 6, 2, r] for r in range(6)], np.float32)
    np.testing.assert_array_equal(out, expected)


def test_serial_grid_and_lnc_grid_agree():
    a = np.random.default_rng(2).standard_normal((256, 64), dtype=np.float32)
    b = np.random.default_rng(3).standard_normal((256, 64), dtype=np.float32)
    np.testing.assert_array_equal(sk.add_rows[2](a, b), a + b)  # two programs, one after the other
    np.testing.assert_array_equal(sk.add_rows[nl.nc(2)](a, b), a + b)  # the two cores of an LNC2 core


def test_program_id_axis_out_of_range():
    a = np.ones((128, 512), np.float32)
    with pytest.raises(NkiError, match="axis must be an int from 0 to 0"):
        sk.add_grid[1](a, a)


def test_programs_must_declare_the_same_hbm_tensors():
    a = np.ones((128, 64), np.float32)
    with pytest.raises(NkiError, match="declares more HBM tensors than program 0") as e:
        sk.uneven_outputs[2](a)
    assert "spmd_kernels.py" in str(e.value)


def test_bad_grids():
    a = np.ones((128, 64), np.float32)
    with pytest.raises(NkiError, match="positive ints"):
        sk.add_grid[2, 0](a, a)
    with pytest.raises(NkiError, match="only on its own"):
        sk.add_grid[nl.nc(2), 2](a, a)


def test_programs_must_declare_hbm_tensors_alike():
    a = np.ones((128, 64), np.float32)
    with pytest.raises(NkiError, match="with another shape or dtype than program 0's") as e:
        sk.mismatched_outputs[2](a)
    assert "spmd_kernels.py" in str(e.value)


def test_num_programs_of_a_missing_axis():
    a = np.ones((128, 64), np.float32)
    with pytest.raises(NkiError, match="nl.num_programs: no grid axis 5") as e:
        sk.bad_num_programs_axis[2, 2](a)
    assert "spmd_kernels.py" in str(e.value)


def test_compile_rejects_bad_grids():
    """The compiler's own checks (the launchers check first): an SPMD grid with LNC2, a non-positive dim."""
    from nki import _core
    from nki._runtime import JitKernel
    k = JitKernel(sk.add_rows.func)
    path, text, name, lineno = k._source()
    from nki._runtime import _describe
    x = np.ones((128, 64), np.float32)
    desc = [("", _describe(x, "a")), ("", _describe(x, "b"))]
    try:
        _core.compile(path, text, name, desc, "trn2", lineno, grid=2, spmd=[2], legacy=True)
    except Exception as e:  # noqa: BLE001 - the message is what matters
        assert "either on an SPMD grid or on the cores of a logical core" in str(e)
    else:
        raise AssertionError("an SPMD grid with LNC2 compiled")
    try:
        _core.compile(path, text, name, desc, "trn2", lineno, spmd=[2, 0], legacy=True)
    except Exception as e:  # noqa: BLE001
        assert "launch-grid dimensions must be positive, not 0" in str(e)
    else:
        raise AssertionError("a zero grid dimension compiled")
