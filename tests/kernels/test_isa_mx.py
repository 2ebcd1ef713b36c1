"""quantize_mx and nc_matmul_mx (NeuronCore-v4 / trn3) vs NumPy models of the OCP MX reference
(aws-neuron mx_cpu_utils: quantize_mx_golden / nc_matmul_mx_golden; quantize_mx's scale is the default
release's, 2x the OCP one since NKI 0.5.0 (tests/releases/test_r05_more.py has both)), with the packing of
docs/semantics.md ("MX"): x4 value q in byte q (fp8) or bits [4q, 4q+4) (fp4); scale row i at partition
(i // 4) * 32 + i % 4. Tolerances: quantize_mx is bit-exact (data and scales); nc_matmul_mx is an fp32
sequential sum of exact products, checked against a float64 einsum with atol = 1e-6 x sum of |terms|;
the quantize -> matmul round trip is within 6 % (relative Frobenius) of the fp32 matmul (fp8 e4m3 steps)."""
import os
import sys

import ml_dtypes
import numpy as np
import pytest

import nki
import nki.isa as nisa
import nki.language as nl

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import isa_extra_kernels as k  # noqa: E402
from tile_io import load_tile, store_tile  # noqa: E402

rng = np.random.default_rng(31)
FP8 = {"float8_e4m3fn_x4": ml_dtypes.float8_e4m3fn, "float8_e5m2_x4": ml_dtypes.float8_e5m2}
FP4 = np.array([0, 0.5, 1, 1.5, 2, 3, 4, 6, -0.0, -0.5, -1, -1.5, -2, -3, -4, -6], np.float64)


@pytest.fixture(autouse=True)
def trn3(monkeypatch):
    monkeypatch.setenv("NEURON_PLATFORM_TARGET_OVERRIDE", "trn3")


