"""Our own Beta 1 (neuronxcc.nki) versions of the getting-started and tutorial kernels: tensor add,
transpose, softmax, a masked partial tile. Written the way Beta 1 code is: nl.load / nl.store,
calls that return tiles, operators on tiles, index grids and mask=."""
from neuronxcc import nki
import neuronxcc.nki.isa as nisa
import neuronxcc.nki.language as nl


@nki.jit
def tensor_add(a_input, b_input):
    """Getting-started style: one [128, 512] tile of each input, added with `+`."""
    c_output = nl.ndarray(a_input.shape, dtype=a_input.dtype, buffer=nl.shared_hbm)
    a_tile = nl.load(a_input)
    b_tile = nl.load(b_input)
    c_tile = a_tile + b_tile
    nl.store(c_output, value=c_tile)
    return c_output


@nki.jit
def tensor_add_tiled(a_input, b_input):
    """The same over [R, C] in [128, 512] tiles, indexed with grids."""
    R, C = a_input.shape
    out = nl.ndarray(a_input.shape, dtype=a_input.dtype, buffer=nl.shared_hbm)
    i_p = nl.arange(128)[:, None]
    i_f = nl.arange(512)[None, :]
    for r in nl.affine_range(R // 128):
        for c in nl.affine_range(C // 512):
            a = nl.load(a_input[r * 128 + i_p, c * 512 + i_f])
            b = nl.load(b_input[r * 128 + i_p, c * 512 + i_f])
            nl.store(out[r * 128 + i_p, c * 512 + i_f], value=nl.add(a, b))
    return out


@nki.jit
def transpose_2d(x):
    """[P, F] -> [F, P] on TensorE (nisa.nc_transpose returns a PSUM tile), copied out."""
    P, F = x.shape
    out = nl.ndarray((F, P), dtype=x.dtype, buffer=nl.shared_hbm)
    t = nl.load(x)
    tp = nisa.nc_transpose(t)
    nl.store(out, value=nl.copy(tp, dtype=x.dtype))
    return out


@nki.jit
def softmax_rows(x):
    """Row softmax of [128, F] with nl calls: max, exp of the difference, sum, divide."""
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    t = nl.load(x)
    m = nl.max(t, axis=[1], keepdims=True)
    e = nl.exp(nl.subtract(t, m))
    s = nl.sum(e, axis=[1], keepdims=True)
    nl.store(out, value=nl.divide(e, s))
    return out


@nki.jit
def masked_scale(x, factor):
    """Scales [R, F] rows by `factor`, R not a multiple of 128: the last tile is partial, with the same
    mask on load, compute and store."""
    R, F = x.shape
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    i_f = nl.arange(F)[None, :]
    for p in nl.affine_range((R + 127) // 128):
        i_p = p * 128 + nl.arange(128)[:, None]
        t = nl.load(x[i_p, i_f], mask=(i_p < R))
        y = nl.multiply(t, factor, mask=(i_p < R))
        nl.store(out[i_p, i_f], value=y, mask=(i_p < R))
    return out
