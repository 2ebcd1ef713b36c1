# nkic: --arg a=128x64:bfloat16 --target trn3
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def quantize(a):
    x = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=x, src=a)
    q = nl.ndarray((128, 16), dtype=nl.float8_e4m3fn_x4, buffer=nl.sbuf)
    s = nl.ndarray((16, 16), dtype=nl.uint8, buffer=nl.sbuf)
    nisa.quantize_mx(dst=q, src=x, dst_scale=s)
