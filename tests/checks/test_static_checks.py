"""The static checks (affine-dependence, psum-group, lnc-race) through nkic.check: each buggy kernel runs
silently in a plain run (outputs compared with NumPy: exact for copies and adds of two terms, matmuls at
rtol 1e-4 against float64 with fp32 inputs), its check names the right lines, and its twin is silent."""
import inspect
import warnings

import numpy as np
import pytest

import nkic
import static_kernels as sk
from checks_util import golden

rng = np.random.default_rng(1)


def line_of(kernel, text):
    src, first = inspect.getsourcelines(kernel.func)
    return first + next(i for i, s in enumerate(src) if text in s)


def randn(*shape):
    return rng.standard_normal(shape, dtype=np.float32)


def prefix_ref(a):
    out = a.copy()
    for i in range(1, 4):
        out[:, i * 64:(i + 1) * 64] += out[:, (i - 1) * 64:i * 64]
    return out


def findings(kernel, args, check):
    with pytest.raises(nkic.CheckError) as e:
        nkic.check(kernel, *args, checks=check)
    return e.value.findings


def test_plain_runs_are_silent(monkeypatch):
    monkeypatch.setenv("NKIC_CHECKS", "none")
    a = randn(128, 256)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(sk.affine_prefix_sum(a), prefix_ref(a))  # in order: right by luck
        np.testing.assert_array_equal(sk.affine_shared_tile(a), a)
        lhsT, rhs = randn(256, 128), randn(256, 512)
        ref0 = lhsT[:128].astype(np.float64).T @ rhs[:128]
        np.testing.assert_allclose(sk.psum_read_mid_group(lhsT, rhs), ref0, rtol=1e-4, atol=1e-4)
        sk.psum_interleaved_groups(lhsT, rhs)
        sk.psum_stale_group(randn(128, 128), randn(128, 1024))
        x = randn(128, 64)
        np.testing.assert_array_equal(sk.lnc_exchange_unsynchronized[2](x), np.concatenate([x[64:], x[:64]]))


def test_affine_dependence():
    (f,) = findings(sk.affine_prefix_sum, [randn(128, 256)], "affine-dependence")
    assert f.check == "affine-dependence" and f.severity == "error"
    assert f.lineno == line_of(sk.affine_prefix_sum, "nisa.tensor_tensor(")
    assert f.other.lineno == f.lineno
    assert "iteration 1 of the affine_range loop" in f.message and "sequential_range" in f.hint
    golden("affine_prefix_sum", str(f))
    fs = findings(sk.affine_shared_tile, [randn(128, 256)], "affine-dependence")
    assert len(fs) == 3 and all("'t'" in f.message for f in fs)


def test_psum_group():
    lhsT, rhs = randn(256, 128), randn(256, 512)
    (f,) = findings(sk.psum_read_mid_group, [lhsT, rhs], "psum-group")
    assert f.check == "psum-group"
    assert f.lineno == line_of(sk.psum_read_mid_group, "nisa.tensor_copy(dst=partial")
    assert f.other.lineno == f.lineno + 1
    golden("psum_read_mid_group", str(f))
    (f,) = findings(sk.psum_interleaved_groups, [lhsT, rhs], "psum-group")
    assert "interleaved groups" in f.message
    golden("psum_interleaved_groups", str(f))
    (f,) = findings(sk.psum_stale_group, [randn(128, 128), randn(128, 1024)], "psum-group")
    assert f.lineno == line_of(sk.psum_stale_group, "nisa.nc_matmul(")
    assert f.other.lineno == line_of(sk.psum_stale_group, "nisa.tensor_copy(")
    golden("psum_stale_group", str(f))


def test_lnc_race():
    fs = findings(sk.lnc_exchange_unsynchronized[2], [randn(128, 64)], "lnc-race")
    assert len(fs) == 2 and all(f.check == "lnc-race" for f in fs)
    store = line_of(sk.lnc_exchange_unsynchronized, "nisa.dma_copy(dst=scratch")
    load = line_of(sk.lnc_exchange_unsynchronized, "nisa.dma_copy(dst=u")
    assert {(f.lineno, f.other.lineno) for f in fs} == {(load, store), (store, load)}
    assert "core_barrier" in fs[0].hint
    golden("lnc_exchange_unsynchronized", str(fs[0]))


def test_twins_are_silent():
    a = randn(128, 256)
    checks = "affine-dependence,psum-group,lnc-race"
    np.testing.assert_array_equal(nkic.check(sk.sequential_prefix_sum, a, checks=checks), prefix_ref(a))
    np.testing.assert_array_equal(nkic.check(sk.affine_own_tiles, a, checks=checks), a)
    np.testing.assert_allclose(nkic.check(sk.affine_running_sum, a, checks=checks),
                               a.reshape(128, 4, 64).sum(axis=1), rtol=1e-6, atol=1e-6)
    lhsT, rhs = randn(512, 128), randn(512, 512)
    np.testing.assert_allclose(nkic.check(sk.affine_matmul_accumulation, lhsT, rhs, checks=checks),
                               lhsT.astype(np.float64).T @ rhs, rtol=1e-4, atol=1e-3)
    lhsT, rhs = randn(256, 128), randn(256, 512)
    ref = lhsT.astype(np.float64).T @ rhs
    np.testing.assert_allclose(nkic.check(sk.psum_read_after_group, lhsT, rhs, checks=checks), ref, rtol=1e-4,
                               atol=1e-3)
    np.testing.assert_allclose(nkic.check(sk.psum_groups_one_after_another, lhsT, rhs, checks=checks), ref,
                               rtol=1e-4, atol=1e-3)
    lhsT, rhs = randn(128, 128), randn(128, 1024)
    np.testing.assert_allclose(nkic.check(sk.psum_group_per_block, lhsT, rhs, checks=checks),
                               lhsT.astype(np.float64).T @ rhs, rtol=1e-4, atol=1e-3)
    x = randn(128, 64)
    np.testing.assert_array_equal(nkic.check(sk.lnc_exchange_with_barrier[2], x, checks=checks),
                                  np.concatenate([x[64:], x[:64]]))
