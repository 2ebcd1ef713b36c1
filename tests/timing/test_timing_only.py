"""nkic.profile(timing_only=True): no arithmetic and no outputs, the same estimate as a full run for
kernels whose control flow and addresses do not depend on the data, and a clear error at the kernel
line for those that do (a register loaded from memory, a DMA address read from a tensor)."""
import inspect
import os
import sys

import ml_dtypes
import numpy as np
import pytest

import nki
import nki.isa as nisa
import nki.language as nl
import nkic
from nki._errors import NkiError

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernels"))
import cal_matmul as tutorial  # noqa: E402

THIS = os.path.basename(__file__)


def line_of(func, text):
    """The file line of the first source line of `func` containing `text`."""
    lines, start = inspect.getsourcelines(func)
    return start + next(i for i, s in enumerate(lines) if text in s)


@nki.jit
def exp_rows(x):
    """out = exp(x) tile by tile (ScalarE), multi-buffered."""
    R, F = x.shape
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    for i in nl.affine_range(R // 128):
        t = nl.ndarray((128, F), dtype=x.dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=t, src=x[i * 128:(i + 1) * 128, :])
        nisa.activation(dst=t, op=nl.exp, data=t)
        nisa.dma_copy(dst=out[i * 128:(i + 1) * 128, :], src=t)
    return out


CASES = {
    "exp rows": (exp_rows, lambda rng: (rng.standard_normal((512, 256)).astype(np.float32),), {}),
    "tutorial matmul": (tutorial.matmul_block_free, lambda rng: (
        rng.standard_normal((512, 512)).astype(ml_dtypes.bfloat16),
        rng.standard_normal((512, 1024)).astype(ml_dtypes.bfloat16)), {}),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("target", ["trn1", "trn2", "trn3"])
def test_timing_only_matches_the_full_run(case, target):
    kernel, make, kw = CASES[case]
    args = make(np.random.default_rng(0))
    full = nkic.profile(kernel, *args, target=target, **kw)
    fast = nkic.profile(kernel, *args, target=target, timing_only=True, **kw)
    assert fast.outputs is None and full.outputs is not None
    assert fast.latency_us == full.latency_us  # the same schedule, not just close
    assert fast.engine_busy_us == full.engine_busy_us
    assert fast.instructions == full.instructions


def test_timing_only_ignores_the_data():
    a = nkic.profile(exp_rows, np.zeros((512, 256), np.float32), timing_only=True)
    b = nkic.profile(exp_rows, np.full((512, 256), np.nan, np.float32), timing_only=True)
    assert a.latency_us == b.latency_us and a.outputs is None and b.outputs is None


def test_full_run_outputs_are_right():
    x = np.random.default_rng(1).standard_normal((256, 64)).astype(np.float32)
    np.testing.assert_allclose(nkic.profile(exp_rows, x).outputs, np.exp(x), rtol=1e-5)


# ---------------------------------------------------------------- data-dependent kernels are refused

@nki.jit
def loop_count_from_memory(x, n):
    """The trip count of a dynamic loop is read from device memory (register_load)."""
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    nt = nl.ndarray((1, 1), dtype=nl.int32, buffer=nl.sbuf)
    nisa.dma_copy(dst=nt, src=n)
    r = nisa.register_alloc()
    nisa.register_load(r, nt)
    for _ in nl.dynamic_range(r):
        nisa.tensor_scalar(dst=t, data=t, op0=nl.add, operand0=1.0)
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=t)
    return out


@nki.jit
def gather_rows(table, idx):
    """out[p, :] = table[idx[p], :]: the DMA's row addresses come from a tensor (vector_offset)."""
    R, F = table.shape
    P = idx.shape[0]
    it = nl.ndarray((P, 1), dtype=idx.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=it, src=idx)
    rows = nl.ndarray((P, F), dtype=table.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=rows, src=table.ap(pattern=[[F, P], [1, F]], offset=0, vector_offset=it, indirect_dim=0))
    out = nl.ndarray((P, F), dtype=table.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=rows)
    return out


@nki.jit
def row_from_tensor(table, row):
    """out = table[row[0, 0], :]: a scalar_offset read from an SBUF tensor."""
    R, F = table.shape
    rt = nl.ndarray((1, 1), dtype=row.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=rt, src=row)
    t = nl.ndarray((1, F), dtype=table.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=table.ap(pattern=[[F, 1], [1, F]], offset=0, scalar_offset=rt, indirect_dim=0))
    out = nl.ndarray((1, F), dtype=table.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=t)
    return out


REFUSED = {
    "register_load": (loop_count_from_memory, "nisa.register_load(r, nt)", "this register is loaded from memory",
                      lambda: (np.ones((128, 8), np.float32), np.full((1, 1), 3, np.int32)),
                      lambda x, n: x + 3),
    "vector_offset": (gather_rows, "vector_offset=it", "this DMA's address is read from a tensor",
                      lambda: (np.arange(64 * 8, dtype=np.float32).reshape(64, 8),
                               np.array([[5], [0], [63], [7]], np.int32)),
                      lambda t, i: t[i[:, 0]]),
    "scalar_offset": (row_from_tensor, "scalar_offset=rt", "this DMA's address is read from a tensor",
                      lambda: (np.arange(16 * 8, dtype=np.float32).reshape(16, 8), np.full((1, 1), 9, np.int32)),
                      lambda t, r: t[r[0, 0]][None, :]),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_data_dependent_kernels_are_refused_at_their_line(case):
    kernel, text, why, make, _ = REFUSED[case]
    with pytest.raises(NkiError) as e:
        nkic.profile(kernel, *make(), timing_only=True)
    msg = str(e.value)
    assert "timing_only" in msg and why in msg and "without timing_only" in msg, msg
    assert f'{THIS}", line {line_of(kernel.func, text)},' in msg and text in msg, msg


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_data_dependent_kernels_profile_without_timing_only(case):
    kernel, _, _, make, ref = REFUSED[case]
    args = make()
    p = nkic.profile(kernel, *args)
    np.testing.assert_array_equal(p.outputs, ref(*args))
    assert p.latency_us > 0


# ---------------------------------------------------------------- register-only dynamic loops work

@nki.jit
def loop_count_from_registers(x, start, stop):
    """A dynamic loop whose bounds are registers set from immediates (register_move): no data involved."""
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    lo, hi = nisa.register_alloc(), nisa.register_alloc()
    nisa.register_move(lo, start)
    nisa.register_move(hi, stop)
    for _ in nl.dynamic_range(lo, hi):
        nisa.tensor_scalar(dst=t, data=t, op0=nl.add, operand0=1.0, engine=nisa.vector_engine)
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=t)
    return out


def test_dynamic_loop_with_register_bounds_works_and_is_timed_per_iteration():
    x = np.zeros((128, 512), np.float32)
    runs = {n: nkic.profile(loop_count_from_registers, x, 0, n, timing_only=True) for n in (4, 8, 16)}
    full = nkic.profile(loop_count_from_registers, x, 0, 8)
    np.testing.assert_array_equal(full.outputs, x + 8)
    assert runs[8].latency_us == full.latency_us
    assert runs[16].instructions - runs[8].instructions == 8 and runs[8].instructions - runs[4].instructions == 4
    step = runs[8].latency_us - runs[4].latency_us
    assert step > 0 and runs[16].latency_us - runs[8].latency_us == pytest.approx(2 * step, rel=1e-6)
