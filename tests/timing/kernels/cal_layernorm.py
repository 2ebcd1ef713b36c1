"""Our own NKI 0.3.0 versions of the layernorm tutorial kernels that AWS measured: v1 with nki.language
ops (mean of x and of x^2; the two per-row-scalar steps as tensor_scalar, as 0.3.0 has no nl broadcast), v2 with bn_stats/bn_aggr and one tensor_scalar for (x - mean) * rstd.
x: [R, D]; gamma, beta: [D]. Rows go 128 at a time (a last partial tile when R % 128 != 0, where the
originals used a mask)."""
import nki
import nki.isa as nisa
import nki.language as nl

P = 128


def _params(gamma, beta, D):
    g = nl.broadcast_to(nl.load(gamma.reshape((1, D))), shape=(P, D))
    b = nl.broadcast_to(nl.load(beta.reshape((1, D))), shape=(P, D))
    return g, b


@nki.jit
def layernorm_v1(x, gamma, beta, eps=1e-5):
    R, D = x.shape
    out = nl.ndarray((R, D), dtype=x.dtype, buffer=nl.shared_hbm)
    g, b = _params(gamma, beta, D)
    for i in nl.affine_range(R // P):
        _v1_rows(x, out, g, b, i * P, P, eps)
    if R % P:
        _v1_rows(x, out, g, b, R - R % P, R % P, eps)
    return out


def _v1_rows(x, out, g, b, r0, n, eps):
    xt = nl.load(x[r0:r0 + n, :])
    mean = nl.mean(xt, axis=1)
    var = nl.subtract(nl.mean(nl.square(xt), axis=1), nl.multiply(mean, mean))
    rstd = nl.rsqrt(nl.add(var, eps))
    # 0.3.0 does not broadcast a (P, 1) tile in nl.subtract/nl.multiply: one tensor_scalar per nl op.
    xc = nl.ndarray(xt.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_scalar(dst=xc, data=xt, op0=nl.subtract, operand0=mean)
    y = nl.ndarray(xt.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_scalar(dst=y, data=xc, op0=nl.multiply, operand0=rstd)
    nl.store(out[r0:r0 + n, :], nl.add(nl.multiply(y, g[0:n, :]), b[0:n, :]))


@nki.jit
def layernorm_v2(x, gamma, beta, eps=1e-5):
    R, D = x.shape
    FM = nl.tile_size.bn_stats_fmax
    nch = (D + FM - 1) // FM
    out = nl.ndarray((R, D), dtype=x.dtype, buffer=nl.shared_hbm)
    g, b = _params(gamma, beta, D)
    for i in nl.affine_range(R // P):
        _v2_rows(x, out, g, b, i * P, P, eps, FM, nch)
    if R % P:
        _v2_rows(x, out, g, b, R - R % P, R % P, eps, FM, nch)
    return out


def _v2_rows(x, out, g, b, r0, n, eps, FM, nch):
    D = x.shape[1]
    xt = nl.load(x[r0:r0 + n, :])
    st = nl.ndarray((n, 6 * nch), dtype=nl.float32, buffer=nl.sbuf)
    for c in nl.affine_range(nch):
        nisa.bn_stats(dst=st[:, c * 6:(c + 1) * 6], data=xt[:, c * FM:min(D, (c + 1) * FM)])
    mv = nl.ndarray((n, 2), dtype=nl.float32, buffer=nl.sbuf)
    nisa.bn_aggr(dst=mv, data=st)
    rstd = nl.rsqrt(nl.add(mv[:, 1:2], eps))
    y = nl.ndarray((n, D), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_scalar(dst=y, data=xt, op0=nl.subtract, operand0=mv[:, 0:1], op1=nl.multiply, operand1=rstd)
    nl.store(out[r0:r0 + n, :], nl.add(nl.multiply(y, g[0:n, :]), b[0:n, :]))
