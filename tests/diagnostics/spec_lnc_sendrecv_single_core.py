# nkic: --arg a=128x64:float32
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def exchange(a):
    send = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
    recv = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=send, src=a)
    nisa.sendrecv(src=send, dst=recv, send_to_rank=1, recv_from_rank=1, pipe_id=0)
