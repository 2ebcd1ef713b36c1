# nkic: --arg a=128x64:bfloat16 --arg b=128x128:bfloat16 --target trn3
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def packed_scales(a, b):
    x = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
    y = nl.ndarray(b.shape, dtype=b.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=x, src=a)
    nisa.dma_copy(dst=y, src=b)
    qx = nl.ndarray((128, 16), dtype=nl.float8_e4m3fn_x4, buffer=nl.sbuf)
    qy = nl.ndarray((128, 32), dtype=nl.float8_e4m3fn_x4, buffer=nl.sbuf)
    scales = nl.ndarray((128, 32), dtype=nl.uint8, buffer=nl.sbuf)
    nisa.quantize_mx(dst=qx, src=x, dst_scale=scales[0:, :16])
    nisa.quantize_mx(dst=qy, src=y, dst_scale=scales[2:, :])
