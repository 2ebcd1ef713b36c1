import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def quadrant_tiles(a):
    """Four (32, F) tiles live at once: the allocator puts them in the four quadrants of one byte range."""
    P, F = a.shape
    out = nl.ndarray((P, F), dtype=a.dtype, buffer=nl.shared_hbm)
    tiles = []
    for q in range(4):
        t = nl.ndarray((32, F), dtype=a.dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=t, src=a[32 * q:32 * q + 32, :])
        tiles.append(t)
    for q in range(4):
        nisa.tensor_scalar(dst=tiles[q], data=tiles[q], op0=nl.add, operand0=float(q))
        nisa.dma_copy(dst=out[32 * q:32 * q + 32, :], src=tiles[q])
    return out


@nki.jit
def explicit_addresses(a):
    """address= placements in different quadrants and byte ranges, and PSUM banks."""
    P, F = a.shape
    out = nl.ndarray((P, F), dtype=nl.float32, buffer=nl.shared_hbm)
    x = nl.ndarray((64, F), dtype=nl.float32, buffer=nl.sbuf, address=(64, 0))
    y = nl.ndarray((64, F), dtype=nl.float32, buffer=nl.sbuf, address=(0, 0))
    p = nl.ndarray((64, F), dtype=nl.float32, buffer=nl.psum, address=(64, 2048))
    nisa.dma_copy(dst=x, src=a[0:64, :])
    nisa.dma_copy(dst=y, src=a[64:128, :])
    nisa.tensor_scalar(dst=p, data=x, op0=nl.multiply, operand0=2.0)
    nisa.tensor_tensor(dst=x, data1=p, data2=y, op=nl.add)
    nisa.dma_copy(dst=out[0:64, :], src=x)
    nisa.dma_copy(dst=out[64:128, :], src=y)
    return out


@nki.jit
def rotating(a, n):
    P, F = a.shape
    out = nl.ndarray((P, F), dtype=a.dtype, buffer=nl.shared_hbm)
    acc = nl.ndarray((P, F), dtype=a.dtype, buffer=nl.sbuf)
    nisa.memset(dst=acc, value=0.0)
    prev = acc
    for i in range(n):  # each tile is used in its iteration and the next: two buffers rotate
        b_tile = nl.ndarray((P, F), dtype=a.dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=b_tile, src=a)
        nisa.tensor_tensor(dst=acc, data1=prev, data2=b_tile, op=nl.add)
        prev = b_tile
    nisa.dma_copy(dst=out, src=acc)
    return out
