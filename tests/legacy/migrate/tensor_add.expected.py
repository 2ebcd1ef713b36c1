"""Beta 1 tensor add in the getting-started style (migration fixture)."""
import nki
import nki.language as nl
import nki.isa as nisa


@nki.jit
def tensor_add(a_input, b_input):
    c_output = nl.ndarray(a_input.shape, dtype=a_input.dtype, buffer=nl.shared_hbm)
    a_tile = nl.ndarray(a_input.shape, dtype=a_input.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=a_tile, src=a_input)   # one [128, 512] tile
    b_tile = nl.ndarray(b_input.shape, dtype=b_input.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=b_tile, src=b_input)
    c_tile = nl.add(a_tile, b_tile)
    nisa.dma_copy(dst=c_output, src=c_tile)
    return c_output


@nki.jit
def tensor_add_tiled(a_input, b_input):
    R, C = a_input.shape
    out = nl.ndarray(a_input.shape, dtype=a_input.dtype, buffer=nl.shared_hbm)
    for r in nl.affine_range(R // 128):
        for c in nl.affine_range(C // 512):
            a = nl.ndarray(a_input[r * 128:r * 128 + 128, c * 512:c * 512 + 512].shape, dtype=a_input[r * 128:r * 128 + 128, c * 512:c * 512 + 512].dtype, buffer=nl.sbuf)
            nisa.dma_copy(dst=a, src=a_input[r * 128:r * 128 + 128, c * 512:c * 512 + 512])
            b = nl.ndarray(b_input[r * 128:r * 128 + 128, c * 512:c * 512 + 512].shape, dtype=b_input[r * 128:r * 128 + 128, c * 512:c * 512 + 512].dtype, buffer=nl.sbuf)
            nisa.dma_copy(dst=b, src=b_input[r * 128:r * 128 + 128, c * 512:c * 512 + 512])
            nisa.dma_copy(dst=out[r * 128:r * 128 + 128, c * 512:c * 512 + 512], src=nl.add(a, b))
    return out
