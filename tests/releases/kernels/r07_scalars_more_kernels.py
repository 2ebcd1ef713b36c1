"""Our own kernels for the last items of issue #15: nl.int64 and 64-bit NkiScalars, traced NkiScalar
comparisons and the NkiScalar fori_loop induction value (NKI 0.7.0), the default engine of
rand_set_state / rand_get_state (0.5.0), and the 0.3.0 dma_transpose rank padding. Plain functions: the
tests wrap them in nki.jit per release. `# ERROR-LINE name` marks the line an error must point at."""
import nki.isa as nisa
import nki.language as nl


def _load(x):
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    return t


def _out(t):
    res = nl.ndarray(t.shape, dtype=t.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=res, src=t)
    return res


def _store(s, dtype=nl.int32):
    t = nl.ndarray((1, 1), dtype=dtype, buffer=nl.sbuf)
    nisa.scalar_store(t, s)
    return _out(t)


# ---- nl.int64 and 64-bit NkiScalars ----
def int64_math(n, m):
    """n, m: (1, 1) int64 in HBM. Returns (n * 3 + 2**40, n - m, -n, 7 - m, n * m) as int64 (no 32-bit wrap)."""
    a = nisa.scalar_load(n)
    b = nisa.scalar_load(_load(m))  # from SBUF too
    return (_store(a * 3 + 2**40, nl.int64), _store(a - b, nl.int64), _store(-a, nl.int64),
            _store(7 - b, nl.int64), _store(a * b, nl.int64))


def int64_tiles(x):
    """x: (1, 1) int64. Returns (x copied HBM -> SBUF -> HBM, an int64 tile memset to -5)."""
    t = _load(x)
    z = nl.ndarray((1, 1), dtype=nl.int64, buffer=nl.sbuf)
    nisa.memset(z, -5)
    return _out(t), _out(z)


def int64_offset(a, k):
    """a: (R, P, F) in HBM; k: (1, 1) int64. out = a[k]: an int64 NkiScalar offsets an HBM view."""
    R, P, F = a.shape
    s = nisa.scalar_load(k)
    tile = nl.ndarray((P, F), dtype=a.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=tile, src=a.ap(pattern=[[F, P], [1, F]], offset=0, scalar_offset=s, indirect_dim=0))
    return _out(tile)


def int64_offset_sbuf(a, k):
    R, P, F = a.shape
    s = nisa.scalar_load(k)
    big = _load(a.ap(pattern=[[F, P], [1, F]], offset=0))
    tile = nl.ndarray((1, F), dtype=a.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=tile, src=big.ap(pattern=[[F, 1], [1, F]], offset=0, scalar_offset=s,  # ERROR-LINE int64_offset_sbuf
                                        indirect_dim=0))
    return _out(tile)


def int64_fori_bound(x, k):
    s = nisa.scalar_load(k)
    acc = _load(x)

    def body(i):
        nisa.tensor_copy(dst=acc, src=acc)

    nl.fori_loop(0, s, body)  # ERROR-LINE int64_fori_bound
    return _out(acc)


def int64_compare(n):
    s = nisa.scalar_load(n)
    return _store(s < 3)  # ERROR-LINE int64_compare


def int64_mixed_width(n, m):
    a = nisa.scalar_load(n)
    b = nisa.scalar_load(m)
    return _store(a + b, nl.int64)  # ERROR-LINE int64_mixed_width


def int64_store_narrow(n):
    s = nisa.scalar_load(n)
    t = nl.ndarray((1, 1), dtype=nl.int32, buffer=nl.sbuf)
    nisa.scalar_store(t, s)  # ERROR-LINE int64_store_narrow
    return _out(t)


def int64_compute(x):
    t = _load(x)
    nisa.tensor_scalar(dst=t, data=t, op0=nl.add, operand0=1)  # ERROR-LINE int64_compute
    return _out(t)


def int64_dma_convert(x):
    t = nl.ndarray((1, 1), dtype=nl.int32, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)  # ERROR-LINE int64_dma_convert
    return _out(t)


def int64_name(x):
    t = nl.ndarray((1, 1), dtype=nl.int64, buffer=nl.sbuf)  # ERROR-LINE int64_name
    nisa.dma_copy(dst=t, src=x)
    return _out(t)


# ---- traced comparisons (int32) ----
def compare_all(n, m):
    """n, m: (1, 1) int32. Returns [n < m, n <= m, n > m, n >= m, n == m, n != m, 5 < n, n > -2] as 0/1."""
    a = nisa.scalar_load(n)
    b = nisa.scalar_load(m)
    return (_store(a < b), _store(a <= b), _store(a > b), _store(a >= b), _store(a == b), _store(a != b),
            _store(5 < a), _store(a > -2))


def compare_if(n):
    s = nisa.scalar_load(n)
    if s < 3:  # ERROR-LINE compare_if
        s = s + 1
    return _store(s)


