"""Kernels of the release-selection tests (tests/releases/test_selection.py): the names and constructs
later releases deprecated or removed, each next to a NumPy-checkable result. `# ERROR-LINE name` marks
the line an error must point at."""
import nki.isa as nisa
import nki.language as nl


def _load(x):
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    return t


def _store(t):
    out = nl.ndarray(t.shape, dtype=t.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=t)
    return out


def double(x):
    """out = x + x."""
    t = _load(x)
    nisa.tensor_tensor(dst=t, data1=t, data2=t, op=nl.add)
    return _store(t)


def double_halves(x):
    """out = x + x under LNC2 (kernel[2]), each core its half of the rows (no race between the stores)."""
    c = nl.program_id(0)
    h = x.shape[0] // 2
    t = nl.ndarray((h, x.shape[1]), dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x[c * h:(c + 1) * h, :])
    nisa.tensor_tensor(dst=t, data1=t, data2=t, op=nl.add)
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out[c * h:(c + 1) * h, :], src=t)
    return out


def dynamic_range_add(x, n):
    """acc = x * n with nl.dynamic_range (deprecated 0.6.0, removed 0.7.0)."""
    xt = _load(x)
    acc = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.memset(acc, 0.0)
    for _ in nl.dynamic_range(n):  # ERROR-LINE dynamic_range
        nisa.tensor_tensor(dst=acc, data1=acc, data2=xt, op=nl.add)
    return _store(acc)


def while_register_add(x, count):
    """acc = x * count[0, 0] with `while reg:` (deprecated 0.6.0, removed 0.7.0)."""
    xt = _load(x)
    c = _load(count)
    r = nisa.register_alloc()
    nisa.register_load(r, c)
    acc = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.memset(acc, 0.0)
    while r:  # ERROR-LINE while
        nisa.tensor_tensor(dst=acc, data1=acc, data2=xt, op=nl.add)
        nisa.tensor_scalar(dst=c, data=c, op0=nl.subtract, operand0=1)
        nisa.register_load(r, c)
    return _store(acc)


def sbuf_size(x):
    """out = x * nl.tile_size.total_available_sbuf_size (deprecated 0.4.0)."""
    t = _load(x)
    nisa.tensor_scalar(dst=t, data=t, op0=nl.multiply, operand0=float(nl.tile_size.total_available_sbuf_size))
    return _store(t)


def copy_dynamic(x):
    """nisa.tensor_copy_dynamic_src (removed 0.4.0)."""
    t = _load(x)
    nisa.tensor_copy_dynamic_src(dst=t, src=t)  # ERROR-LINE copy_dynamic
    return _store(t)


def affine_double(x):
    """out = x + x, row block by row block with nl.affine_range (deprecated 0.7.0)."""
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    for i in nl.affine_range(x.shape[0] // 32):
        t = nl.ndarray((32, x.shape[1]), dtype=x.dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=t, src=x[i * 32:(i + 1) * 32, :])
        nisa.tensor_tensor(dst=t, data1=t, data2=t, op=nl.add)
        nisa.dma_copy(dst=out[i * 32:(i + 1) * 32, :], src=t)
    return out


def legacy_namespace_double(x):
    """out = x + x, importing the legacy namespace inside an nki kernel (a warning in 0.3.0, an error from 0.4.0)."""
    import neuronxcc.nki.language as lnl  # ERROR-LINE legacy
    t = _load(x)
    nisa.tensor_tensor(dst=t, data1=t, data2=t, op=lnl.add)
    return _store(t)


def nl_copy(x):
    """out = nl.copy(x): a ScalarE activation(copy) before 0.6.0, a VectorE tensor_copy from 0.6.0."""
    t = _load(x)
    return _store(nl.copy(t))


def transpose_engine(x):
    """out = x.T (32x32) with nc_transpose(engine=vector) into PSUM: 0.3.0 ignored engine= (TensorE, its
    choice for SBUF -> PSUM); from 0.4.0 it is honoured (VectorE)."""
    t = _load(x)
    p = nl.ndarray((x.shape[1], x.shape[0]), dtype=x.dtype, buffer=nl.psum)
    nisa.nc_transpose(dst=p, data=t, engine=nisa.engine.vector)
    s = nl.ndarray(p.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.tensor_copy(dst=s, src=p)
    return _store(s)
