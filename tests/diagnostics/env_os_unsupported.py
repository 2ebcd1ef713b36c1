# nkic: --arg a=4x4:float32
import os

import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def env_os_unsupported(a):
    os.putenv("NKILIB_LOG_LEVEL", "DEBUG")
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=a)
    return out
