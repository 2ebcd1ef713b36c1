# nkic: --path tests/diagnostics/packages --arg a=4x4:float32
import nki
import nki.isa as nisa
import nki.language as nl
from h5hostlib.scales import torch_scale, unit_scale


@nki.jit
def import_host_only_used(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    x = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=x, src=a)
    nisa.tensor_scalar(dst=x, data=x, op0=nl.multiply, operand0=unit_scale())
    nisa.tensor_scalar(dst=x, data=x, op0=nl.multiply, operand0=torch_scale())
    nisa.dma_copy(dst=out, src=x)
    return out
