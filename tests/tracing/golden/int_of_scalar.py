# call: kernel(np.ones((1, 1), np.int32))
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def kernel(n):
    s = nisa.scalar_load(n)
    out = nl.ndarray((int(s), 8), dtype=nl.float32, buffer=nl.shared_hbm)
    return out