def scale_row(i):
    return (i // 4) * 32 + i % 4


def quantize_ref(x, dt, exp_offset=1):
    """exp_offset: 0 = the OCP reference scale (NKI 0.3.0-0.4.0), 1 = NKI 0.5.0+ (2x; the default)."""
    P, F = x.shape
    emax, maxv = (15, 57344.0) if dt == "float8_e5m2_x4" else (8, 448.0)
    e = (x.astype(np.float32).view(np.uint32) >> 23) & 0xFF
    g = e.reshape(P // 8, 8, F // 4, 4).max(axis=(1, 3)).astype(np.int64)
    scale = np.maximum(g - emax + exp_offset, 0)
    div = np.repeat(np.repeat(2.0 ** (scale - 127), 8, 0), 4, 1)
    q = np.clip((x.astype(np.float64) / div).astype(np.float32), -maxv, maxv).astype(FP8[dt])
    packed = np.ascontiguousarray(q.view(np.uint8).reshape(P, F // 4, 4)).view("<u4").reshape(P, F // 4)
    return packed, scale.astype(np.uint8)


@pytest.mark.parametrize("P,F", [(32, 64), (128, 16), (64, 8)])
@pytest.mark.parametrize("dt", ["float8_e4m3fn_x4", "float8_e5m2_x4"])
@pytest.mark.parametrize("src", ["bfloat16", "float16"])
def test_quantize_mx(P, F, dt, src):
    x = (rng.standard_normal((P, F)) * np.exp(rng.uniform(-6, 6, (P, 1)))).astype(getattr(ml_dtypes, src, None)
                                                                                  or np.float16)
    x[0, :4] = 0  # a zero value in a group
    q, s = k.quantize_mx_k(x, out_dtype=dt)
    ref_q, ref_s = quantize_ref(x.astype(np.float32), dt)
    np.testing.assert_array_equal(q, ref_q)
    for i in range(P // 8):
        np.testing.assert_array_equal(s[scale_row(i)], ref_s[i])
    if P > 32:  # rows between the scale rows are untouched (memset 0 by the kernel)
        used = {scale_row(i) for i in range(P // 8)}
        np.testing.assert_array_equal(s[[r for r in range(P) if r not in used]], 0)


def test_quantize_mx_all_zero_and_tiny_groups():
    x = np.zeros((32, 8), np.float32)
    x[8:16, 4:8] = 1e-30  # biased exponent 27 < Emax + ... -> scale clamps at 0 (2^-127)
    q, s = k.quantize_mx_k(x.astype(ml_dtypes.bfloat16))
    ref_q, ref_s = quantize_ref(x.astype(ml_dtypes.bfloat16).astype(np.float32), "float8_e4m3fn_x4")
    np.testing.assert_array_equal(q, ref_q)
    np.testing.assert_array_equal(s[:4], ref_s)


def rand_fp8_x4(K, F, dt):
    v = (rng.standard_normal((K, F, 4)) * 8).astype(np.float32).astype(FP8[dt])
    return np.ascontiguousarray(v.view(np.uint8)).view("<u4").reshape(K, F), v.astype(np.float64)


def rand_fp4_x4(K, F):
    n = rng.integers(0, 16, (K, F, 4))
    packed = (n[..., 0] | n[..., 1] << 4 | n[..., 2] << 8 | n[..., 3] << 12).astype(np.uint16)
    return packed, FP4[n]


def rand_scales(K, F):
    """A hardware-layout scale tile with junk in the unused partitions, and the dense [K/8, F] scales."""
    dense = rng.integers(120, 134, (K // 8, F)).astype(np.uint8)
    tile = rng.integers(0, 256, (K if K > 32 else K // 8, F)).astype(np.uint8)
    for i in range(K // 8):
        tile[scale_row(i)] = dense[i]
    return tile, dense


def matmul_ref(sv, ss, mv, ms):
    s = sv * 2.0 ** (np.repeat(ss.astype(np.float64), 8, 0)[:, :, None] - 127)
    m = mv * 2.0 ** (np.repeat(ms.astype(np.float64), 8, 0)[:, :, None] - 127)
    return np.einsum("kiq,kjq->ij", s, m), np.einsum("kiq,kjq->ij", np.abs(s), np.abs(m))


@pytest.mark.parametrize("K,M,N", [(32, 8, 16), (64, 16, 40), (128, 128, 512)])
@pytest.mark.parametrize("sdt,mdt", [("float8_e4m3fn_x4", "float8_e4m3fn_x4"), ("float8_e5m2_x4", "float4_e2m1fn_x4")])
def test_nc_matmul_mx(K, M, N, sdt, mdt):
    st, sv = rand_fp8_x4(K, M, sdt)
    mv, mvv = rand_fp4_x4(K, N) if mdt == "float4_e2m1fn_x4" else rand_fp8_x4(K, N, mdt)
    ss, ssd = rand_scales(K, M)
    ms, msd = rand_scales(K, N)
    out = k.matmul_mx_k(st, mv, ss, ms, st_dtype=sdt, mv_dtype=mdt)
    ref, mag = matmul_ref(sv, ssd, mvv, msd)
    assert np.all(np.abs(out - ref) <= 1e-6 * mag + 1e-30)


def test_nc_matmul_mx_bf16_dst_and_accumulate():
    st, sv = rand_fp8_x4(64, 16, "float8_e4m3fn_x4")
    mv, mvv = rand_fp8_x4(64, 1024, "float8_e4m3fn_x4")
    ss, ssd = rand_scales(64, 16)
    ms, msd = rand_scales(64, 1024)
    ref, _ = matmul_ref(sv, ssd, mvv, msd)
    out = k.matmul_mx_k(st, mv, ss, ms, out_dtype="bfloat16")
    np.testing.assert_allclose(out, ref, rtol=2 ** -8, atol=1e-6 * np.abs(ref).max())
    out2 = k.matmul_mx_k(st, np.ascontiguousarray(mv[:, :512]), ss, np.ascontiguousarray(ms[:, :512]), twice=True)
    np.testing.assert_allclose(out2, 2 * ref[:, :512], rtol=1e-5, atol=1e-5 * np.abs(ref).max())


def test_quantize_then_matmul_matches_fp32():
    a = rng.standard_normal((128, 64)).astype(ml_dtypes.bfloat16)
    b = rng.standard_normal((128, 128)).astype(ml_dtypes.bfloat16)
    out = k.quantize_then_matmul_k(a, b)
    # Contraction: partition k and value q of x4 column j, i.e. a[k, 4i + q] * b[k, 4j + q].
    af, bf = a.astype(np.float64).reshape(128, 16, 4), b.astype(np.float64).reshape(128, 32, 4)
    ref = np.einsum("kiq,kjq->ij", af, bf)
    assert np.linalg.norm(out - ref) / np.linalg.norm(ref) < 0.06


# ---- Packed scales: two quantize_mx calls write their scales into one tile, the stationary set at quadrant
# offset 0 and the moving set at offset `off` (views sc[0:] and sc[off:]), as AWS's MX tutorial does;
# nc_matmul_mx then reads both sets from that tile. Reference: quantize_ref (bit-exact, checked above),
# dequantize, float64 einsum; tolerance as test_nc_matmul_mx (atol = 1e-6 x sum of |terms|).

@nki.jit
def packed_scales_k(a, b, off=4):
    K, M4 = a.shape
    M, N = M4 // 4, b.shape[1] // 4
    at, bt = load_tile(a), load_tile(b)
    qa = nl.ndarray((K, M), dtype=nl.float8_e4m3fn_x4, buffer=nl.sbuf)
    qb = nl.ndarray((K, N), dtype=nl.float8_e5m2_x4, buffer=nl.sbuf)
    sc = nl.ndarray((K, max(M, N)), dtype=nl.uint8, buffer=nl.sbuf)
    nisa.memset(dst=sc, value=0)
    rows = K // 8  # a tile of <= 32 data partitions has its scale rows contiguous
    sa = sc[0:rows, :M] if K <= 32 else sc[0:, :M]
    sb = sc[off:off + rows, :N] if K <= 32 else sc[off:, :N]
    nisa.quantize_mx(dst=qa, src=at, dst_scale=sa)
    nisa.quantize_mx(dst=qb, src=bt, dst_scale=sb)
    o = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.psum)
    nisa.nc_matmul_mx(dst=o, stationary=qa, moving=qb, stationary_scale=sa, moving_scale=sb)
    r = nl.ndarray(o.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=r, src=o)
    return store_tile(r), store_tile(sc)


def dequantize_ref(packed, scales, dt):
    K, F = packed.shape
    v = np.ascontiguousarray(packed).view(np.uint8).view(FP8[dt]).reshape(K, F, 4).astype(np.float64)
    return v * 2.0 ** (np.repeat(scales.astype(np.float64), 8, 0)[:, :, None] - 127)


@pytest.mark.parametrize("K,M,N", [(128, 128, 512), (64, 16, 40), (32, 8, 16)])
@pytest.mark.parametrize("off", [4, 8, 12])
def test_packed_scales_quantize_then_matmul(K, M, N, off):
    a = (rng.standard_normal((K, 4 * M)) * np.exp(rng.uniform(-3, 3, (K, 1)))).astype(ml_dtypes.bfloat16)
    b = (rng.standard_normal((K, 4 * N)) * np.exp(rng.uniform(-3, 3, (K, 1)))).astype(ml_dtypes.bfloat16)
    out, sc = packed_scales_k(a, b, off=off)
    qa, sa = quantize_ref(a.astype(np.float32), "float8_e4m3fn_x4")
    qb, sb = quantize_ref(b.astype(np.float32), "float8_e5m2_x4")
    # Scale row i of each set is at partition (i // 4) * 32 + i % 4 of its view: + 0 or + off in the tile.
    expect = np.zeros((K, max(M, N)), np.uint8)
    for i in range(K // 8):
        expect[scale_row(i) if K > 32 else i, :M] = sa[i]
        expect[(scale_row(i) if K > 32 else i) + off, :N] = sb[i]
    np.testing.assert_array_equal(sc, expect)
    da, db = dequantize_ref(qa, sa, "float8_e4m3fn_x4"), dequantize_ref(qb, sb, "float8_e5m2_x4")
    ref, mag = np.einsum("kiq,kjq->ij", da, db), np.einsum("kiq,kjq->ij", np.abs(da), np.abs(db))
    assert np.all(np.abs(out - ref) <= 1e-6 * mag + 1e-30)


@pytest.mark.parametrize("off,where", [(2, "starts at partition 2"), (16, "starts at partition 16")])
def test_packed_scales_other_offsets_rejected(off, where):
    a = np.ones((128, 64), ml_dtypes.bfloat16)
    with pytest.raises(nki.NkiError, match=where + r".*0, 4, 8 or 12 partitions after a quadrant boundary"):
        packed_scales_k(a, a, off=off)


@pytest.mark.parametrize("kern,msg", [
    (lambda: k.quantize_mx_k(np.ones((16, 8), ml_dtypes.bfloat16)), "multiple of 32"),
    (lambda: k.quantize_mx_k(np.ones((32, 8), np.float32)), "src must be float16 or bfloat16"),
    (lambda: k.quantize_mx_k(np.ones((64, 8), ml_dtypes.bfloat16), scale_parts=8), "needs from 36 to 64"),
    (lambda: k.matmul_mx_k(np.ones((48, 4), np.uint32), np.ones((48, 4), np.uint32), np.ones((6, 4), np.uint8),
                           np.ones((6, 4), np.uint8)), "multiple of 32"),
    (lambda: k.matmul_mx_k(np.ones((32, 3), np.uint32), np.ones((32, 4), np.uint32), np.ones((4, 3), np.uint8),
                           np.ones((4, 4), np.uint8)), "must be even"),
])
def test_validation_errors(kern, msg):
    with pytest.raises(nki.NkiError, match=msg):
        kern()


def test_needs_trn3(monkeypatch):
    monkeypatch.setenv("NEURON_PLATFORM_TARGET_OVERRIDE", "trn2")
    with pytest.raises(nki.NkiError, match="needs NeuronCore-v4"):
        k.quantize_mx_k(np.ones((32, 8), ml_dtypes.bfloat16))
