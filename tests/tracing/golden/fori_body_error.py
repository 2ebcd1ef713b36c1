# call: kernel(np.zeros((4, 128, 64), np.float32))
# an error in the body of an nl.fori_loop (traced once)
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def kernel(a):
    R, P, F = a.shape
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)

    def body(i):
        t = nl.ndarray((P, F), dtype=a.dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=t, src=a.ap(pattern=[[F, P], [1, F]], offset=0, scalar_offset=i, indirect_dim=0))
        nisa.tensor_tensor(dst=t, data1=t, data2=a, op=nl.add)

    nl.fori_loop(0, R, body)
    return out
