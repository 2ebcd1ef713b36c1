# nkic: --arg x=1024x512:float32
import neuronxcc.nki.compiler as ncc
import neuronxcc.nki.language as nl
import nki.isa as nisa


def kernel(x):
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    t1 = nl.ndarray((8, nl.par_dim(128), 512), dtype=x.dtype,
                    buffer=ncc.sbuf.mod_alloc(base_addr=0, num_free_tiles=(2,)))
    for i in nl.affine_range(8):
        nisa.dma_copy(dst=t1[i], src=x[i * 128:(i + 1) * 128, :])
    # All eight logical tiles must be live here, but t1 has two physical tiles.
    for i in nl.affine_range(8):
        nisa.dma_copy(dst=out[i * 128:(i + 1) * 128, :], src=t1[i])
    return out
