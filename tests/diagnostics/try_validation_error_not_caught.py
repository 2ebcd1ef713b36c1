# nkic: --arg a=128x512:float32
# A hardware-rule violation is not a Python exception: `except Exception` does not catch it.
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def add(a):
    x = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.sbuf)
    y = nl.ndarray((128, 256), dtype=nl.float32, buffer=nl.sbuf)
    try:
        nisa.tensor_tensor(dst=x, data1=x, data2=y, op=nl.add)
    except Exception:
        pass
