# call: kernel(np.zeros((128, 64), np.float32), np.zeros((128, 32), np.float32))
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def kernel(a, b):
    x = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
    y = nl.ndarray(b.shape, dtype=b.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=x, src=a)
    nisa.dma_copy(dst=y, src=b)
    nisa.tensor_tensor(dst=x, data1=x, data2=y, op=nl.add)
    return x
