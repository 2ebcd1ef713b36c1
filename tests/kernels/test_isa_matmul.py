"""nc_matmul's blocked simulator kernel is bit-exact with the documented summation order: each output
is (((0 + s0*b0) + s1*b1) + ...) in increasing partition (k) order, every product and sum rounded to
fp32 (no FMA), then added to the PSUM value. Checked exactly against that recurrence in NumPy float32,
with shapes that exercise the register-blocked tiles and the row/column edges."""
import ml_dtypes
import numpy as np
import pytest

import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def mm_k(lhsT, rhs, twice=False):
    K, M = lhsT.shape
    N = rhs.shape[1]
    a = nl.ndarray((K, M), dtype=lhsT.dtype, buffer=nl.sbuf)
    b = nl.ndarray((K, N), dtype=rhs.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=a, src=lhsT)
    nisa.dma_copy(dst=b, src=rhs)
    ps = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.psum)
    nisa.nc_matmul(dst=ps, stationary=a, moving=b)
    if twice:
        nisa.nc_matmul(dst=ps, stationary=a, moving=b)
    r = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=r, src=ps)
    out = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=r)
    return out


def ref(lhsT, rhs):
    a, b = lhsT.astype(np.float32), rhs.astype(np.float32)
    acc = np.zeros((a.shape[1], b.shape[1]), np.float32)
    for k in range(a.shape[0]):
        acc = acc + np.outer(a[k], b[k]).astype(np.float32)  # fp32 product, then fp32 sum
    return acc


@pytest.mark.parametrize("K,M,N,dt", [(128, 128, 512, np.float32), (37, 13, 45, np.float32),
                                      (128, 100, 333, ml_dtypes.bfloat16), (5, 7, 3, ml_dtypes.float8_e4m3)])
def test_matmul_bit_exact(K, M, N, dt):
    rng = np.random.default_rng(K * M + N)
    lhsT = rng.standard_normal((K, M), dtype=np.float32).astype(dt)
    rhs = rng.standard_normal((K, N), dtype=np.float32).astype(dt)
    r = ref(lhsT, rhs)
    np.testing.assert_array_equal(mm_k(lhsT, rhs), r)
    np.testing.assert_array_equal(mm_k(lhsT, rhs, twice=True), r + r)  # second matmul accumulates


# ---- bf16 PSUM tiles (NeuronCore-v4 / trn3 only): each matmul computes its fp32 sum, then (when
# accumulating) adds the old PSUM value upcast to fp32 and rounds to bf16 (RNE); checked exactly
# against a NumPy emulation of that per-step rounding. On trn1/trn2 a bf16 dst is an error.

bf16 = ml_dtypes.bfloat16


@nki.jit
def mm_bf16_psum(lhsT, rhs, steps, split):
    K, M = lhsT.shape
    N = rhs.shape[1]
    a = nl.ndarray((K, M), dtype=lhsT.dtype, buffer=nl.sbuf)
    b = nl.ndarray((K, N), dtype=rhs.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=a, src=lhsT)
    nisa.dma_copy(dst=b, src=rhs)
    ps = nl.ndarray((M, N), dtype=nl.bfloat16, buffer=nl.psum)
    if split:  # two groups over column ranges that share a 4-byte PSUM word (odd split point), one after
        h = N // 2  # the other: interleaving two groups in one PSUM bank is a psum-group finding
        for lo, hi in ((0, h), (h, N)):
            for _ in range(steps):
                nisa.nc_matmul(dst=ps[:, lo:hi], stationary=a, moving=b[:, lo:hi])
    else:
        for _ in range(steps):
            nisa.nc_matmul(dst=ps, stationary=a, moving=b)
    r = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=r, src=ps)
    out = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=r)
    return out


def bf16_psum_ref(lhsT, rhs, steps):
    c = ref(lhsT, rhs)
    psum = c.astype(bf16)  # first write: round the fp32 sum to bf16
    for _ in range(steps - 1):  # accumulate: old bf16 -> fp32, add in fp32, round to bf16 (RNE)
        psum = (psum.astype(np.float32) + c).astype(bf16)
    return psum.astype(np.float32)


