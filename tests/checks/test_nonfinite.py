"""nonfinite: the first instruction producing NaN/Inf from finite inputs. Outputs vs NumPy: exp in fp32,
rtol 1e-6 (the simulator's exp vs NumPy's)."""
import numpy as np
import pytest

import nkic
from check_kernels import exp_shifted, exp_unshifted, masked_max
from checks_util import golden
from test_uninit import line_of

rng = np.random.default_rng(1)


def logits():
    x = rng.standard_normal((128, 64), dtype=np.float32)
    x[3, 5] = 100.0  # exp(100) overflows fp32
    return x


def test_plain_run_is_silent(monkeypatch):
    monkeypatch.setenv("NKIC_CHECKS", "none")
    out = exp_unshifted(logits())
    assert np.isinf(out[3, 5])


def test_first_nonfinite():
    with pytest.raises(nkic.CheckError) as e:
        nkic.check(exp_unshifted, logits(), checks="nonfinite")
    (f,) = e.value.findings
    assert f.check == "nonfinite"
    assert f.lineno == line_of(exp_unshifted, "nisa.activation")
    assert "+Inf written to 'e' (partition 3, element 5" in f.message
    golden("nonfinite_exp", str(f))


def test_twins_are_silent():
    x = logits()
    ref = np.exp(x.astype(np.float64) - x.max(axis=1, keepdims=True))
    np.testing.assert_allclose(nkic.check(exp_shifted, x, checks="all"), ref, rtol=1e-6, atol=1e-30)  # subnormals
    ref = x[:, :32].max(axis=1, keepdims=True)
    np.testing.assert_array_equal(nkic.check(masked_max, x, checks="all"), ref)
