"""Kernels for the dynamic checks and the interface: each bug beside its correct twin. Every buggy kernel
runs silently in a plain in-order simulation (no error); only its check finds the bug."""
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def half_loaded(a):
    # Bug: only the first half of the tile is loaded, the whole tile is stored.
    t = nl.ndarray((128, 128), dtype=nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=t[:, 0:64], src=a[:, 0:64])
    out = nl.ndarray((128, 128), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=t)
    return out


@nki.jit
def fully_loaded(a):
    t = nl.ndarray((128, 128), dtype=nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=t[:, 0:64], src=a[:, 0:64])
    nisa.dma_copy(dst=t[:, 64:128], src=a[:, 64:128])
    out = nl.ndarray((128, 128), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=t)
    return out


@nki.jit
def accumulate_uninit(a):
    # Bug: the accumulator is never zeroed before `acc += x` in the loop.
    acc = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
    x = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
    for i in nl.sequential_range(4):
        nisa.dma_copy(dst=x, src=a[:, i * 64:(i + 1) * 64])
        nisa.tensor_tensor(dst=acc, data1=acc, data2=x, op=nl.add)
    out = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=acc)
    return out


@nki.jit
def accumulate_zeroed(a):
    acc = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
    nisa.memset(dst=acc, value=0.0)
    x = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
    for i in nl.sequential_range(4):
        nisa.dma_copy(dst=x, src=a[:, i * 64:(i + 1) * 64])
        nisa.tensor_tensor(dst=acc, data1=acc, data2=x, op=nl.add)
    out = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=acc)
    return out


@nki.jit
def exp_unshifted(x):
    # Bug: exp of the raw logits overflows fp32 for large inputs (no max subtraction).
    t = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    e = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
    nisa.activation(dst=e, op=nl.exp, data=t)
    out = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=e)
    return out


@nki.jit
def exp_shifted(x):
    t = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    m = nl.ndarray((128, 1), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_reduce(dst=m, op=nl.maximum, data=t, axis=1, negate=True)
    e = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
    nisa.activation(dst=e, op=nl.exp, data=t, bias=m)
    out = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=e)
    return out


@nki.jit
def masked_max(x):
    # A -inf fill is meant: not a nonfinite finding (the immediate is non-finite).
    t = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
    nisa.memset(dst=t, value=-float("inf"))
    nisa.dma_copy(dst=t[:, 0:32], src=x[:, 0:32])
    m = nl.ndarray((128, 1), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_reduce(dst=m, op=nl.maximum, data=t, axis=1)
    out = nl.ndarray((128, 1), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=m)
    return out


@nki.jit
def half_loaded_lnc2(a):
    # LNC2: each core loads and stores its half of the rows; core 1 forgets half its columns.
    c = nl.program_id(0)
    t = nl.ndarray((64, 128), dtype=nl.float32, buffer=nl.sbuf)
    cols = 128 if c == 0 else 64
    nisa.dma_copy(dst=t[:, 0:cols], src=a[c * 64:(c + 1) * 64, 0:cols])
    out = nl.ndarray((128, 128), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out[c * 64:(c + 1) * 64, :], src=t)
    return out


@nki.jit
def loaded_lnc2(a):
    c = nl.program_id(0)
    t = nl.ndarray((64, 128), dtype=nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=a[c * 64:(c + 1) * 64, :])
    out = nl.ndarray((128, 128), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out[c * 64:(c + 1) * 64, :], src=t)
    return out


@nki.jit
def tail_rows(a, store_all):
    # AWS's Beta 1 pattern: load the 100 rows there are, compute on the whole 128-partition tile, store
    # the 100 rows. The unwritten lanes 100-127 only compute garbage nobody stores: not a finding. Storing
    # all 128 rows is the bug, reported at the first read of the unwritten lanes (the exp).
    t = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=t[0:100, :], src=a)
    e = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
    nisa.activation(dst=e, op=nl.exp, data=t)
    s = nl.ndarray((128, 1), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_reduce(dst=s, op=nl.add, data=e, axis=1)
    r = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_scalar(dst=r, data=e, op0=nl.divide, operand0=s)
    rows = 128 if store_all else 100
    out = nl.ndarray((rows, 64), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=r[0:rows, :])
    return out
