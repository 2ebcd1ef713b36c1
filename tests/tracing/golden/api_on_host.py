# call: make_tile()
# an ISA call outside a kernel
import nki.isa as nisa
import nki.language as nl


def make_tile():
    t = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
    nisa.memset(t, 0.0)
    return t
