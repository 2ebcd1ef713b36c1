# nkic: --arg a=128x128:float32
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def transpose_fp32_into_bf16(a):
    x = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=x, src=a)
    t = nl.ndarray((128, 128), dtype=nl.bfloat16, buffer=nl.psum)
    nisa.nc_transpose(dst=t, data=x)
