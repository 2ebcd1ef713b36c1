"""Beta 1 kernels that must fail to compile, each at a known line (tests/legacy/test_legacy_calls.py)."""
from neuronxcc import nki
import neuronxcc.nki.isa as nisa
import neuronxcc.nki.language as nl


@nki.jit
def modulo_operator(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    x = nl.load(a)
    nl.store(out, value=x % 2.0)  # error
    return out


@nki.jit
def partition_broadcast_operator(a, row):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    x = nl.load(a)
    r = nl.load(row)
    nl.store(out, value=x + r)  # error
    return out


@nki.jit
def bad_broadcast(a, b):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    nl.store(out, value=nl.add(nl.load(a), nl.load(b)))  # error
    return out


@nki.jit
def matmul_contraction_mismatch(a, b):
    out = nl.ndarray((128, 128), dtype=nl.float32, buffer=nl.shared_hbm)
    r = nisa.nc_matmul(nl.load(a), nl.load(b))  # error
    nl.store(out, value=r)
    return out


@nki.jit
def rank_mismatch(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    x = nl.load(a)
    nl.store(out, value=nl.add(x, nl.expand_dims(x, 1)))  # error
    return out


@nki.jit
def two_numbers(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    nl.store(out, value=nl.add(1.0, 2.0))  # error
    return out


@nki.jit
def string_operand(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    nl.store(out, value=nl.multiply(nl.load(a), "2"))  # error
    return out


@nki.jit
def copy_from_hbm(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    nl.store(out, value=nl.copy(a))  # error
    return out


@nki.jit
def not_on_tile(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    x = nl.load(a)
    nl.store(out, value=not x)  # error
    return out


@nki.jit
def is_on_tile(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    x = nl.load(a)
    nl.store(out, value=x is x)  # error
    return out


@nki.jit
def number_into_hbm(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    out[...] = 1.0  # error
    return out


@nki.jit
def assign_wrong_shape(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray((128, 8), dtype=a.dtype, buffer=nl.sbuf)
    t[...] = nl.load(a)  # error
    nl.store(out, value=t)
    return out


@nki.jit
def assign_non_tile(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
    t[...] = "x"  # error
    nl.store(out, value=t)
    return out


@nki.jit
def iota_of_int(a):
    out = nl.ndarray(a.shape, dtype=nl.int32, buffer=nl.shared_hbm)
    nl.store(out, value=nisa.iota(3, dtype=nl.int32))  # error
    return out


@nki.jit
def dma_rmw(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=nl.load(a), dst_rmw_op=nl.add)  # error
    return out


@nki.jit
def bad_dtype(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    nl.store(out, value=nisa.tensor_copy(nl.load(a), dtype="float33"))  # error
    return out


@nki.jit
def affine_select_of_bool(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    nl.store(out, value=nisa.affine_select(True, nl.load(a), 0.0))  # error
    return out
