"""Kernels for nl.shared_constant / nl.shared_identity_matrix and the compile-time NumPy arrays
(tests/kernels/test_constants.py)."""
import numpy as np

import nki
import nki.isa as nisa
import nki.language as nl

def psum_to_hbm(ps):
    F, K = ps.shape
    sb = nl.ndarray((F, K), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=sb, src=ps)
    out = nl.ndarray((F, K), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=sb)
    return out


IDENT = np.identity(128, dtype=np.float32)   # a module-level constant array
# np.random is not evaluated by nkic at compile time: the caller's live value of the global is used.
NOISE = np.random.default_rng(0).standard_normal((64, 128)).astype(np.float32)


@nki.jit
def transpose_via_identity(x, dt_name):
    """x [K, F] -> x.T [F, K] with nc_matmul(stationary=x, moving=identity)."""
    K, F = x.shape
    dt = nl.bfloat16 if dt_name == "bf16" else nl.float32
    if dt_name == "bf16":
        identity = nl.shared_constant(np.identity(K, dtype=np.int8), dtype=nl.bfloat16)
    else:
        identity = nl.shared_constant(np.identity(K, dtype=np.float32))
    ident = nl.ndarray((K, K), dtype=dt, buffer=nl.sbuf)
    nisa.dma_copy(dst=ident, src=identity)
    xs = nl.ndarray((K, F), dtype=dt, buffer=nl.sbuf)
    nisa.dma_copy(dst=xs, src=x)
    ps = nl.ndarray((F, K), dtype=nl.float32, buffer=nl.psum)
    nisa.nc_matmul(dst=ps, stationary=xs, moving=ident)
    out_sb = nl.ndarray((F, K), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=out_sb, src=ps)
    out = nl.ndarray((F, K), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=out_sb)
    return out


@nki.jit
def transpose_is_transpose(x):
    """nc_matmul(is_transpose=True) with a uint8 identity cast to the data's dtype by shared_constant."""
    K, F = x.shape
    identity_hbm = nl.shared_constant(np.identity(n=K, dtype=np.uint8), dtype=x.dtype)
    ident = nl.load(identity_hbm)
    xs = nl.load(x)
    ps = nl.ndarray((F, K), dtype=nl.float32, buffer=nl.psum)
    nisa.nc_matmul(dst=ps, stationary=xs, moving=ident, is_transpose=True)
    return psum_to_hbm(ps)


@nki.jit
def add_constants(x):
    """x [P, F] + arange(F) row + full 2.5 + eye(P, F, k=1)."""
    P, F = x.shape
    ramp = nl.shared_constant(np.reshape(np.arange(P * F, dtype=np.float32), (P, F)))
    half = nl.shared_constant(np.full((P, F), 2.5))                 # float64 -> float32
    eye = nl.shared_constant(np.eye(P, F, k=1), dtype=nl.float32)
    out = nl.ndarray((P, F), dtype=nl.float32, buffer=nl.shared_hbm)
    acc = nl.load(x)
    for c in (ramp, half, eye):
        acc = nl.add(acc, nl.load(c))
    nl.store(out, acc)
    return out


@nki.jit
def global_constant(x):
    """x [128, 64] -> x.T + NOISE, with the module globals IDENT (the matmul identity) and NOISE."""
    K, F = x.shape
    ident = nl.load(nl.shared_constant(IDENT))
    xs = nl.load(x)
    ps = nl.ndarray((F, K), dtype=nl.float32, buffer=nl.psum)
    nisa.nc_matmul(dst=ps, stationary=xs, moving=ident)
    noise = nl.load(nl.shared_constant(NOISE))
    out = nl.ndarray((F, K), dtype=nl.float32, buffer=nl.shared_hbm)
    nl.store(out, nl.add(nl.copy(ps), noise))
    return out


@nki.jit
def load_constant(which):
    """A constant returned as is (loaded and stored): checks the exact contents and dtypes."""
    if which == "arange_int":
        c = nl.shared_constant(np.reshape(np.arange(0, 48, 2), (3, 8)), dtype=nl.int32)
    elif which == "tril":
        c = nl.shared_constant(np.tril(np.ones((16, 16), dtype=np.float32)))
    elif which == "array":
        a = np.transpose(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int16))
        c = nl.shared_constant(np.asarray(a, dtype=np.float32), dtype=nl.bfloat16)
    elif which == "methods":  # array attributes and methods
        a = np.arange(12).reshape(3, 4).T.astype(np.float32)
        assert a.shape == (4, 3) and a.ndim == 2 and a.size == 12 and a.dtype == np.float32
        c = nl.shared_constant(a.reshape(-1, 2))
    elif which == "round":
        c = nl.shared_constant(np.full((2, 4), 1.0 + 3 * 2.0 ** -9), dtype=nl.bfloat16)
    else:
        c = nl.shared_constant(which)  # a .npy path
    t = nl.load(c)
    out = nl.ndarray(c.shape, dtype=c.dtype, buffer=nl.shared_hbm)
    nl.store(out, t)
    return out


@nki.jit
def identity_matrix(n, dt_name, with_dst):
    dt = {"uint8": nl.uint8, "bf16": nl.bfloat16, "fp32": nl.float32}[dt_name]
    if with_dst:
        dst = nl.ndarray((n, n), dtype=dt, buffer=nl.sbuf)
        ident = nl.shared_identity_matrix(n, dtype=dt, dst=dst)
    else:
        ident = nl.shared_identity_matrix(n, dtype=dt)
    out = nl.ndarray((n, n), dtype=dt, buffer=nl.shared_hbm)
    nl.store(out, ident)
    return out


@nki.jit
def identity_matrix_transpose(x):
    """x [K, F] -> x.T through an SBUF identity from shared_identity_matrix (fp32)."""
    K, F = x.shape
    ident = nl.shared_identity_matrix(K, dtype=nl.float32)
    xs = nl.load(x)
    ps = nl.ndarray((F, K), dtype=nl.float32, buffer=nl.psum)
    nisa.nc_matmul(dst=ps, stationary=xs, moving=ident)
    return psum_to_hbm(ps)
