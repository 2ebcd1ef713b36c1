# nkic: --arg a=128x64:float32
import nki
import nki.isa as nisa
import nki.language as nl
import nki.collectives as ncc

@nki.jit
def k(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    ncc.all_reduce(srcs=[a], dsts=[out], replica_group=None, op=nl.add)
    return out
