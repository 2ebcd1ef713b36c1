# nkic: --arg x=128x128:float32 --arg y=128x512:float32
import neuronxcc.nki.compiler as ncc
import neuronxcc.nki.language as nl


def kernel(x, y):
    out = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.shared_hbm)
    a = nl.ndarray((128, 128), dtype=x.dtype, buffer=ncc.sbuf.mod_alloc(base_addr=0))
    b = nl.ndarray((128, 512), dtype=y.dtype, buffer=ncc.sbuf.mod_alloc(base_addr=512))
    p = nl.ndarray((128, 512), dtype=nl.float32, buffer=ncc.psum.mod_alloc(base_bank=0))
    r = nl.ndarray((128, 512), dtype=nl.float32, buffer=ncc.sbuf.mod_alloc(base_addr=2560))
    a[...] = nl.load(x)
    b[...] = nl.load(y)
    p[...] = nl.matmul(a, b)  # without transpose_x the compiler inserts a transpose into a tile of its own
    r[...] = nl.copy(p)
    nl.store(out, value=r)
    return out
