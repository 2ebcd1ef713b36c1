# nkic: --arg a=128x128:float32
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def overlap(a):
    x = nl.ndarray((128, 128), dtype=nl.float32, buffer=nl.sbuf, address=(0, 0))
    y = nl.ndarray((32, 128), dtype=nl.float32, buffer=nl.sbuf, address=(96, 256))
    nisa.dma_copy(dst=x, src=a)
    nisa.memset(dst=y, value=1.0)
    nisa.tensor_tensor(dst=x[96:128, :], data1=x[96:128, :], data2=y, op=nl.add)