@pytest.mark.parametrize("steps,split", [(1, False), (3, False), (4, True)])
def test_bf16_psum_accumulation_rounds_each_step(monkeypatch, steps, split):
    monkeypatch.setenv("NEURON_PLATFORM_TARGET_OVERRIDE", "trn3")
    rng = np.random.default_rng(steps)
    K, M, N = 64, 32, 75
    lhsT = rng.standard_normal((K, M), dtype=np.float32).astype(bf16)
    rhs = rng.standard_normal((K, N), dtype=np.float32).astype(bf16)
    got = mm_bf16_psum(lhsT, rhs, steps, split)
    want = bf16_psum_ref(lhsT, rhs, steps)
    np.testing.assert_array_equal(got, want)
    if steps > 1:  # the per-step rounding is observable: it differs from one rounding of the fp32 total
        once = (ref(lhsT, rhs) * np.float32(steps)).astype(bf16).astype(np.float32)
        assert not np.array_equal(want, once)


@pytest.mark.parametrize("target", ["trn1", "trn2"])
def test_bf16_psum_dst_needs_trn3(monkeypatch, target):
    monkeypatch.setenv("NEURON_PLATFORM_TARGET_OVERRIDE", target)
    x = np.ones((8, 8), bf16)
    with pytest.raises(nki.isa.NkiValidationError, match="dst must be float32, not bfloat16") as e:
        mm_bf16_psum(x, x, 1, False)
    assert "nisa.nc_matmul(dst=ps" in open(e.value.filename).read().splitlines()[e.value.lineno - 1]


# ---- TensorE nc_transpose of bf16/fp16 data into an fp32 PSUM tile (every target; the pattern of AWS's
# flash-attention kernels on trn1): an identity matmul, so each value is widened exactly. Checked for
# exact equality (fp32 bit patterns, so -0.0 and subnormals count) with NumPy's transpose of the data.
# The flash-attention form transposes 128-column blocks of the data into slices of one PSUM tile.

@nki.jit
def transpose_to_fp32_psum(x, blocks=1, engine="tensor"):
    P, F = x.shape
    xt = nl.ndarray((P, F), dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=xt, src=x)
    w = F // blocks
    ps = nl.ndarray((w, blocks * P), dtype=nl.float32, buffer=nl.psum if engine == "tensor" else nl.sbuf)
    for j in range(blocks):
        nisa.nc_transpose(dst=ps[:, j * P:(j + 1) * P], data=xt[:, j * w:(j + 1) * w],
                          engine=nisa.engine.tensor if engine == "tensor" else nisa.engine.vector)
    r = nl.ndarray((w, blocks * P), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=r, src=ps)
    out = nl.ndarray((w, blocks * P), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=r)
    return out


@pytest.mark.parametrize("target", ["trn1", "trn2", "trn3"])
@pytest.mark.parametrize("dt", [bf16, np.float16])
@pytest.mark.parametrize("shape,blocks", [((128, 128), 1), ((37, 100), 1), ((128, 512), 4)])
def test_nc_transpose_16bit_into_fp32_psum(monkeypatch, target, dt, shape, blocks):
    monkeypatch.setenv("NEURON_PLATFORM_TARGET_OVERRIDE", target)
    rng = np.random.default_rng(shape[1] + blocks)
    x = (rng.standard_normal(shape, dtype=np.float32) * 100).astype(dt)
    x[0, :4] = np.array([-0.0, np.inf, -np.inf, np.finfo(dt).smallest_subnormal], dtype=dt)
    got = transpose_to_fp32_psum(x, blocks)
    w = shape[1] // blocks
    want = np.concatenate([x[:, j * w:(j + 1) * w].T for j in range(blocks)], axis=1).astype(np.float32)
    np.testing.assert_array_equal(got.view(np.uint32), want.view(np.uint32))


def test_nc_transpose_widening_needs_tensor_engine():
    x = np.ones((16, 16), bf16)
    with pytest.raises(nki.isa.NkiValidationError, match="must equal data dtype bfloat16 for a VectorE transpose"):
        transpose_to_fp32_psum(x, engine="vector")
