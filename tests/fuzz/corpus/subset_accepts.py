from enum import Enum
import nki
import nki.isa as nisa
import nki.language as nl


class Mode(Enum):
    A = 0
    B = 1


class Cfg(nl.NKIObject):
    n: int = 4

    def __init__(self, n=4):
        self.n = n

    @staticmethod
    def make(n: int = 4) -> "Cfg":
        return Cfg(n)


def helper(x, y=None, *, z=2, **opts):
    def inner(t):
        return t * 2
    return inner(x) if y is None else y


@nki.jit
def kernel(a, b=None, mode=Mode.A, scale: float = 1.0):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    assert a.shape[0] <= 128, f"bad {a.shape[0]=} {scale:.3f} {scale!r:>10}"
    if b is not None and a.dtype in (nl.float32, nl.bfloat16) and mode not in [Mode.B]:
        raise ValueError(f"unsupported {mode}")
    with nl.no_reorder():
        t = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=t, src=a)
        nisa.dma_copy(dst=out, src=t)
    x, *rest = (1, 2, 3)
    d = {"a": 1, **{"b": 2}}
    s = a[0:128, ::2][..., None]
    print(f"{'nested' + f'{x:{rest[0]}}'}", rf"\d{x}", b"bytes", 0x_ff if False else 1_000j)
    return out
