"""nc_matmul into a bfloat16 PSUM tile (NeuronCore-v4 / trn3 only): each matmul computes its fp32 sum,
then (when accumulating) adds the old PSUM value upcast to fp32, and rounds the result to bf16 (RNE).
Checked exactly against a NumPy emulation of that per-step rounding. On trn1/trn2 a bf16 dst is an error."""
import ml_dtypes
import numpy as np
import pytest

import nki
import nki.isa as nisa
import nki.language as nl

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
    for _ in range(steps):
        if split:  # two matmuls over column ranges that share a 4-byte PSUM word (odd split point)
            h = N // 2
            nisa.nc_matmul(dst=ps[:, 0:h], stationary=a, moving=b[:, 0:h])
            nisa.nc_matmul(dst=ps[:, h:N], stationary=a, moving=b[:, h:N])
        else:
            nisa.nc_matmul(dst=ps, stationary=a, moving=b)
    r = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=r, src=ps)
    out = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=r)
    return out


def fp32_matmul(lhsT, rhs):
    a, b = lhsT.astype(np.float32), rhs.astype(np.float32)
    acc = np.zeros((a.shape[1], b.shape[1]), np.float32)
    for k in range(a.shape[0]):
        acc = acc + np.outer(a[k], b[k]).astype(np.float32)
    return acc


def ref(lhsT, rhs, steps):
    c = fp32_matmul(lhsT, rhs)
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
    want = ref(lhsT, rhs, steps)
    np.testing.assert_array_equal(got, want)
    if steps > 1:  # the per-step rounding is observable: it differs from one rounding of the fp32 total
        once = (fp32_matmul(lhsT, rhs) * np.float32(steps)).astype(bf16).astype(np.float32)
        assert not np.array_equal(want, once)


@pytest.mark.parametrize("target", ["trn1", "trn2"])
def test_bf16_psum_dst_needs_trn3(monkeypatch, target):
    monkeypatch.setenv("NEURON_PLATFORM_TARGET_OVERRIDE", target)
    x = np.ones((8, 8), bf16)
    with pytest.raises(nki.isa.NkiValidationError, match="dst must be float32, not bfloat16") as e:
        mm_bf16_psum(x, x, 1, False)
    assert "nisa.nc_matmul(dst=ps" in open(e.value.filename).read().splitlines()[e.value.lineno - 1]
