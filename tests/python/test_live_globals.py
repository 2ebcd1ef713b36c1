"""Kernels defined where no source file exists (a notebook cell, exec): the function's source comes from
linecache and the names it uses resolve through its live module globals."""
import linecache

import numpy as np

import nki
import nki.isa as nisa
import nki.language as nl

CELL = '''
@nki.jit
def cell_kernel(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=a)
    for _ in range(REPEAT):
        nisa.tensor_tensor(dst=t, data1=t, data2=t, op=OP)
    nisa.dma_copy(dst=out, src=t)
    return out
'''


def run_cell(repeat, op):
    name = f"<ipython-input-{repeat}-{op}>"
    linecache.cache[name] = (len(CELL), None, CELL.splitlines(True), name)  # what IPython does for cells
    g = {"nki": nki, "nl": nl, "nisa": nisa, "REPEAT": repeat, "OP": op}
    exec(compile(CELL, name, "exec"), g)
    return g["cell_kernel"]


def test_notebook_kernel_uses_live_globals():
    a = np.full((4, 8), 1.5, np.float32)
    np.testing.assert_array_equal(run_cell(2, nl.add)(a), a * 4)
    np.testing.assert_array_equal(run_cell(1, nl.multiply)(a), a * a)


def test_builtin_constants_as_arguments():
    @nki.jit
    def copy_via(a, buf, eng):
        out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
        t = nl.ndarray(a.shape, dtype=a.dtype, buffer=buf)
        nisa.dma_copy(dst=t, src=a)
        u = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
        nisa.tensor_copy(dst=u, src=t, engine=eng)
        nisa.dma_copy(dst=out, src=u)
        return out

    a = np.arange(32, dtype=np.float32).reshape(4, 8)
    np.testing.assert_array_equal(copy_via(a, nl.sbuf, nisa.engine.vector), a)
