# nkic: kernel=outer --arg a=4x4:float32
import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def helper(x):
    return x


@nki.jit
def outer(a):
    helper(a)
