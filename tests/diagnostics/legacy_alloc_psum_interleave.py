# nkic: --arg a=256x128:float32 --arg b=256x512:float32
import neuronxcc.nki.compiler as ncc
import neuronxcc.nki.language as nl
import nki.isa as nisa


def kernel(a, b):
    out = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.shared_hbm)
    at = nl.ndarray((2, nl.par_dim(128), 128), dtype=a.dtype,
                    buffer=ncc.sbuf.mod_alloc(base_addr=0, num_free_tiles=(2,)))
    bt = nl.ndarray((2, nl.par_dim(128), 512), dtype=b.dtype,
                    buffer=ncc.sbuf.mod_alloc(base_addr=1024, num_free_tiles=(2,)))
    # Two accumulation groups, one per K tile, both in bank 3 and both live until the sum below.
    acc = nl.ndarray((2, nl.par_dim(128), 512), dtype=nl.float32, buffer=ncc.psum.mod_alloc(base_bank=3))
    res = nl.ndarray((128, 512), dtype=nl.float32, buffer=ncc.sbuf.mod_alloc(base_addr=8192))
    for k in nl.affine_range(2):
        nisa.dma_copy(dst=at[k], src=a[k * 128:(k + 1) * 128, :])
        nisa.dma_copy(dst=bt[k], src=b[k * 128:(k + 1) * 128, :])
        nisa.nc_matmul(dst=acc[k], stationary=at[k], moving=bt[k])
    nisa.tensor_copy(dst=res, src=acc[0])
    nisa.tensor_tensor(dst=res, data1=res, data2=acc[1], op=nl.add)
    nisa.dma_copy(dst=out, src=res)
    return out
