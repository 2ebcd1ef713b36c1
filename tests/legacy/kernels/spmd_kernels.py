"""Beta 1 SPMD launches: kernel[d0, d1] runs its programs one after another on one core."""
from neuronxcc import nki
import neuronxcc.nki.language as nl


@nki.jit
def add_grid(a, b):
    """Program (i, j) adds the [128, 512] tile (i, j)."""
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    i = nl.program_id(0)
    j = nl.program_id(1)
    rs, cs = slice(i * 128, (i + 1) * 128), slice(j * 512, (j + 1) * 512)
    x = nl.load(a[rs, cs])
    y = nl.load(b[rs, cs])
    nl.store(out[rs, cs], value=x + y)
    return out


@nki.jit
def grid_facts(a):
    """Writes [program_ndim, num_programs(), num_programs(1), flat id] of each program into its row."""
    out = nl.ndarray((a.shape[0], 4), dtype=nl.float32, buffer=nl.shared_hbm)
    i, j = nl.program_id(0), nl.program_id(1)
    row = i * nl.num_programs(1) + j
    facts = [nl.program_ndim(), nl.num_programs(), nl.num_programs(1), row]
    for k in nl.static_range(4):
        t = nl.full((1, 1), facts[k], dtype=nl.float32)
        nl.store(out[row:row + 1, k:k + 1], value=t)
    return out


@nki.jit
def uneven_outputs(a):
    """Program 1 declares an HBM tensor program 0 does not: an error."""
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    if nl.program_id(0) == 1:
        extra = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
        nl.store(extra, value=nl.load(a))
    nl.store(out, value=nl.load(a))
    return out


@nki.jit
def add_rows(a, b):
    """Program i adds rows [128 i, 128 (i + 1))."""
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    i = nl.program_id(0)
    rs = slice(i * 128, (i + 1) * 128)
    nl.store(out[rs, :], value=nl.add(nl.load(a[rs, :]), nl.load(b[rs, :])))
    return out


@nki.jit
def mismatched_outputs(a):
    """Program 1 declares its HBM tensor with another shape than program 0's: an error."""
    rows = a.shape[0] if nl.program_id(0) == 0 else a.shape[0] // 2
    out = nl.ndarray((rows, a.shape[1]), dtype=a.dtype, buffer=nl.shared_hbm)
    nl.store(out, value=nl.load(a[0:rows, :]))
    return out


@nki.jit
def bad_num_programs_axis(a):
    """nl.num_programs(5) on a 2-D grid: an error."""
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    n = nl.num_programs(5)
    nl.store(out, value=nl.load(a))
    return out
