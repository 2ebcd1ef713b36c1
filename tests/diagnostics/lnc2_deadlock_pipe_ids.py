# nkic: kernel=kernel cmd=run --lnc 2 --arg x=128x8:float32
import nki
import nki.isa as nisa
import nki.language as nl


def exchange(t, u, pid):
    nisa.sendrecv(src=t, dst=u, send_to_rank=1 - pid, recv_from_rank=1 - pid, pipe_id=pid)  # pipe_ids differ


@nki.jit
def kernel(x):
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    pid = nl.program_id(0)
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    u = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    exchange(t, u, pid)
    if pid == 0:
        nisa.dma_copy(dst=out, src=u)
    return out
