# nkic: kernel=env_write --arg a=4x4:float32
import os

import nki
import nki.isa as nisa
import nki.language as nl


def set_log_level():
    # Compile-time code reads the environment; it cannot change it.
    os.environ["NKILIB_LOG_LEVEL"] = "DEBUG"


@nki.jit
def env_write(a):
    set_log_level()
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=a)
    return out
