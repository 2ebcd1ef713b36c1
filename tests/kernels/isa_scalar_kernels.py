"""ScalarE activation kernels: activation with scale/bias forms and the accumulator registers."""
import nki
import nki.isa as nisa
import nki.language as nl

ACT = {"copy": nl.copy, "square": nl.square, "exp": nl.exp, "log": nl.log, "tanh": nl.tanh, "sigmoid": nl.sigmoid,
       "relu": nl.relu, "gelu": nl.gelu, "gelu_dx": nl.gelu_dx, "gelu_apprx_tanh": nl.gelu_apprx_tanh,
       "gelu_apprx_sigmoid": nl.gelu_apprx_sigmoid, "gelu_apprx_sigmoid_dx": nl.gelu_apprx_sigmoid_dx,
       "silu": nl.silu, "silu_dx": nl.silu_dx, "softplus": nl.softplus, "mish": nl.mish, "erf": nl.erf,
       "erf_dx": nl.erf_dx, "sign": nl.sign, "abs": nl.abs, "sin": nl.sin, "arctan": nl.arctan, "sqrt": nl.sqrt,
       "rsqrt": nl.rsqrt, "reciprocal": nl.reciprocal}
DT = {"float32": nl.float32, "bfloat16": nl.bfloat16, "float8_e5m2": nl.float8_e5m2}

from tile_io import load_tile as _load, store_tile as _out  # noqa: E402


@nki.jit
def act_k(x, fn="exp", scale=1.0, bias=0.0, out_dtype="float32"):
    xt = _load(x)
    o = nl.ndarray(x.shape, dtype=DT[out_dtype], buffer=nl.sbuf)
    nisa.activation(dst=o, op=ACT[fn], data=xt, bias=bias, scale=scale)
    return _out(o)


@nki.jit
def act_tiles_k(x, scale, bias, fn="exp"):
    xt, st, bt = _load(x), _load(scale), _load(bias)
    o = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.activation(o, ACT[fn], xt, bias=bt, scale=st)
    return _out(o)


@nki.jit
def act_reduce_k(x, bias):
    xt, bt = _load(x), _load(bias)
    o = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    s = nl.ndarray((x.shape[0], 1), dtype=nl.float32, buffer=nl.sbuf)
    nisa.activation_reduce(dst=o, op=nl.exp, data=xt, reduce_op=nl.add, reduce_res=s, bias=bt)
    return _out(o), _out(s)


@nki.jit
def accumulate_chain_k(x):
    """Accumulate over column chunks with reset_reduce, reduce, reduce; read out on the last."""
    P, F = x.shape
    xt = _load(x)
    o = nl.ndarray((P, F), dtype=nl.float32, buffer=nl.sbuf)
    s = nl.ndarray((P, 1), dtype=nl.float32, buffer=nl.sbuf)
    c = F // 4
    for i in range(4):
        cmd = nisa.reduce_cmd.reset_reduce if i == 0 else nisa.reduce_cmd.reduce
        if i == 3:
            nisa.activation(dst=o[:, i * c:(i + 1) * c], op=nl.square, data=xt[:, i * c:(i + 1) * c],
                            reduce_op=nl.add, reduce_res=s, reduce_cmd=cmd)
        else:
            nisa.activation(dst=o[:, i * c:(i + 1) * c], op=nl.square, data=xt[:, i * c:(i + 1) * c],
                            reduce_op=nl.add, reduce_cmd=cmd)
    return _out(s)


@nki.jit
def bad_act_alu_only(x):
    xt = _load(x)
    nisa.activation(dst=xt, op=nl.add, data=xt)
    return x


@nki.jit
def bad_act_bias_shape(x):
    xt = _load(x)
    nisa.activation(dst=xt, op=nl.exp, data=xt, bias=xt)
    return x


@nki.jit
def bad_reduce_cmd_int(x):
    xt = _load(x)
    nisa.activation(dst=xt, op=nl.exp, data=xt, reduce_cmd=3)
    return x
