"""Our kernels for the remaining NKI 0.6.0 changes (tests/releases/test_r06_more.py): tensor_scalar_reduce's
reduce_res=None / reduce_res_negate and the relaxed HWDGE dma_transpose rules. `# ERROR-LINE name` marks
the line an error must point at."""
import nki.isa as nisa
import nki.language as nl


def _load(x):
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    return t


def _store(t):
    out = nl.ndarray(t.shape, dtype=t.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=t)
    return out


def tsr_chain(x, y, z):
    """Column 0: sum(2x) + sum(2y) + sum(2z), the first two kept in the accumulator (reduce_res=None).
    Column 1: the negated read-out of max(x + 1) over a chain of two; column 2: the accumulator continued
    after that negated read (it still holds +max, so max(+max, z + 1))."""
    t, u, w = _load(x), _load(y), _load(z)
    P = x.shape[0]
    d = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    r = nl.ndarray((P, 3), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_scalar_reduce(d, t, nl.multiply, 2.0, nl.add)  # ERROR-LINE none
    nisa.tensor_scalar_reduce(d, u, nl.multiply, 2.0, nl.add, None, reduce_cmd=nisa.reduce_cmd.reduce)
    nisa.tensor_scalar_reduce(d, w, nl.multiply, 2.0, nl.add, r[:, 0:1], reduce_cmd=nisa.reduce_cmd.reduce)
    nisa.tensor_scalar_reduce(dst=d, data=t, op0=nl.add, operand0=1.0, reduce_op=nl.maximum, reduce_res=None)
    nisa.tensor_scalar_reduce(dst=d, data=u, op0=nl.add, operand0=1.0, reduce_op=nl.maximum, reduce_res=r[:, 1:2],
                              reduce_cmd=nisa.reduce_cmd.reduce, reduce_res_negate=True)
    nisa.tensor_scalar_reduce(dst=d, data=w, op0=nl.add, operand0=1.0, reduce_op=nl.maximum, reduce_res=r[:, 2:3],
                              reduce_cmd=nisa.reduce_cmd.reduce)
    return _store(r), _store(d)


def tsr_negate(x):
    """reduce_res_negate alone: -sum(x * 3)."""
    t = _load(x)
    d = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    r = nl.ndarray((x.shape[0], 1), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_scalar_reduce(d, t, nl.multiply, 3.0, nl.add, r, reduce_res_negate=True)  # ERROR-LINE negate
    return _store(r)


def tsr_negate_without_res(x):
    t = _load(x)
    d = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_scalar_reduce(d, t, nl.multiply, 3.0, nl.add, reduce_res_negate=True)  # ERROR-LINE negate_none
    return _store(d)


def hwdge_transpose(x):
    """dma_transpose with dge_mode=hwdge; dst = x with its axes permuted as dma_transpose does."""
    s = x.shape
    if len(s) == 2:
        shape = (s[1], s[0])
    elif len(s) == 3:
        shape = (s[2], s[1], s[0])
    else:
        shape = (s[3], s[1], s[2], s[0])
    dst = nl.ndarray(shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_transpose(dst=dst, src=x, dge_mode=nisa.dge_mode.hwdge)  # ERROR-LINE hwdge
    return _store(dst)
