# Package-qualified absolute imports inside the package (the style of installed kernel libraries).
import nki
import nki.isa as nisa
import nki.language as nl

from nkipkg.config import Combine
from nkipkg.utils.tiling import Counter, op_for


@nki.jit
def absolute_import_kernel(a, b):
    op = op_for(Combine.MAX)
    n = Counter()
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    x = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
    y = nl.ndarray(b.shape, dtype=b.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=x, src=a)
    nisa.dma_copy(dst=y, src=b)
    nisa.tensor_tensor(dst=x, data1=x, data2=y, op=op)
    n.bump()
    assert n.count == 1
    nisa.dma_copy(dst=out, src=x)
    return out
