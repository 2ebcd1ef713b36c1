# nkic: --arg x=256x512:bfloat16
import neuronxcc.nki.compiler as ncc
import neuronxcc.nki.language as nl
import nki.isa as nisa


def kernel(x):
    out = nl.ndarray((128, 512), dtype=x.dtype, buffer=nl.shared_hbm)
    # t0's physical tiles take bytes [0, 2048), t1's [1024, 3072): they overlap.
    t0 = nl.ndarray((4, nl.par_dim(128), 512), dtype=nl.bfloat16,
                    buffer=ncc.sbuf.mod_alloc(base_addr=0, num_free_tiles=(2,)))
    t1 = nl.ndarray((4, nl.par_dim(128), 512), dtype=nl.bfloat16,
                    buffer=ncc.sbuf.mod_alloc(base_addr=1024, num_free_tiles=(2,)))
    nisa.dma_copy(dst=t0[0], src=x[0:128, :])
    nisa.dma_copy(dst=t0[1], src=x[128:256, :])
    nisa.tensor_copy(dst=t1[0], src=t0[0])  # t1[0] lies on t0[1], which is still to be read
    nisa.tensor_tensor(dst=t1[0], data1=t1[0], data2=t0[1], op=nl.add)
    nisa.dma_copy(dst=out, src=t1[0])
    return out
