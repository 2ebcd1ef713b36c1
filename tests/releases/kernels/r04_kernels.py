"""Our kernels for the APIs NKI 0.4.0 added (tests/releases/test_r04.py). `# ERROR-LINE name` marks the
line an error under an older release must point at."""
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


def act2_scale_bias(x):
    """exp(x * 0.5 + 0.25) and (x * 2 - 1) through the two tensor-scalar stages."""
    t = _load(x)
    a = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.activate2(dst=a, op=nl.exp, data=t, imm0=0.5, imm1=0.25, op0=nl.multiply, op1=nl.add)  # ERROR-LINE act2
    b = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.activate2(b, nl.copy, t, 2.0, 1.0, nl.multiply, nl.subtract)
    o = nl.ndarray((x.shape[0], 2 * x.shape[1]), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=o[:, 0:x.shape[1]], src=a)
    nisa.dma_copy(dst=o[:, x.shape[1]:2 * x.shape[1]], src=b)
    return o


def act2_prelu(x, col, slope):
    """prelu(col - x) with a per-partition slope tile: reverse0 with a (P, 1) imm0 tile."""
    t, c, s = _load(x), _load(col), _load(slope)
    a = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.activate2(dst=a, op=nl.prelu, data=t, imm0=c, imm1=0.0, op0=nl.subtract, op1=nl.bypass,  # ERROR-LINE prelu
                   relu_param=s, reverse0=True)
    return _store(a)


def act2_prelu_imm(x):
    t = _load(x)
    a = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.activate2(a, nl.prelu, t, 0.0, 0.0, nl.bypass, nl.bypass, relu_param=0.125)
    return _store(a)


def act2_reduce(x, y, rop):
    """reduce_res = rop over relu(x) and relu(y): reset_reduce on x, then reduce on y."""
    t, u = _load(x), _load(y)
    a = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    r = nl.ndarray((x.shape[0], 1), dtype=nl.float32, buffer=nl.sbuf)
    nisa.activate2(a, nl.copy, t, 1.0, 0.0, nl.multiply, nl.bypass, reduce_op=rop,
                   reduce_cmd=nisa.reduce_cmd.reset_reduce)
    nisa.activate2(a, nl.copy, u, 1.0, 0.0, nl.multiply, nl.bypass, reduce_op=rop, reduce_res=r,
                   reduce_cmd=nisa.reduce_cmd.reduce)
    return _store(r)


def abs_max_min(x, y):
    """[abs_max(x, y) | abs_min(x, y) | tensor_tensor abs_max | tensor_scalar abs_min with 0.5]."""
    t, u = _load(x), _load(y)
    P, F = x.shape
    o = nl.ndarray((P, 4 * F), dtype=nl.float32, buffer=nl.shared_hbm)
    m = nl.abs_max(t, u)  # ERROR-LINE abs_max
    n = nl.abs_min(t, u)
    tt = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_tensor(dst=tt, data1=t, data2=u, op=nl.abs_max)
    ts = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_scalar(dst=ts, data=t, op0=nl.abs_min, operand0=0.5)
    for i, v in enumerate((m, n, tt, ts)):
        nisa.dma_copy(dst=o[:, i * F:(i + 1) * F], src=v)
    return o


def ts_square_relu(x):
    """tensor_scalar op0 = nl.square then + 1, and op0 = nl.relu then * 3."""
    t = _load(x)
    a = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_scalar(dst=a, data=t, op0=nl.square, operand0=0.0, op1=nl.add, operand1=1.0)
    b = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_scalar(dst=b, data=t, op0=nl.relu, operand0=0.0, op1=nl.multiply, operand1=3.0)
    o = nl.ndarray((x.shape[0], 2 * x.shape[1]), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=o[:, 0:x.shape[1]], src=a)
    nisa.dma_copy(dst=o[:, x.shape[1]:2 * x.shape[1]], src=b)
    return o


def tsr_accumulate(x, y):
    """reduce_res = sum(x * 2) + sum(y * 2) via reset_reduce then reduce; second column: 5 + sum(y * 2)
    via load_reduce with reduce_init=5.0; third: a (P, 1) reduce_init tile."""
    t, u = _load(x), _load(y)
    P = x.shape[0]
    d = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    r = nl.ndarray((P, 3), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_scalar_reduce(d, t, nl.multiply, 2.0, nl.add, r[:, 0:1])
    nisa.tensor_scalar_reduce(d, u, nl.multiply, 2.0, nl.add, r[:, 0:1],
                              reduce_cmd=nisa.reduce_cmd.reduce)  # ERROR-LINE tsr
    nisa.tensor_scalar_reduce(d, u, nl.multiply, 2.0, nl.add, r[:, 1:2], reduce_cmd=nisa.reduce_cmd.load_reduce,
                              reduce_init=5.0)
    init = nl.ndarray((P, 1), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_reduce(dst=init, op=nl.max, data=t, axis=1)
    nisa.tensor_scalar_reduce(d, u, nl.multiply, 2.0, nl.maximum, r[:, 2:3],
                              reduce_cmd=nisa.reduce_cmd.load_reduce, reduce_init=init)
    return _store(r)


def dma_priority(x):
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x, priority=1)  # ERROR-LINE priority
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=t, priority=3)
    return out


def tile_sizes(x):
    """Asserts the 0.4.0 tile_size fields at trace time, then copies x."""
    ts = nl.tile_size
    assert ts.sbuf_fmax_bytes > 0  # ERROR-LINE tile_size
    assert ts.sbuf_fmax * 4 == ts.sbuf_fmax_bytes
    assert ts.psum_bank_fmax == 512 and ts.psum_bank_fmax_bytes == 2048
    assert ts.sbuf_size_bytes % ts.pmax == 0
    return _store(_load(x))


def bypass_probe(x):
    t = _load(x)
    a = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_scalar(dst=a, data=t, op0=nl.add, operand0=1.0, op1=nl.bypass, operand1=0.0)  # ERROR-LINE bypass
    return _store(a)


def prelu_probe(x):
    t = _load(x)
    f = nl.prelu  # ERROR-LINE prelu_probe
    nisa.activation(dst=t, op=f, data=t)
    return _store(t)
