# nkic: --arg a=128x128:float32
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def shuffle_start(a):
    t = nl.ndarray((128, 128), dtype=nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=a)
    nisa.nc_stream_shuffle(dst=t[32:96, :], src=t[0:64, :], shuffle_mask=list(range(1, 32)) + [0])
