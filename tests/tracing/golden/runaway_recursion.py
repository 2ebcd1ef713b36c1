# call: kernel(np.zeros((128, 64), np.float32))
# the stack of a runaway recursion is folded
import nki
import nki.language as nl


def split(n):
    return split(n // 2 + 1)


@nki.jit
def kernel(a):
    t = nl.ndarray((split(a.shape[0]), 64), dtype=a.dtype, buffer=nl.sbuf)
    return t
