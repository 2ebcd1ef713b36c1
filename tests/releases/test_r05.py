"""The APIs NKI 0.5.0 added (nki-spec.md §11.2): nl.float8_e8m0fnu (also as the MX scale dtype), the
NkiTensor view methods, .ap(offset=None) inheriting the view's offset, collectives' name=,
tile_size.psum_num_banks and nisa.get_nc_sub_version(). Our own kernels vs NumPy under 0.5.0 and the
default, and the error under 0.4.0. Tolerance: exact everywhere (views move data bit for bit; e8m0
conversion is compared with ml_dtypes' own cast; quantize_mx scale bytes are the same bytes whether the
scale tile is uint8 or float8_e8m0fnu)."""
import os
import sys

import ml_dtypes
import numpy as np
import pytest

import nki
import nkic

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "kernels"))
import r05_kernels as k  # noqa: E402
from release_util import error_line, needs_release_selection, release, run  # noqa: E402

KFILE = os.path.join(HERE, "kernels", "r05_kernels.py")
RELEASES = [None, "0.5", "0.6"]
rng = np.random.default_rng(5)


def randn(*shape):
    return rng.standard_normal(shape, dtype=np.float32)


@pytest.mark.parametrize("ver", RELEASES)
def test_float8_e8m0fnu_roundtrip(ver):
    x = (np.exp2(rng.uniform(-20, 20, (8, 16))) * rng.choice([1, 1.5, 1.2], (8, 16))).astype(np.float32)
    x[0, :4] = [0, -1, np.inf, 3.0]
    back, raw = run(k.e8m0_roundtrip, x, ver=ver)
    ref = x.astype(ml_dtypes.float8_e8m0fnu)
    np.testing.assert_array_equal(raw.view(np.uint8), ref.view(np.uint8))
    np.testing.assert_array_equal(back, ref.astype(np.float32))


def test_float8_e8m0fnu_as_mx_scale(monkeypatch):
    monkeypatch.setenv("NEURON_PLATFORM_TARGET_OVERRIDE", "trn3")
    x = randn(32, 16).astype(ml_dtypes.bfloat16)
    q8, s8 = run(k.quantize_mx_scales, x, "uint8")
    qe, se = run(k.quantize_mx_scales, x, "float8_e8m0fnu")
    np.testing.assert_array_equal(q8, qe)
    np.testing.assert_array_equal(s8, se)


@pytest.mark.parametrize("ver", RELEASES)
def test_views_hbm(ver):
    x = randn(4, 6, 8)
    outs = run(k.views_hbm, x, ver=ver)
    refs = [x[:, 1:5:2], x[2], x.transpose(2, 0, 1), x.reshape(4, 6, 2, 4), x.reshape(4, 48),
            x.reshape(4, 6, 2, 4).transpose(3, 0, 1, 2), x[:, 3]]
    assert len(outs) == len(refs)
    for o, r in zip(outs, refs):
        np.testing.assert_array_equal(o, r)


@pytest.mark.parametrize("ver", RELEASES)
def test_views_sbuf(ver):
    x = randn(16, 12)
    a, b, c, d = run(k.views_sbuf, x, ver=ver)
    np.testing.assert_array_equal(a, x[:, 2:10:2])
    np.testing.assert_array_equal(b, np.repeat(x[:, :1], 5, axis=1))
    np.testing.assert_array_equal(c, x.reshape(16, 3, 4))
    np.testing.assert_array_equal(d, x[5:6])


@pytest.mark.parametrize("ver", RELEASES)
def test_ap_offset_none_inherits(ver):
    x = randn(8, 16)
    o1, o2 = run(k.ap_offset_inherits, x, ver=ver)
    np.testing.assert_array_equal(o1, x[2:4])
    np.testing.assert_array_equal(o2, x.reshape(-1)[35:35 + 32].reshape(2, 16)[:, :8])


@pytest.mark.parametrize("ver", RELEASES)
def test_sub_version_and_psum_banks(ver):
    x = randn(4, 4)
    np.testing.assert_array_equal(run(k.versions, x, ver=ver), x)


@pytest.mark.parametrize("ver", RELEASES)
def test_collective_name(ver):
    xs = [randn(4, 8) for _ in range(2)]
    with release(ver):
        outs = nkic.simulate_ranks(nki.jit(k.all_reduce_named), ranks=2)([(x,) for x in xs])
    for o in outs:
        np.testing.assert_array_equal(o, xs[0] + xs[1])


def test_view_method_errors():
    def bad_perm(x):
        t = k._load(x)
        return k._store(t.permute((1, 0)))
    with pytest.raises(nki.NkiCompileError, match="keeps its partition dim first"):
        run(bad_perm, randn(4, 4))

    def bad_flatten(x):
        o = k.nl.ndarray((4, 4), dtype=x.dtype, buffer=k.nl.shared_hbm)
        k.nisa.dma_copy(dst=o, src=x.slice(1, 0, 4, 2).flatten_dims(0, 1))
        return o
    with pytest.raises(nki.NkiCompileError, match="not contiguous"):
        run(bad_flatten, randn(2, 8))


# ---- under NKI 0.4.0: each name is an error at its line ----
@pytest.mark.parametrize("kernel, args, marker, message", [
    (k.e8m0_roundtrip, lambda: (randn(4, 4),), "e8m0", "'nki.language.float8_e8m0fnu' is not in NKI 0.4.0"),
    (k.views_hbm, lambda: (randn(4, 6, 8),), "slice", "'NkiTensor.slice' is not in NKI 0.4.0: it was added in NKI 0.5.0"),
    (k.versions, lambda: (randn(4, 4),), "sub_version", "'nki.isa.get_nc_sub_version' is not in NKI 0.4.0"),
])
def test_error_under_0_4(kernel, args, marker, message):
    needs_release_selection(k.versions, (randn(4, 4),), "0.4")
    with pytest.raises(nki.NkiCompileError) as e:
        run(kernel, *args(), ver="0.4")
    text = str(e.value)
    assert message in text
    assert f'r05_kernels.py", line {error_line(KFILE, marker)},' in text, text


def test_collective_name_error_under_0_4():
    with release("0.4"), pytest.raises(nki.NkiCompileError) as e:
        nkic.simulate_ranks(nki.jit(k.all_reduce_named), ranks=2)([(randn(4, 8),), (randn(4, 8),)])
    assert "parameter 'name' is not in NKI 0.4.0: it was added in NKI 0.5.0" in str(e.value)
    assert f'r05_kernels.py", line {error_line(KFILE, "coll_name")},' in str(e.value)