def truth_caught(n):
    """1 when testing a comparison's truth raises TypeError (caught in the kernel), else 0."""
    s = nisa.scalar_load(n)
    try:
        if s < 3:
            pass
        v = 0
    except TypeError:
        v = 1
    t = nl.ndarray((1, 1), dtype=nl.int32, buffer=nl.sbuf)
    nisa.memset(t, v)
    return _out(t)


def compare_offset(a, k):
    R, P, F = a.shape
    s = nisa.scalar_load(k)
    tile = nl.ndarray((P, F), dtype=a.dtype, buffer=nl.sbuf)
    c = s > 0
    nisa.dma_copy(dst=tile, src=a.ap(pattern=[[F, P], [1, F]], offset=0, scalar_offset=c,  # ERROR-LINE compare_offset
                                     indirect_dim=0))
    return _out(tile)


def compare_math(n):
    s = nisa.scalar_load(n)
    c = s == 1
    return _store(c + 1)  # ERROR-LINE compare_math


def compare_bound(x, n):
    s = nisa.scalar_load(n)
    acc = _load(x)

    def body(i):
        nisa.tensor_copy(dst=acc, src=acc)

    nl.fori_loop(0, s != 0, body)  # ERROR-LINE compare_bound
    return _out(acc)


def compare_chain(n):
    s = nisa.scalar_load(n)
    return _store(0 < s < 5)  # ERROR-LINE compare_chain


def scalar_while(n):
    s = nisa.scalar_load(n)
    while s:  # ERROR-LINE scalar_while
        s = s - 1
    return _store(s)


# ---- the fori_loop induction value ----
def fori_even_rows(a):
    """a: (2T, P, F). out[t] = a[2 * t + 1]: arithmetic on the induction value (an NkiScalar)."""
    R, P, F = a.shape
    T = R // 2
    out = nl.ndarray((T, P, F), dtype=a.dtype, buffer=nl.shared_hbm)

    def body(t):
        tile = nl.ndarray((P, F), dtype=a.dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=tile, src=a.ap(pattern=[[F, P], [1, F]], offset=0, scalar_offset=t * 2 + 1,  # ERROR-LINE fori_iv
                                         indirect_dim=0))
        nisa.dma_copy(dst=out.ap(pattern=[[F, P], [1, F]], offset=0, scalar_offset=t, indirect_dim=0), src=tile)

    nl.fori_loop(0, T, body)
    return out


def fori_register_iv(a, n):
    """A VirtualRegister bound keeps the induction value a VirtualRegister: `t * 2` is an error."""
    R, P, F = a.shape
    r = nisa.register_alloc()
    nisa.register_load(r, _load(n))
    out = nl.ndarray((R, P, F), dtype=a.dtype, buffer=nl.shared_hbm)

    def body(t):
        tile = nl.ndarray((P, F), dtype=a.dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=tile, src=a.ap(pattern=[[F, P], [1, F]], offset=0, scalar_offset=t * 2,  # ERROR-LINE fori_reg
                                         indirect_dim=0))
        nisa.dma_copy(dst=out.ap(pattern=[[F, P], [1, F]], offset=0, scalar_offset=t, indirect_dim=0), src=tile)

    nl.fori_loop(0, r, body)
    return out


def fori_store_iv(x):
    """out[0, t] = t for t < n: the induction value stored with scalar_store (an NkiScalar)."""
    n = x.shape[1]
    out = nl.ndarray((1, n), dtype=nl.int32, buffer=nl.shared_hbm)

    def body(t):
        tile = nl.ndarray((1, 1), dtype=nl.int32, buffer=nl.sbuf)
        nisa.scalar_store(tile, t * 3)
        nisa.dma_copy(dst=out.ap(pattern=[[n, 1], [1, 1]], offset=0, scalar_offset=t, indirect_dim=1), src=tile)

    nl.fori_loop(0, n, body)
    return out


# ---- rand_set_state / rand_get_state default engine ----
def state_default_engine(state):
    """rand_set_state then rand_get_state, engine= omitted: the state read back."""
    st = _load(state)
    nisa.rand_set_state(src_seeds=st)  # ERROR-LINE state_default
    g = nl.ndarray(state.shape, dtype=nl.uint32, buffer=nl.sbuf)
    nisa.rand_get_state(dst=g)
    return _out(g)


# ---- dma_transpose rank (0.3.0 padding) ----
def transpose_padded(x):
    """x: (A, B) in HBM. dst (B, 1, A) in SBUF: a rank-3 dst for a 2-D transpose."""
    A, B = x.shape
    t = nl.ndarray((B, 1, A), dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_transpose(dst=t, src=x)  # ERROR-LINE transpose_padded
    return _out(t)


def transpose_squeezed(x):
    """x: (1, A, B) in HBM (axes (2, 1, 0): (B, A, 1)). dst (B, A) in SBUF: a rank-2 dst."""
    _, A, B = x.shape
    t = nl.ndarray((B, A), dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_transpose(dst=t, src=x)
    return _out(t)


def transpose_wrong(x):
    A, B = x.shape
    t = nl.ndarray((A, 1, B), dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_transpose(dst=t, src=x)  # ERROR-LINE transpose_wrong
    return _out(t)
