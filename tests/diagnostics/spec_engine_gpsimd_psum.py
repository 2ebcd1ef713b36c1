# nkic: --arg a=4x4:int32
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def ints(a):
    p = nl.ndarray((4, 4), dtype=nl.int32, buffer=nl.psum)
    t = nl.ndarray((4, 4), dtype=nl.int32, buffer=nl.sbuf)
    nisa.tensor_tensor(dst=t, data1=p, data2=t, op=nl.add, engine=nisa.gpsimd_engine)
