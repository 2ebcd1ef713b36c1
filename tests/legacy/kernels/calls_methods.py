"""Beta 1 tile methods and 1-D loads (legacy-spec.md §2 "Tensor object", §9.13)."""
from neuronxcc import nki
import neuronxcc.nki.isa as nisa
import neuronxcc.nki.language as nl


@nki.jit
def scale_rows_by_column(x, A):
    """out = exp(x * A[:, 3]): an integer index on A's free dim loads a (128, 1) column, the activation's
    per-partition scale."""
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    col = nl.load(A[0:128, 3])
    t = nl.load(x)
    nl.store(out, value=nisa.activation(op=nl.exp, data=t, scale=col))
    return out


@nki.jit
def row_broadcast_and_cast(x):
    """out = bf16(broadcast of x's row 0 to 128 partitions) through the tile methods."""
    out = nl.ndarray((128, x.shape[1]), dtype=nl.bfloat16, buffer=nl.shared_hbm)
    row = nl.load(x[0:1, :])
    b = row.broadcast_to((128, x.shape[1]))
    nl.store(out, value=b.astype(nl.bfloat16))
    return out
