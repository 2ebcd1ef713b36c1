"""nl.dynamic_range under the tracing front door (a release before 0.7.0 selected, or tracing forced)."""
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def repeat_double(a, n):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=a)
    for _ in nl.dynamic_range(n):  # one hardware loop; the body is traced once
        nisa.tensor_tensor(dst=t, data1=t, data2=t, op=nl.add)
    nisa.dma_copy(dst=out, src=t)
    return out


@nki.jit
def break_out(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
    for _ in nl.dynamic_range(3):  # ERROR-LINE
        nisa.dma_copy(dst=t, src=a)
        break
    nisa.dma_copy(dst=out, src=t)
    return out


@nki.jit
def loop_in_no_reorder(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
    with nl.no_reorder():
        for _ in nl.dynamic_range(2):  # ERROR-LINE no_reorder
            nisa.dma_copy(dst=t, src=a)
    nisa.dma_copy(dst=out, src=t)
    return out


@nki.jit
def sum_of_pair(pair):
    out = nl.ndarray(pair[0].shape, dtype=pair[0].dtype, buffer=nl.shared_hbm)
    x = nl.ndarray(pair[0].shape, dtype=pair[0].dtype, buffer=nl.sbuf)
    y = nl.ndarray(pair[0].shape, dtype=pair[0].dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=x, src=pair[0])
    nisa.dma_copy(dst=y, src=pair[1])
    nisa.tensor_tensor(dst=x, data1=x, data2=y, op=nl.add)
    nisa.dma_copy(dst=out, src=x)
    return out


class Holder(nl.NKIObject):
    def __init__(self, a, scale):
        self.a = a
        self.scale = scale


@nki.jit
def scaled_from_object(h):
    out = nl.ndarray(h.a.shape, dtype=h.a.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray(h.a.shape, dtype=h.a.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=h.a)
    nisa.tensor_scalar(dst=t, data=t, op0=nl.multiply, operand0=h.scale)
    nisa.dma_copy(dst=out, src=t)
    return out
