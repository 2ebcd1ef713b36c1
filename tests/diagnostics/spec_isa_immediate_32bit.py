# nkic: --arg a=128x64:int32
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def iota_offset(a):
    t = nl.ndarray((128, 64), dtype=nl.int32, buffer=nl.sbuf)
    nisa.iota(dst=t, pattern=[[1, 64]], offset=1 << 31, channel_multiplier=64)
