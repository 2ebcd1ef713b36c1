# nkic: --arg a=128x512:float32
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def add(a):
    x = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.sbuf)
    y = nl.ndarray((128, 256), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_tensor(dst=x, data1=x, data2=y, op=nl.add)
