"""uninit-read: a read of on-chip bytes never written since the tile was allocated. Outputs are compared
with NumPy exactly (copies and fp32 sums of 4 terms in the same order)."""
import warnings

import numpy as np
import pytest

import nkic
from check_kernels import (accumulate_uninit, accumulate_zeroed, fully_loaded, half_loaded, half_loaded_lnc2,
                           loaded_lnc2, tail_rows)
from checks_util import golden

rng = np.random.default_rng(0)


def line_of(kernel, text):
    import inspect
    src, first = inspect.getsourcelines(kernel.func)
    return first + next(i for i, s in enumerate(src) if text in s)


def test_plain_run_is_silent(monkeypatch):
    monkeypatch.setenv("NKIC_CHECKS", "none")
    a = rng.standard_normal((128, 128), dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = half_loaded(a)  # no error, no warning: only NaNs in the half never loaded
    np.testing.assert_array_equal(out[:, :64], a[:, :64])
    assert np.isnan(out[:, 64:]).all()


def test_finding_names_line_tensor_and_range():
    a = rng.standard_normal((128, 128), dtype=np.float32)
    with pytest.raises(nkic.CheckError) as e:
        nkic.check(half_loaded, a, checks="uninit-read")
    (f,) = e.value.findings
    assert f.check == "uninit-read" and f.severity == "error"
    assert f.lineno == line_of(half_loaded, "dma_copy(dst=out, src=t)")
    assert f.filename.endswith("check_kernels.py") and f.col == 5
    assert "sbuf tile 't' partitions 0-127, elements 64-127, never written" in f.message
    golden("uninit_half_loaded", str(f))


def test_reported_once_per_line_and_tensor():
    a = rng.standard_normal((128, 256), dtype=np.float32)
    with pytest.raises(nkic.CheckError) as e:
        nkic.check(accumulate_uninit, a, checks=["uninit-read"])
    (f,) = e.value.findings  # 4 iterations read `acc` unwritten once: one finding
    assert f.lineno == line_of(accumulate_uninit, "data1=acc")
    golden("uninit_accumulate", str(f))


def test_uninit_as_warning_is_configurable():
    a = rng.standard_normal((128, 128), dtype=np.float32)
    with pytest.warns(nkic.CheckWarning, match="never written"):
        out = nkic.check(half_loaded, a, checks="uninit-read", uninit="warning")  # returns instead of raising
    np.testing.assert_array_equal(out[:, :64], a[:, :64])
    with pytest.raises(ValueError, match="uninit= takes"):
        nkic.check(half_loaded, a, checks="uninit-read", uninit="ignore")


def test_default_run_warns_never_raises():
    a = rng.standard_normal((128, 128), dtype=np.float32)
    with pytest.warns(nkic.CheckWarning, match="never written"):
        nkic_out = half_loaded(a)
    assert np.isnan(nkic_out[:, 64:]).all()


def test_twins_are_silent():
    a = rng.standard_normal((128, 256), dtype=np.float32)
    np.testing.assert_array_equal(nkic.check(fully_loaded, a[:, :128]), a[:, :128])
    ref = ((a[:, 0:64] + a[:, 64:128]) + a[:, 128:192]) + a[:, 192:256]
    np.testing.assert_array_equal(nkic.check(accumulate_zeroed, a), ref)


def test_lnc2():
    a = rng.standard_normal((128, 128), dtype=np.float32)
    with pytest.raises(nkic.CheckError) as e:
        nkic.check(half_loaded_lnc2[2], a, checks="uninit-read")
    (f,) = e.value.findings  # core 1's store only
    assert "partitions 0-63, elements 64-127" in f.message
    np.testing.assert_array_equal(nkic.check(loaded_lnc2[2], a), a)


def softmax_ref(a):
    e = np.exp(a)
    return e / e.sum(axis=1, keepdims=True)


def test_garbage_lanes_never_stored_are_silent():
    a = rng.standard_normal((100, 64), dtype=np.float32)
    np.testing.assert_allclose(nkic.check(tail_rows, a, False, checks="all"), softmax_ref(a), rtol=1e-5)


def test_garbage_lanes_stored_are_reported_at_the_first_read():
    a = rng.standard_normal((100, 64), dtype=np.float32)
    with pytest.raises(nkic.CheckError) as e:
        nkic.check(tail_rows, a, True, checks="uninit-read")
    (f,) = e.value.findings
    assert f.lineno == line_of(tail_rows, "nisa.activation(")
    assert "sbuf tile 't' partitions 100-127, elements 0-63, never written" in f.message, f.message
    assert f.other.lineno == line_of(tail_rows, "t = nl.ndarray")
    assert "read from 'r' here" in str(f) and str(line_of(tail_rows, "dma_copy(dst=out")) in str(f)
    golden("uninit_tail_rows", str(f))
