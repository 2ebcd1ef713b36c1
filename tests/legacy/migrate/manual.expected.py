"""Beta 1 constructs `nkic migrate` reports but does not rewrite (migration fixture; not run)."""
import nki
import nki.language as nl
import nki.isa as nisa


# nkic migrate: @nki.benchmark -> removed: @nki.jit, time with the profiler (nkic.profile)
@nki.benchmark(warmup=5, iters=10)
def blocks(x):
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    buf = []
    for blk in range(4):
        buf.append(nl.ndarray((128, 512), dtype=x.dtype, buffer=nl.sbuf, address=(0, 0 + (blk % 2) * 512 * x.dtype.itemsize)))
    # nkic migrate: nl.mgrid -> slices, nl.ds, free-dim steps
    i_p, i_f = nl.mgrid[0:128, 0:512]
    # nkic migrate: nisa.memset(...) -> nisa.memset(dst, value)
    ones = nisa.memset((128, 512), 1.0, nl.float32)
    for b in nl.affine_range(4):
        # nkic migrate: nl.load(...) -> nisa.dma_copy(dst=<declared tile>, src=...)
        buf[b, i_p, i_f] = nl.load(x[b * 128 + i_p, i_f])
        # nkic migrate: nl.store(...) -> nisa.dma_copy(dst=..., src=<tile>)
        # nkic migrate: mask=i_f < 256 -> slices with clamped bounds, slice(s, min(n, s + 128))
        nl.store(out[b * 128 + i_p, i_f], value=nl.exp(buf[b, i_p, i_f], mask=(i_f < 256)))
    return out


def run(x):
    return nki.simulate(blocks)(x)
