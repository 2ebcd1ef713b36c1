# nkic: kernel=kernel --arg x=128x512:float32
import neuronxcc.nki.compiler as ncc
import neuronxcc.nki.language as nl
import nki.isa as nisa


def place(idx, pdim_size, fdim_size):
    (i,) = idx
    return (32 * i, 0)


def kernel(x):
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray((2, nl.par_dim(64), 512), dtype=x.dtype, buffer=ncc.sbuf.alloc(place))
    nisa.dma_copy(dst=t[0], src=x[0:64, :])
    nisa.dma_copy(dst=out[0:64, :], src=t[0])
    return out
