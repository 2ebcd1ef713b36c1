"""Beta 1 constructs `nkic migrate` reports but does not rewrite (migration fixture; not run)."""
from neuronxcc import nki
import neuronxcc.nki.language as nl
import neuronxcc.nki.isa as nisa
import neuronxcc.nki.compiler as ncc


@nki.benchmark(warmup=5, iters=10)
def blocks(x):
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    buf = nl.ndarray((4, nl.par_dim(128), 512), dtype=x.dtype, buffer=ncc.sbuf.mod_alloc(base_addr=0, num_free_tiles=(2,)))
    i_p, i_f = nl.mgrid[0:128, 0:512]
    ones = nisa.memset((128, 512), 1.0, nl.float32)
    for b in nl.affine_range(4):
        buf[b, i_p, i_f] = nl.load(x[b * 128 + i_p, i_f])
        nl.store(out[b * 128 + i_p, i_f], value=nl.exp(buf[b, i_p, i_f], mask=(i_f < 256)))
    return out


def run(x):
    return nki.simulate_kernel(blocks, x)
