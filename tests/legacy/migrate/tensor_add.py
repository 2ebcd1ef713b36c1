"""Beta 1 tensor add in the getting-started style (migration fixture)."""
from neuronxcc import nki
import neuronxcc.nki.language as nl


@nki.jit(mode="simulation", platform_target="trn2")
def tensor_add(a_input, b_input):
    c_output = nl.ndarray(a_input.shape, dtype=a_input.dtype, buffer=nl.shared_hbm)
    a_tile = nl.load(a_input)   # one [128, 512] tile
    b_tile = nl.load(b_input)
    c_tile = a_tile + b_tile
    nl.store(c_output, value=c_tile)
    return c_output


@nki.jit
def tensor_add_tiled(a_input, b_input):
    R, C = a_input.shape
    out = nl.ndarray(a_input.shape, dtype=a_input.dtype, buffer=nl.shared_hbm)
    i_p = nl.arange(128)[:, None]
    i_f = nl.arange(512)[None, :]
    for r in nl.affine_range(R // 128):
        for c in nl.affine_range(C // 512):
            a = nl.load(a_input[r * 128 + i_p, c * 512 + i_f])
            b = nl.load(b_input[r * 128 + i_p, c * 512 + i_f])
            nl.store(out[r * 128 + i_p, c * 512 + i_f], value=nl.add(a, b))
    return out
