"""The shuffle check through nkic.check: buggy affine_range kernels (silent in order) are found with a golden
message naming the loop; their twins and a matmul accumulation over affine k-tiles stay silent.
Regenerate the golden files with NKIC_REGEN_GOLDEN=1."""
import os

import numpy as np
import pytest

import nkic
from shuffle_kernels import doubling_affine, doubling_sequential, matmul_ktiles, prefix_in_place

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GOLDEN = os.path.join(os.path.dirname(__file__), "golden")


def golden(name, text):
    text = text.replace(ROOT + os.sep, "")  # paths relative to the repository
    path = os.path.join(GOLDEN, name + ".txt")
    if os.environ.get("NKIC_REGEN_GOLDEN"):
        with open(path, "w") as f:
            f.write(text)
    with open(path) as f:
        assert text == f.read()


def shuffle_findings(kernel, *args, seed=0):
    with pytest.raises(nkic.CheckError) as e:
        nkic.check(kernel, *args, checks="shuffle", seed=seed)
    return e.value.findings


@pytest.mark.filterwarnings("ignore::nkic.CheckWarning")  # the static affine-dependence check warns
def test_carried_dependence_found():
    a = np.random.default_rng(1).standard_normal((128, 64), dtype=np.float32)
    out = doubling_affine(a)  # in order: right, and silent
    np.testing.assert_array_equal(out, a[None] * (2.0 ** np.arange(1, 9, dtype=np.float32))[:, None, None])
    findings = shuffle_findings(doubling_affine, a)
    assert [(f.check, f.lineno) for f in findings] == [("shuffle", 14)]
    assert "sequential_range" in findings[0].hint
    golden("shuffle_doubling", "\n".join(str(f) for f in findings))


def test_sequential_twin_silent():
    a = np.random.default_rng(1).standard_normal((128, 64), dtype=np.float32)
    out = nkic.check(doubling_sequential, a, checks="shuffle")
    np.testing.assert_array_equal(out, a[None] * (2.0 ** np.arange(1, 9, dtype=np.float32))[:, None, None])


def test_same_seed_same_finding():
    a = np.random.default_rng(2).standard_normal((128, 64), dtype=np.float32)
    first = [str(f) for f in shuffle_findings(doubling_affine, a, seed=7)]
    again = [str(f) for f in shuffle_findings(doubling_affine, a, seed=7)]
    assert first == again and "(seed 7)" in first[0]


@pytest.mark.filterwarnings("ignore::nkic.CheckWarning")
def test_in_place_running_sum_found():
    a = np.random.default_rng(3).standard_normal((16, 32), dtype=np.float32)
    expect = np.cumsum(a, axis=0, dtype=np.float32)
    got = prefix_in_place(a.copy())  # in order: the running sum, rounded as fp32 in row order
    np.testing.assert_allclose(got, expect, rtol=1e-5, atol=1e-5)
    findings = shuffle_findings(prefix_in_place, a.copy())
    assert [(f.check, f.lineno) for f in findings] == [("shuffle", 54)]
    assert "updated in place" in findings[0].message
    golden("shuffle_prefix_in_place", "\n".join(str(f) for f in findings))


def test_matmul_accumulation_silent():
    rng = np.random.default_rng(4)
    lhsT = rng.standard_normal((1024, 128), dtype=np.float32)
    rhs = rng.standard_normal((1024, 256), dtype=np.float32)
    for seed in range(3):
        out = nkic.check(matmul_ktiles, lhsT, rhs, checks="shuffle", seed=seed)
        ref = lhsT.astype(np.float64).T @ rhs.astype(np.float64)
        mag = np.abs(lhsT.astype(np.float64)).T @ np.abs(rhs.astype(np.float64))
        assert np.all(np.abs(out - ref) <= 1e-5 * mag)  # fp32 accumulation of 1024 terms
