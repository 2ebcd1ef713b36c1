# nkic: --lnc 2 --target trn1 --arg x=128x8:float32
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def kernel(x):
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    half = x.shape[0] // nl.num_programs()
    t = nl.ndarray((half, x.shape[1]), dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x[nl.program_id(0) * half:(nl.program_id(0) + 1) * half, :])
    nisa.dma_copy(dst=out[nl.program_id(0) * half:(nl.program_id(0) + 1) * half, :], src=t)
    return out
