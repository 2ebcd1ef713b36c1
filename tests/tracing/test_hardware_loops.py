"""nl.dynamic_range under the tracing front door: one hardware loop whose body Python traces once."""
import os
import sys

import numpy as np
import pytest

import nki

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "kernels"))
import hardware_loops as hl  # noqa: E402


@pytest.fixture(autouse=True)
def tracing(monkeypatch):
    monkeypatch.setenv("NKI_COMPILER_FRONTEND", "trace")
    monkeypatch.setenv("NKIC_NKI_RELEASE", "0.6")


@pytest.mark.parametrize("n", [0, 1, 5])
def test_dynamic_range_runs_n_times(n):
    a = np.arange(128 * 8, dtype=np.float32).reshape(128, 8)
    np.testing.assert_array_equal(hl.repeat_double(a, n), a * 2.0 ** n)  # exact: doublings
    ir = hl.repeat_double.compile(a, n).ir()
    assert ir.count("tensor_tensor") == 1 and "loop" in ir  # the body once, in a hardware loop


def test_break_leaves_the_loop_open():
    a = np.ones((128, 8), np.float32)
    with pytest.raises(nki.NkiCompileError, match="'break' or 'return' cannot leave a dynamic_range loop") as e:
        hl.break_out(a)
    line = next(i for i, t in enumerate(open(hl.__file__), 1) if "ERROR-LINE" in t)
    assert e.value.lineno == line


def test_removed_in_07(monkeypatch):
    monkeypatch.setenv("NKIC_NKI_RELEASE", "0.7")
    with pytest.raises(nki.NkiCompileError, match="dynamic_range' is not in NKI 0.7.0"):
        hl.repeat_double(np.ones((128, 8), np.float32), 2)


def test_dynamic_range_in_no_reorder_is_an_error_at_the_loop():
    with pytest.raises(nki.NkiCompileError, match="Dynamic control-flow cannot be nested with a no_reorder block") as e:
        hl.loop_in_no_reorder(np.ones((128, 8), np.float32))
    line = next(i for i, t in enumerate(open(hl.__file__), 1) if "ERROR-LINE no_reorder" in t)
    assert e.value.lineno == line


def test_arrays_in_a_list_argument_are_an_error():
    a = np.ones((128, 8), np.float32)
    with pytest.raises(TypeError, match="argument 'pair': a list of arrays; pass a tuple"):
        hl.sum_of_pair([a, a])
    np.testing.assert_array_equal(hl.sum_of_pair((a, 2 * a)), 3 * a)  # a tuple works: exact


def test_arrays_inside_an_object_argument_are_inputs():
    a = np.arange(128 * 8, dtype=np.float32).reshape(128, 8)
    h = hl.Holder(a, 4.0)
    np.testing.assert_array_equal(hl.scaled_from_object(h), a * 4)  # exact: times a power of two
    assert h.a is a  # the caller's object is left as it was
