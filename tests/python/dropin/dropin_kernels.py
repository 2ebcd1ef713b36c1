"""Kernels for the drop-in API tests: argument kinds (functions, NKIObject instances, dicts, enums)."""
from dataclasses import dataclass
from enum import Enum

import nki
import nki.isa as nisa
import nki.language as nl


class Op(Enum):
    ADD = 1
    MUL = 2


@dataclass
class Scales(nl.NKIObject):
    factor: float = 2.0
    repeat: int = 1


def add_op():
    return nl.add


def mul_op():
    return nl.multiply


@nki.jit
def apply(a, b, pick=add_op, cfg=None, opts=None, mode=Op.ADD):
    op = pick()
    if mode == Op.MUL:
        op = nl.multiply
    reps = 1 if cfg is None else cfg.repeat
    if opts is not None and opts.get("twice", False):
        reps *= 2
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    x = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
    y = nl.ndarray(b.shape, dtype=b.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=x, src=a)
    nisa.dma_copy(dst=y, src=b)
    for _ in range(reps):
        nisa.tensor_tensor(dst=x, data1=x, data2=y, op=op)
    nisa.dma_copy(dst=out, src=x)
    return out


@nki.jit
def scale_inplace(a):
    x = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=x, src=a)
    nisa.tensor_tensor(dst=x, data1=x, data2=x, op=nl.add)
    nisa.dma_copy(dst=a, src=x)


@nki.jit
def bad_shape(a):
    t = nl.ndarray((a.shape[0] * 2, 4), dtype=a.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=a)
