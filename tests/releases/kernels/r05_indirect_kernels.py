"""Our kernels for NKI 0.5.0's tensor indirection, `NkiTensor.indirect(index, num_elem=None)`
(tests/releases/test_r05_indirect.py). Offset i of an indirect view is index[i % G, i // G] (G = 16 on
VectorE/ScalarE/GpSimd, 32 on TensorE); an index tile of more than G partitions holds one offset list
per partition group. `# ERROR-LINE name` marks the line an error must point at."""
import nki.isa as nisa
import nki.language as nl


def _load(x, buffer=nl.sbuf):
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=buffer)
    nisa.dma_copy(dst=t, src=x)
    return t


def _store(t):
    out = nl.ndarray(t.shape, dtype=t.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=t)
    return out


def gather_tensor_tensor(a, b, idx):
    """dst = a.indirect(idx) + b: a gather of a's columns as data1 of tensor_tensor."""
    P, F = a.shape
    n = b.shape[1]
    at, bt, it = _load(a), _load(b), _load(idx)
    out = nl.ndarray((P, n), dtype=nl.float32, buffer=nl.sbuf)
    g = at.indirect(it, n)  # ERROR-LINE gather
    flag = g.is_indirect()
    nisa.tensor_tensor(dst=out, data1=g, data2=bt, op=nl.add)  # ERROR-LINE gather_use
    assert flag and not at.is_indirect()
    return _store(out)


def scatter_tensor_copy(base, src, idx):
    """base.indirect(idx) = src: a scatter of src's columns into a copy of base (tensor_copy dst)."""
    bt, st, it = _load(base), _load(src), _load(idx)
    nisa.tensor_copy(dst=bt.indirect(it, src.shape[1]), src=st)
    return _store(bt)


def matmul_indirect_moving(w, x, idx):
    """psum = w.T @ x.indirect(idx): the moving operand gathered on TensorE (G = 32)."""
    K, M = w.shape
    n = idx.shape[1] * 32
    wt, xt, it = _load(w), _load(x), _load(idx)
    ps = nl.ndarray((M, n), dtype=nl.float32, buffer=nl.psum)
    nisa.nc_matmul(dst=ps, stationary=wt, moving=xt.indirect(it, n))
    out = nl.ndarray((M, n), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=out, src=ps)
    return _store(out)


def activation_indirect(x, idx):
    """exp of gathered columns on ScalarE, written to a dense tile."""
    P = x.shape[0]
    n = idx.shape[1] * 16
    xt, it = _load(x), _load(idx)
    out = nl.ndarray((P, n), dtype=nl.float32, buffer=nl.sbuf)
    nisa.activation(dst=out, op=nl.exp, data=xt.indirect(it, n))
    return _store(out)


def activation_scatter(x, base, idx):
    """A ScalarE scatter into SBUF: base.indirect(idx) = exp(x)."""
    xt, bt, it = _load(x), _load(base), _load(idx)
    nisa.activation(dst=bt.indirect(it, x.shape[1]), op=nl.exp, data=xt)
    return _store(bt)


# ---- errors ----
def act_scatter_psum(x, idx):
    xt, it = _load(x), _load(idx)
    ps = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.psum)
    nisa.memset(dst=ps, value=0.0)
    nisa.activation(dst=ps.indirect(it, x.shape[1]), op=nl.exp, data=xt)  # ERROR-LINE act_psum
    out = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=out, src=ps)
    return _store(out)


def unsupported_instruction(x, idx):
    xt, it = _load(x), _load(idx)
    out = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.reciprocal(dst=out, data=xt.indirect(it))  # ERROR-LINE unsupported
    return _store(out)


def re_indirect(x, idx):
    xt, it = _load(x), _load(idx)
    g = xt.indirect(it).indirect(it)  # ERROR-LINE re_indirect
    out = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=out, src=g)
    return _store(out)


def slice_indirect_dim(x, idx):
    xt, it = _load(x), _load(idx)
    g = xt.indirect(it).slice(1, 0, 8)  # ERROR-LINE slice_dim
    out = nl.ndarray((x.shape[0], 8), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=out, src=g)
    return _store(out)


def index_indirect_dim(x, idx):
    xt, it = _load(x), _load(idx)
    g = xt.indirect(it)[:, 0:8]  # ERROR-LINE index_dim
    out = nl.ndarray((x.shape[0], 8), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=out, src=g)
    return _store(out)


def copy_indirect(x, idx):
    """out = x.indirect(idx) (tensor_copy gather): an out-of-range offset fails at the copy's line."""
    xt, it = _load(x), _load(idx)
    out = nl.ndarray((x.shape[0], idx.shape[1] * 16), dtype=x.dtype, buffer=nl.sbuf)
    nisa.tensor_copy(dst=out, src=xt.indirect(it, idx.shape[1] * 16))  # ERROR-LINE copy
    return _store(out)


def dma_of_indirect(x, idx):
    xt, it = _load(x), _load(idx)
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=xt.indirect(it))  # ERROR-LINE dma
    return out
