"""VectorE instruction kernels (0.3.0 ISA style): one small kernel per instruction, parameterized by
compile-time arguments (operator names, flags)."""
import nki
import nki.isa as nisa
import nki.language as nl


OPS = {"add": nl.add, "subtract": nl.subtract, "multiply": nl.multiply, "divide": nl.divide, "maximum": nl.maximum,
       "minimum": nl.minimum, "max": nl.max, "min": nl.min, "power": nl.power, "equal": nl.equal,
       "not_equal": nl.not_equal, "less": nl.less, "greater_equal": nl.greater_equal, "logical_and": nl.logical_and,
       "bitwise_and": nl.bitwise_and, "bitwise_or": nl.bitwise_or, "bitwise_xor": nl.bitwise_xor,
       "left_shift": nl.left_shift, "right_shift": nl.right_shift, "invert": nl.invert, "rsqrt": nl.rsqrt,
       "abs": nl.abs, "reciprocal": nl.reciprocal}


DT = {"float32": nl.float32, "bfloat16": nl.bfloat16, "float8_e4m3": nl.float8_e4m3, "int32": nl.int32,
      "uint8": nl.uint8}


def _dt(name, default):
    return default if name is None else DT[name]


def _op(name):
    return OPS[name]


def _load(x):
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    return t


def _out(t, shape):
    res = nl.ndarray(shape, dtype=t.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=res, src=t)
    return res


@nki.jit
def tensor_tensor_k(x, y, op_name="add", out_dtype=None):
    xt, yt = _load(x), _load(y)
    o = nl.ndarray(x.shape, dtype=_dt(out_dtype, x.dtype), buffer=nl.sbuf)
    nisa.tensor_tensor(dst=o, data1=xt, data2=yt, op=_op(op_name))
    return _out(o, x.shape)


@nki.jit
def tensor_scalar_k(x, op0="add", c0=1.0, rev0=False, op1=None, c1=None, rev1=False, out_dtype=None):
    xt = _load(x)
    o = nl.ndarray(x.shape, dtype=_dt(out_dtype, x.dtype), buffer=nl.sbuf)
    if op1 is None:
        nisa.tensor_scalar(dst=o, data=xt, op0=_op(op0), operand0=c0, reverse0=rev0)
    else:
        nisa.tensor_scalar(o, xt, _op(op0), c0, rev0, _op(op1), c1, rev1)
    return _out(o, x.shape)


@nki.jit
def tensor_scalar_col_k(x, s0, s1, op0="subtract", op1="multiply", rev0=False, rev1=False):
    xt, a, b = _load(x), _load(s0), _load(s1)
    o = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.tensor_scalar(dst=o, data=xt, op0=_op(op0), operand0=a, reverse0=rev0, op1=_op(op1),
                       operand1=b, reverse1=rev1, engine=nisa.engine.vector)
    return _out(o, x.shape)


@nki.jit
def scalar_tensor_tensor_k(x, s, y, op0="subtract", op1="multiply", rev0=False, rev1=False):
    xt, st, yt = _load(x), _load(s), _load(y)
    o = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.scalar_tensor_tensor(dst=o, data=xt, op0=_op(op0), operand0=st, op1=_op(op1), operand1=yt,
                              reverse0=rev0, reverse1=rev1)
    return _out(o, x.shape)


@nki.jit
def tensor_reduce_k(x, op_name="add", axis=1, negate=False, keepdims=False, out_shape=None):
    xt = _load(x)
    o = nl.ndarray(out_shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.tensor_reduce(dst=o, op=_op(op_name), data=xt, axis=axis, negate=negate, keepdims=keepdims)
    return _out(o, out_shape)


@nki.jit
def reciprocal_k(x):
    xt = _load(x)
    o = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.reciprocal(dst=o, data=xt)
    return _out(o, x.shape)


@nki.jit
def copy_predicated_k(x, y, pred, reverse=False):
    xt, yt, pt = _load(x), _load(y), _load(pred)
    nisa.tensor_copy_predicated(dst=xt, src=yt, predicate=pt, reverse_pred=reverse)
    return _out(xt, x.shape)


@nki.jit
def scan_k(a, b, init, op0="multiply", op1="add", rev0=False, rev1=False):
    at, bt, it = _load(a), _load(b), _load(init)
    o = nl.ndarray(a.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_tensor_scan(dst=o, data0=at, data1=bt, initial=it, op0=_op(op0), op1=_op(op1),
                            reverse0=rev0, reverse1=rev1)
    return _out(o, a.shape)


@nki.jit
def memset_k(shape, dtype, value):
    o = nl.ndarray(shape, dtype=DT[dtype], buffer=nl.sbuf)
    nisa.memset(dst=o, value=value)
    return _out(o, shape)


@nki.jit
def psum_chain_k(x, y):
    """tensor_tensor with data1 in PSUM, written there by tensor_copy (VectorE reads/writes PSUM)."""
    xt, yt = _load(x), _load(y)
    p = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.psum)
    nisa.tensor_copy(dst=p, src=xt)
    o = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.tensor_tensor(dst=o, data1=p, data2=yt, op=nl.multiply)
    return _out(o, x.shape)


@nki.jit
def bad_tensor_scalar_raw_engine(x):
    xt = _load(x)
    nisa.tensor_scalar(dst=xt, data=xt, op0=nl.add, operand0=1.0, engine=5)
    return x


@nki.jit
def bad_both_psum(x):
    p1 = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.psum)
    p2 = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.psum)
    o = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_tensor(dst=o, data1=p1, data2=p2, op=nl.add)
    return x


@nki.jit
def bad_bitvec_float(x):
    xt = _load(x)
    nisa.tensor_scalar(dst=xt, data=xt, op0=nl.bitwise_and, operand0=3)
    return x


@nki.jit
def bad_reduce_axis0(x):
    xt = _load(x)
    o = nl.ndarray((1, x.shape[1]), dtype=x.dtype, buffer=nl.sbuf)
    nisa.tensor_reduce(dst=o, op=nl.add, data=xt, axis=0)
    return x


@nki.jit
def bad_reduce_not_trailing(x):
    xt = _load(x)
    o = nl.ndarray((x.shape[0], x.shape[2]), dtype=x.dtype, buffer=nl.sbuf)
    nisa.tensor_reduce(dst=o, op=nl.add, data=xt, axis=1)
    return x


@nki.jit
def bad_exp_as_alu(x):
    xt = _load(x)
    nisa.tensor_tensor(dst=xt, data1=xt, data2=xt, op=nl.exp)
    return x


@nki.jit
def bad_op1_without_operand1(x):
    xt = _load(x)
    nisa.tensor_scalar(dst=xt, data=xt, op0=nl.add, operand0=1.0, op1=nl.multiply)
    return x
