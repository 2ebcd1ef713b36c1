"""A Beta 1 kernel (the legacy namespace, launched by neuronxcc.nki.jit): no NKI release applies to it."""
from neuronxcc import nki
import neuronxcc.nki.language as nl


@nki.jit
def legacy_add(a_input, b_input):
    out = nl.ndarray(a_input.shape, dtype=a_input.dtype, buffer=nl.shared_hbm)
    for i in nl.affine_range(a_input.shape[0] // 128):
        a = nl.load(a_input[i * 128:(i + 1) * 128, :])
        b = nl.load(b_input[i * 128:(i + 1) * 128, :])
        nl.store(out[i * 128:(i + 1) * 128, :], value=a + b)
    return out
