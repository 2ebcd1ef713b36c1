"""Our own kernels for NKI 0.7.0's NkiScalar arithmetic (`+ - *` with an int or another NkiScalar, unary
`-`; int32 wraps). Plain functions: the tests wrap them in nki.jit per release. `# ERROR-LINE name` marks
the line an error must point at."""
import nki.isa as nisa
import nki.language as nl


def _out(t):
    res = nl.ndarray(t.shape, dtype=t.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=res, src=t)
    return res


def _store(s):
    t = nl.ndarray((1, 1), dtype=nl.int32, buffer=nl.sbuf)
    nisa.scalar_store(t, s)
    return _out(t)


def affine_and_neg(n):
    """n: (1, 1) int32 in HBM. Returns (n * 2 + 1, -n)."""
    s = nisa.scalar_load(n)
    return _store(s * 2 + 1), _store(-s)


def mixed(n, m):
    """n, m: (1, 1) int32. Returns (n - m, n * m, 10 - n, 3 * n + m, n - 5), every form of the operators."""
    a = nisa.scalar_load(n)
    b = nisa.scalar_load(m)
    return _store(a - b), _store(a * b), _store(10 - a), _store(3 * a + b), _store(a - 5)


def offset_from_math(a, k):
    """a: (R, P, F) in HBM; k: (1, 1) int32. out = a[2 * k - 1], the row an NkiScalar computed."""
    R, P, F = a.shape
    s = nisa.scalar_load(k) * 2 - 1
    tile = nl.ndarray((P, F), dtype=a.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=tile, src=a.ap(pattern=[[F, P], [1, F]], offset=0, scalar_offset=s, indirect_dim=0))
    return _out(tile)


def augmented(n):
    """s += 1; s *= 3: augmented assignment rebinds s to a new NkiScalar."""
    s = nisa.scalar_load(n)
    s += 1
    s *= 3
    return _store(s)


def scalar_div(n):
    s = nisa.scalar_load(n)
    return _store(s // 2)  # ERROR-LINE scalar_div


def scalar_float(n):
    s = nisa.scalar_load(n)
    return _store(s + 1.5)  # ERROR-LINE scalar_float


def scalar_big_int(n):
    s = nisa.scalar_load(n)
    return _store(s + 2**32)  # ERROR-LINE scalar_big_int


def scalar_and_register(n):
    s = nisa.scalar_load(n)
    r = nisa.register_alloc(1)
    return _store(s + r)  # ERROR-LINE scalar_and_register
