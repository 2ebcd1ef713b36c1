"""A kernel only the tracing front door compiles (a generator and a list comprehension), for the CLI tests."""
import nki
import nki.isa as nisa
import nki.language as nl


def row_starts(n, step):
    yield from range(0, n, step)


@nki.jit
def double_rows(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    tiles = [nl.ndarray((128, a.shape[1]), dtype=a.dtype, buffer=nl.sbuf) for _ in row_starts(a.shape[0], 128)]
    for r, t in zip(row_starts(a.shape[0], 128), tiles):
        nisa.dma_copy(dst=t, src=a[r:r + 128, :])
        nisa.tensor_tensor(dst=t, data1=t, data2=t, op=nl.add)
        nisa.dma_copy(dst=out[r:r + 128, :], src=t)
    return out


@nki.jit
def bad_shape(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray((128, 8), dtype=a.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=a[0:128, 0:16])  # ERROR-LINE
    return out
