"""Beta 1 index-grid and mask= rejections: each kernel fails at the line marked `# error`."""
import nki.isa as nisa030
from neuronxcc import nki
import neuronxcc.nki.language as nl


def _grids():
    return nl.arange(128)[:, None], nl.arange(64)[None, :]


@nki.jit
def mixed_styles(x):
    i_p, i_f = _grids()
    v = x[i_p, :]  # error
    return v


@nki.jit
def one_d_arange(x):
    v = x[nl.arange(128), 0]  # error
    return v


@nki.jit
def control_flow_on_grid(x):
    i_p, i_f = _grids()
    if i_p < 4:  # error
        pass
    return x


@nki.jit
def bool_and_in_mask(x):
    i_p, i_f = _grids()
    m = (i_p < 64) and (i_f < 8)  # error
    return m


@nki.jit
def not_on_grid(x):
    i_p, i_f = _grids()
    m = not (i_p < 64)  # error
    return m


@nki.jit
def static_oob(x):
    i_p, i_f = _grids()
    v = x[i_p + 200, i_f]  # error
    return nl._nkic_masked(v, None)


@nki.jit
def oob_not_covered_by_mask(x):
    i_p, i_f = _grids()
    v = x[i_p + 200, i_f]  # error
    return nl._nkic_masked(v, i_p < 128)


@nki.jit
def modulo_in_index(x):
    i_p, i_f = _grids()
    v = x[i_p, i_f % 2]  # error
    return v


@nki.jit
def modulo_in_mask(x):
    i_p, i_f = _grids()
    return nl._nkic_masked(x[i_p, i_f], i_f % 2 < 1)  # error


@nki.jit
def tensor_in_mask(x):
    i_p, i_f = _grids()
    t = nl.ndarray((128, 64), dtype=x.dtype, buffer=nl.sbuf)
    return nl._nkic_masked(t, i_p < t)  # error


@nki.jit
def tile_as_mask(x):
    t = nl.ndarray((128, 64), dtype=x.dtype, buffer=nl.sbuf)
    return nl._nkic_masked(t, t)  # error


@nki.jit
def float_in_mask(x):
    i_p, i_f = _grids()
    return nl._nkic_masked(x[i_p, i_f], i_p < 3.5)  # error


@nki.jit
def or_in_mask(x):
    i_p, i_f = _grids()
    return nl._nkic_masked(x[i_p, i_f], (i_p < 3) | (i_f < 4))  # error


@nki.jit
def two_axes_in_one_comparison(x):
    i_p, i_f = _grids()
    return nl._nkic_masked(x[i_p, i_f], i_p + i_f < 64)  # error


@nki.jit
def grid_product(x):
    i_p, i_f = _grids()
    v = x[i_p, i_p * i_f]  # error
    return v


@nki.jit
def partition_stride(x):
    i_p, i_f = nl.arange(64)[:, None], nl.arange(64)[None, :]
    t = nl.ndarray((128, 64), dtype=x.dtype, buffer=nl.sbuf)
    v = t[2 * i_p, i_f]  # error
    return v


@nki.jit
def partition_on_free_axis(x):
    t = nl.ndarray((128, 64), dtype=x.dtype, buffer=nl.sbuf)
    i_a, i_b = nl.arange(64)[:, None], nl.arange(64)[None, :]
    v = t[i_b, i_a]  # error
    return v


@nki.jit
def shapes_do_not_broadcast(x):
    v = x[nl.arange(128)[:, None], nl.arange(64)[:, None]]  # error
    return v


@nki.jit
def grid_placement(x):
    i = nl.arange(128)[0:4, None]  # error
    return i
