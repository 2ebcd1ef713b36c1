"""Beta 1 constructs `nkic migrate` reports but does not rewrite (migration fixture; not run)."""
import nki
import nki.language as nl
import nki.isa as nisa
# nkic migrate: import neuronxcc.nki.compiler -> remove: direct allocation becomes nl.ndarray(..., address=...), the decorators have no 0.3.0 form
import neuronxcc.nki.compiler as ncc


# nkic migrate: @nki.benchmark -> removed: @nki.jit, time with the profiler (nkic.profile)
@nki.benchmark(warmup=5, iters=10)
def blocks(x):
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    # nkic migrate: nl.par_dim(...) -> P as dim 0: a list of tiles, (P, B, F), or a tile declared in the loop
    # nkic migrate: ncc.sbuf.mod_alloc(...) -> nl.ndarray(..., address=(partition, byte)) per tile
    buf = nl.ndarray((4, nl.par_dim(128), 512), dtype=x.dtype, buffer=ncc.sbuf.mod_alloc(base_addr=0, num_free_tiles=(2,)))
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
