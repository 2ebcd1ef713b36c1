"""Our own kernels for NKI 0.7.0's nisa.NkiScalar (scalar_load / scalar_store), the prepare/trigger
collectives, engine= of activation / activate2, and 0.6.0's nisa.NkiInstruction handles. Plain functions:
the tests wrap them in nki.jit per release. `# ERROR-LINE name` marks the line an error must point at."""
import nki.collectives as ncc
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


# ---- NkiScalar ----
def scalar_roundtrip(n):
    """n: (1, 1) int32 in HBM. The scalar loaded from HBM, stored into SBUF, copied out."""
    s = nisa.scalar_load(n)
    t = nl.ndarray((1, 1), dtype=nl.int32, buffer=nl.sbuf)
    nisa.scalar_store(t, s)
    return _out(t)


def scalar_fori_bound(x, n):
    """acc = x * n[0, 0]: the trip count an NkiScalar loaded from SBUF."""
    xt = _load(x)
    s = nisa.scalar_load(_load(n))
    acc = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.memset(acc, 0.0)

    def body(i):
        nisa.tensor_tensor(dst=acc, data1=acc, data2=xt, op=nl.add)

    nl.fori_loop(0, s, body)
    return _out(acc)


def scalar_offset_row(a, k):
    """a: (R, P, F) in HBM; k: (1, 1) int32. out = a[k] * 3, the row picked by an NkiScalar offset."""
    R, P, F = a.shape
    s = nisa.scalar_load(k)
    tile = nl.ndarray((P, F), dtype=a.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=tile, src=a.ap(pattern=[[F, P], [1, F]], offset=0, scalar_offset=s, indirect_dim=0))
    nisa.tensor_scalar(dst=tile, data=tile, op0=nl.multiply, operand0=3.0)
    return _out(tile)


def scalar_add(n):
    s = nisa.scalar_load(n)
    s2 = s + 1
    t = nl.ndarray((1, 1), dtype=nl.int32, buffer=nl.sbuf)
    nisa.scalar_store(t, s2)
    return _out(t)


def scalar_neg(n):
    s = nisa.scalar_load(n)
    s2 = -s
    t = nl.ndarray((1, 1), dtype=nl.int32, buffer=nl.sbuf)
    nisa.scalar_store(t, s2)
    return _out(t)


def scalar_store_int(n):
    t = nl.ndarray((1, 1), dtype=nl.int32, buffer=nl.sbuf)
    nisa.scalar_store(t, 5)  # ERROR-LINE scalar_store_int
    return _out(t)


def scalar_load_float(x):
    s = nisa.scalar_load(x)  # ERROR-LINE scalar_load_float
    t = nl.ndarray((1, 1), dtype=nl.int32, buffer=nl.sbuf)
    nisa.scalar_store(t, s)
    return _out(t)


def scalar_load_wide(n):
    s = nisa.scalar_load(n)  # ERROR-LINE scalar_load_wide
    t = nl.ndarray((1, 1), dtype=nl.int32, buffer=nl.sbuf)
    nisa.scalar_store(t, s)
    return _out(t)


# ---- NkiInstruction handles ----
def handles(x, y):
    """out = x + y; the handles of the two loads are dependencies of the add (no effect on the result)."""
    xt = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    yt = nl.ndarray(y.shape, dtype=y.dtype, buffer=nl.sbuf)
    h1 = nisa.dma_copy(dst=xt, src=x)
    h2 = nisa.dma_copy(dst=yt, src=y)
    assert isinstance(h1, nisa.NkiInstruction)
    h3 = nisa.tensor_tensor(dst=xt, data1=xt, data2=yt, op=nl.add)
    h3.depends_on(h1, h2)
    return _out(xt)


def handle_is_none(x):
    """Before NKI 0.6.0 an ISA call returns None."""
    xt = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    h = nisa.dma_copy(dst=xt, src=x)
    assert h is None
    return _out(xt)


def handle_class(x):
    xt = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=xt, src=x)
    print(nisa.NkiInstruction)  # ERROR-LINE handle_class
    return _out(xt)


def depends_on_tensor(x):
    xt = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    h = nisa.dma_copy(dst=xt, src=x)
    h.depends_on(xt)  # ERROR-LINE depends_on_tensor
    return _out(xt)


# ---- activation / activate2 engine= ----
def activation_on(x, engine_name):
    xt = _load(x)
    out = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    eng = nisa.engine.gpsimd if engine_name == "gpsimd" else nisa.engine.scalar
    nisa.activation(dst=out, op=nl.exp, data=xt, scale=0.5, bias=0.25, engine=eng)  # ERROR-LINE activation_on
    return _out(out)


def activate2_on(x, engine_name):
    xt = _load(x)
    out = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    eng = nisa.engine.gpsimd if engine_name == "gpsimd" else nisa.engine.scalar
    nisa.activate2(dst=out, op=nl.relu, data=xt, imm0=2.0, imm1=-0.5, op0=nl.multiply, op1=nl.add,
                   engine=eng)  # ERROR-LINE activate2_on
    return _out(out)


def activation_gpsimd_reduce(x):
    xt = _load(x)
    out = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    r = nl.ndarray((x.shape[0], 1), dtype=nl.float32, buffer=nl.sbuf)
    nisa.activation(dst=out, op=nl.exp, data=xt, reduce_op=nl.add, reduce_res=r,
                    engine=nisa.engine.gpsimd)  # ERROR-LINE activation_gpsimd_reduce
    return _out(out)
