"""nki.language convenience APIs (0.3.0 §4.11): the quickstart style of kernel."""
import nki
import nki.language as nl


@nki.jit
def quickstart_add(a, b):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    x = nl.load(a)
    y = nl.load(b)
    nl.store(out, nl.add(x, y))
    return out


@nki.jit
def elementwise_mix(a, b):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    x, y = nl.load(a), nl.load(b)
    z = nl.multiply(nl.subtract(x, y), 2.0)
    z = nl.maximum(z, nl.exp(y))
    z = nl.subtract(1.0, z)
    nl.store(out, nl.tanh(z))
    return out


@nki.jit
def reductions(a):
    s = nl.ndarray((a.shape[0], 1), dtype=a.dtype, buffer=nl.shared_hbm)
    m = nl.ndarray((a.shape[0], 1), dtype=a.dtype, buffer=nl.shared_hbm)
    mu = nl.ndarray((a.shape[0], 1), dtype=a.dtype, buffer=nl.shared_hbm)
    x = nl.load(a)
    nl.store(s, nl.sum(x, axis=1))
    nl.store(m, nl.max(x, axis=[1]))
    nl.store(mu, nl.mean(x, axis=1, keepdims=True))
    return s, m, mu


@nki.jit
def softmax_k(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    nl.store(out, nl.softmax(nl.load(a), axis=-1))
    return out


@nki.jit
def matmul_k(xT, y):
    out = nl.ndarray((xT.shape[1], y.shape[1]), dtype=nl.float32, buffer=nl.shared_hbm)
    p = nl.matmul(nl.load(xT), nl.load(y), transpose_x=True)
    nl.store(out, nl.add(p, 0.0))  # evict PSUM to SBUF (nl.store does not take PSUM)
    return out


@nki.jit
def transpose_k(a):
    out = nl.ndarray((a.shape[1], a.shape[0]), dtype=a.dtype, buffer=nl.shared_hbm)
    t = nl.transpose(nl.load(a))
    nl.store(out, nl.add(t, 0.0))
    return out


@nki.jit
def bad_broadcast(a, b):
    x, y = nl.load(a), nl.load(b)
    nl.add(x, y)
    return a


@nki.jit
def bad_store_psum(xT, y):
    out = nl.ndarray((xT.shape[1], y.shape[1]), dtype=nl.float32, buffer=nl.shared_hbm)
    nl.store(out, nl.matmul(nl.load(xT), nl.load(y), transpose_x=True))
    return out
