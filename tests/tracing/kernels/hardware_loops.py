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
