# nkic: --arg a=100x512:float32
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def tiled(a):
    assert a.shape[0] % 128 == 0, f"rows must be a multiple of 128, got {a.shape[0]}"
