"""Dynamic DMA offsets on reshaped, sliced and re-typed HBM views, and vector_offset index tiles of more
than two dims. The unit of a scalar/vector offset is the stride of the *indexed view* along indirect_dim
(docs/semantics.md), so `buffer.reshape((B * L, H)).ap(..., scalar_offset=p)` moves p rows of H, not p
rows of the original [B, L, H] tensor. Kernels of our own in the style of NxDI's rolling KV-buffer update
and nki-library's router_topk scatter. Copies are checked for exact equality; the adds are single fp32
additions done in the same order as the NumPy reference, so they are exact too."""
import ml_dtypes
import numpy as np
import pytest

import nki
import nki.isa as nisa
import nki.language as nl
from tile_io import load_tile as _load, store_tile as _store

rng = np.random.default_rng(46)


def randn(*shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


def _copy_to_new_hbm(x):
    """A new HBM tensor of x's shape holding x (through SBUF; x's leading dim is at most 128)."""
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=t)
    return out


# ---- rolling KV-buffer update: row b * L + pos[b] of buffer.reshape((B * L, H)) -----------------------


@nki.jit
def rolling_update_register_k(buffer, new, pos):
    """out = buffer; out[b, pos[b], :] = new[b, :], the position of batch b in a register."""
    B, L, H = buffer.shape
    out = _copy_to_new_hbm(buffer)
    flat = out.reshape((B * L, H))
    nt = _load(new)
    for b in range(B):
        r = nisa.register_alloc()
        nisa.register_load(r, pos[b:b + 1, 0:1])
        nisa.dma_copy(dst=flat.ap(pattern=[[H, 1], [1, H]], offset=b * L * H, scalar_offset=r, indirect_dim=0),
                      src=nt[b:b + 1, :])
    return out


@nki.jit
def rolling_update_tensor_k(buffer, new, pos):
    """As rolling_update_register_k, the position read from a [1, 1] SBUF tile per batch."""
    B, L, H = buffer.shape
    out = _copy_to_new_hbm(buffer)
    flat = out.reshape((B * L, H))
    nt = _load(new)
    for b in range(B):
        p = nl.ndarray((1, 1), dtype=nl.int32, buffer=nl.sbuf)
        nisa.dma_copy(dst=p, src=pos[b:b + 1, :])
        nisa.dma_copy(dst=flat.ap(pattern=[[H, 1], [1, H]], offset=b * L * H, scalar_offset=p, indirect_dim=0),
                      src=nt[b:b + 1, :])
    return out


@nki.jit
def rolling_update_vector_k(buffer, new, pos):
    """One scatter of B rows: the [B, 1] index tile b * L + pos[b] is built on the device (iota + add)."""
    B, L, H = buffer.shape
    out = _copy_to_new_hbm(buffer)
    flat = out.reshape((B * L, H))
    pt = _load(pos)
    base = nl.ndarray((B, 1), dtype=nl.int32, buffer=nl.sbuf)
    nisa.iota(base, [[0, 1]], offset=0, channel_multiplier=L)
    rows = nl.ndarray((B, 1), dtype=nl.int32, buffer=nl.sbuf)
    nisa.tensor_tensor(dst=rows, data1=base, data2=pt, op=nl.add)
    nt = _load(new)
    nisa.dma_copy(dst=flat.ap(pattern=[[H, B], [1, H]], offset=0, vector_offset=rows, indirect_dim=0), src=nt)
    return out


def rolling_ref(buffer, new, pos):
    out = buffer.copy()
    for b in range(buffer.shape[0]):
        out[b, pos[b, 0]] = new[b]
    return out


@pytest.mark.parametrize("kernel", [rolling_update_register_k, rolling_update_tensor_k, rolling_update_vector_k])
@pytest.mark.parametrize("dtype", [np.float32, ml_dtypes.bfloat16])
def test_rolling_kv_buffer_update(kernel, dtype):
    B, L, H = 4, 6, 32
    buffer = randn(B, L, H, dtype=dtype)
    new = randn(B, H, dtype=dtype)
    pos = np.array([[5], [0], [3], [5]], np.int32)
    out = kernel(buffer, new, pos)
    np.testing.assert_array_equal(out, rolling_ref(buffer, new, pos))


@nki.jit
def rolling_update_in_place_k(buffer, new, pos):
    """NxDI's form: the kernel writes into its input buffer (updated in place), positions in a register."""
    B, L, H = buffer.shape
    flat = buffer.reshape((B * L, H))
    nt = _load(new)
    for b in range(B):
        r = nisa.register_alloc()
        nisa.register_load(r, pos[b:b + 1, 0:1])
        nisa.dma_copy(dst=flat.ap(pattern=[[H, 1], [1, H]], offset=b * L * H, scalar_offset=r, indirect_dim=0),
                      src=nt[b:b + 1, :])
    return buffer


def test_rolling_update_in_place():
    B, L, H = 3, 5, 16
    buffer = randn(B, L, H)
    new = randn(B, H)
    pos = np.array([[4], [1], [0]], np.int32)
    ref = rolling_ref(buffer, new, pos)
    rolling_update_in_place_k(buffer, new, pos)
    np.testing.assert_array_equal(buffer, ref)


def test_rolling_update_last_row_is_in_bounds_and_past_it_is_an_error():
    B, L, H = 2, 3, 8
    buffer, new = randn(B, L, H), randn(B, H)
    pos = np.array([[2], [2]], np.int32)  # row (B - 1) * L + 2 = B * L - 1: the last row of the view
    np.testing.assert_array_equal(rolling_update_register_k(buffer, new, pos), rolling_ref(buffer, new, pos))
    with pytest.raises(nki.NkiSimulationError) as e:
        rolling_update_register_k(buffer, new, np.array([[0], [3]], np.int32))
    assert "out of bounds" in str(e.value)


# ---- gathers from reshaped views ----------------------------------------------------------------------


@nki.jit
def gather_reshaped_k(cache, idx):
    """out[p, :] = cache.reshape((B * L, H))[idx[p], :]."""
    B, L, H = cache.shape
    P = idx.shape[0]
    it = _load(idx)
    rows = nl.ndarray((P, H), dtype=cache.dtype, buffer=nl.sbuf)
    flat = cache.reshape((B * L, H))
    nisa.dma_copy(dst=rows, src=flat.ap(pattern=[[H, P], [1, H]], offset=0, vector_offset=it, indirect_dim=0))
    return _store(rows)


def test_vector_gather_from_reshaped_view():
    cache = randn(3, 10, 16)
    idx = rng.integers(0, 30, size=(64, 1)).astype(np.int32)
    np.testing.assert_array_equal(gather_reshaped_k(cache, idx), cache.reshape(30, 16)[idx[:, 0]])


@nki.jit
def select_middle_dim_k(x, j, C):
    """x: [A, B * C] viewed as [A, B, C]; out = x3[:, j, :] with j in a register and indirect_dim=1 (one
    unit of j is C elements, the view's dim-1 stride; the base tensor's is 1)."""
    A, BC = x.shape
    x3 = x.reshape((A, BC // C, C))
    r = nisa.register_alloc(j)
    t = nl.ndarray((A, C), dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x3.ap(pattern=[[BC, A], [1, C]], offset=0, scalar_offset=r, indirect_dim=1))
    return _store(t)


@pytest.mark.parametrize("j", [0, 2, 4])
def test_scalar_offset_on_inner_dim_of_reshaped_view(j):
    x = randn(16, 5 * 12)
    np.testing.assert_array_equal(select_middle_dim_k(x, j, 12), x.reshape(16, 5, 12)[:, j, :])


@nki.jit
def gather_one_dim_k(table, idx):
    """table: [V, E] viewed as 1-D [V * E]; out[p] = flat[idx[p]] (one element per row: multiplier 1)."""
    V, E = table.shape
    P = idx.shape[0]
    it = _load(idx)
    flat = table.reshape((V * E,))
    t = nl.ndarray((P, 1), dtype=table.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=flat.ap(pattern=[[1, P], [1, 1]], offset=0, vector_offset=it, indirect_dim=0))
    return _store(t)


def test_vector_gather_from_one_dim_view():
    table = randn(12, 7)
    idx = rng.integers(0, 84, size=(40, 1)).astype(np.int32)
    np.testing.assert_array_equal(gather_one_dim_k(table, idx)[:, 0], table.reshape(-1)[idx[:, 0]])


@nki.jit
def gather_retyped_k(table, idx):
    """table: int32 [V, 2 * F] viewed as bf16 [V, 4 * F] (.view): a row of the view is a row of table."""
    V, W = table.shape
    P = idx.shape[0]
    it = _load(idx)
    v = table.view(nl.bfloat16)
    t = nl.ndarray((P, 2 * W), dtype=nl.bfloat16, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=v.ap(pattern=[[2 * W, P], [1, 2 * W]], offset=0, vector_offset=it, indirect_dim=0))
    return _store(t)


def test_vector_gather_from_retyped_view():
    table = rng.integers(-(2**20), 2**20, size=(20, 8)).astype(np.int32)
    idx = rng.integers(0, 20, size=(16, 1)).astype(np.int32)
    out = gather_retyped_k(table, idx)
    np.testing.assert_array_equal(out.view(np.int32), table[idx[:, 0]])


# ---- sliced views -------------------------------------------------------------------------------------


@nki.jit
def sliced_scalar_k(x, start, step, j):
    """out = x[start::step][j] with j in a register: the view's row stride is step rows of x."""
    R, H = x.shape
    v = x[start::step, :]
    r = nisa.register_alloc(j)
    t = nl.ndarray((1, H), dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=v.ap(pattern=[[H, 1], [1, H]], offset=0, scalar_offset=r, indirect_dim=0))
    return _store(t)


@pytest.mark.parametrize("start,step,j", [(0, 1, 7), (3, 1, 4), (1, 2, 5), (2, 3, 0)])
def test_scalar_offset_on_sliced_view(start, step, j):
    x = randn(20, 24)
    np.testing.assert_array_equal(sliced_scalar_k(x, start, step, j)[0], x[start::step][j])


@nki.jit
def sliced_gather_k(x, idx, r0, c0, c1):
    """out[p, :] = x[r0:, c0:c1][idx[p], :]: .ap() on a sliced view starts at the view's offset."""
    R, H = x.shape
    P = idx.shape[0]
    W = c1 - c0
    it = _load(idx)
    t = nl.ndarray((P, W), dtype=x.dtype, buffer=nl.sbuf)
    v = x[r0:, c0:c1]
    nisa.dma_copy(dst=t, src=v.ap(pattern=[[H, P], [1, W]], offset=0, vector_offset=it, indirect_dim=0))
    return _store(t)


def test_vector_gather_from_sliced_view():
    x = randn(40, 32)
    idx = rng.integers(0, 30, size=(24, 1)).astype(np.int32)
    np.testing.assert_array_equal(sliced_gather_k(x, idx, 10, 8, 20), x[10:, 8:20][idx[:, 0]])


@nki.jit
def sliced_scatter_k(base, idx, vals, r0):
    """out = base; out[r0:][idx[p], :] = vals[p, :] (a scatter through a sliced view of a reshape)."""
    B, L, H = base.shape
    P = idx.shape[0]
    out = _copy_to_new_hbm(base)
    v = out.reshape((B * L, H))[r0:, :]
    nisa.dma_copy(dst=v.ap(pattern=[[H, P], [1, H]], offset=0, vector_offset=_load(idx), indirect_dim=0),
                  src=_load(vals))
    return out


def test_vector_scatter_into_sliced_view():
    base = randn(4, 8, 16)
    idx = rng.permutation(24)[:12].reshape(12, 1).astype(np.int32)
    vals = randn(12, 16)
    ref = base.reshape(32, 16).copy()
    ref[8 + idx[:, 0]] = vals
    np.testing.assert_array_equal(sliced_scatter_k(base, idx, vals, 8).reshape(32, 16), ref)


@nki.jit
def dynamic_view_sliced_k(x, j):
    """out = x[j, 4:12]: a scalar-offset view keeps its offset when its free dim is sliced afterwards."""
    R, H = x.shape
    r = nisa.register_alloc(j)
    v = x.ap(pattern=[[H, 1], [1, H]], offset=0, scalar_offset=r, indirect_dim=0)
    t = nl.ndarray((1, 8), dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=v[:, 4:12])
    return _store(t)


def test_slicing_a_dynamic_view_keeps_its_offset():
    x = randn(10, 16)
    np.testing.assert_array_equal(dynamic_view_sliced_k(x, 6)[0], x[6, 4:12])


# ---- dma_compute and dma_transpose on reshaped views ----------------------------------------------------


@nki.jit
def scatter_add_reshaped_k(base, idx, vals):
    """out = base; flat = out.reshape((B * L, H)); flat[idx[p], :] += vals[p, :] in row order."""
    B, L, H = base.shape
    out = _copy_to_new_hbm(base)
    P = idx.shape[0]
    view = out.reshape((B * L, H)).ap(pattern=[[H, P], [1, H]], offset=0, vector_offset=_load(idx), indirect_dim=0)
    nisa.dma_compute(dst=view, srcs=[view, _load(vals)], reduce_op=nl.add)
    return out


def test_scatter_add_into_reshaped_view():
    base = randn(3, 5, 8)
    idx = np.array([[1], [14], [1], [7], [0], [14]], np.int32)
    vals = randn(6, 8)
    ref = base.reshape(15, 8).copy()
    for p in range(6):
        ref[idx[p, 0]] = (ref[idx[p, 0]] + vals[p]).astype(np.float32)
    np.testing.assert_array_equal(scatter_add_reshaped_k(base, idx, vals).reshape(15, 8), ref)


@nki.jit
def gather_add_reshaped_k(table, idx, acc):
    """out = acc + table.reshape((A * B, H))[idx] (dma_compute gather-add)."""
    A, B, H = table.shape
    P = idx.shape[0]
    at = _load(acc)
    src = table.reshape((A * B, H)).ap(pattern=[[H, P], [1, H]], offset=0, vector_offset=_load(idx), indirect_dim=0)
    nisa.dma_compute(dst=at, srcs=[at, src], reduce_op=nl.add)
    return _store(at)


def test_gather_add_from_reshaped_view():
    table = randn(4, 6, 16)
    idx = rng.integers(0, 24, size=(32, 1)).astype(np.int32)
    acc = randn(32, 16)
    ref = (acc + table.reshape(24, 16)[idx[:, 0]]).astype(np.float32)
    np.testing.assert_array_equal(gather_add_reshaped_k(table, idx, acc), ref)


@nki.jit
def transpose_tile_k(x, T, j):
    """x: [T * R, F] viewed as [T, R, F]; out = x3[j].T (dma_transpose, the tile index in a register)."""
    TR, F = x.shape
    R = TR // T
    x3 = x.reshape((T, R, F))
    r = nisa.register_alloc(j)
    t = nl.ndarray((F, R), dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_transpose(dst=t, src=x3.ap(pattern=[[F, R], [1, F]], offset=0, scalar_offset=r, indirect_dim=0))
    return _store(t)


@pytest.mark.parametrize("j", [0, 2, 3])
def test_transpose_with_scalar_offset_on_reshaped_view(j):
    x = randn(4 * 16, 32, dtype=ml_dtypes.bfloat16)
    np.testing.assert_array_equal(transpose_tile_k(x, 4, j), x.reshape(4, 16, 32)[j].T)


@nki.jit
def gather_transpose_reshaped_k(table, idx, rows):
    """table: [V / 2, 2 * F] viewed as [V, F]; dst = view[idx.T.flatten()[:rows]].T (gather-transpose)."""
    V2, F2 = table.shape
    F = F2 // 2
    view = table.reshape((V2 * 2, F))
    dst = nl.ndarray((F, rows), dtype=table.dtype, buffer=nl.sbuf)
    src = view.ap(pattern=[[F, rows], [1, F]], offset=0, vector_offset=_load(idx), indirect_dim=0)
    nisa.dma_transpose(dst=dst, src=src)
    return _store(dst)


def test_gather_transpose_from_reshaped_view():
    table = randn(100, 128, dtype=ml_dtypes.bfloat16)
    idx = rng.integers(0, 200, size=(32, 1)).astype(np.uint32)
    np.testing.assert_array_equal(gather_transpose_reshaped_k(table, idx, 32), table.reshape(200, 64)[idx[:, 0]].T)


# ---- vector_offset index tiles with more than two dims ------------------------------------------------


@nki.jit
def gather_3d_index_k(table, idx):
    """idx: [P, 1, 1] int32; out[p, :] = table[idx[p, 0, 0], :]."""
    V, D = table.shape
    P = idx.shape[0]
    it = _load(idx)
    rows = nl.ndarray((P, D), dtype=table.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=rows, src=table.ap(pattern=[[D, P], [1, D]], offset=0, vector_offset=it, indirect_dim=0))
    return _store(rows)


@pytest.mark.parametrize("P", [8, 128])
def test_gather_with_3d_index_tile(P):
    table = randn(50, 24)
    idx = rng.integers(0, 50, size=(P, 1, 1)).astype(np.int32)
    np.testing.assert_array_equal(gather_3d_index_k(table, idx), table[idx[:, 0, 0]])


@nki.jit
def topk_scatter_k(flat_idx, vals, E):
    """router_topk's indirect scatter: out [T, E] zeros; for each k, out.reshape((T * E,))[flat_idx[t, k]] =
    vals[t, k], the index column a [T, 1, 1] .ap() view of the [T, K] index tile."""
    T, K = vals.shape
    out = nl.ndarray((T, E), dtype=vals.dtype, buffer=nl.shared_hbm)
    z = nl.ndarray((T, E), dtype=vals.dtype, buffer=nl.sbuf)
    nisa.memset(z, 0.0)
    nisa.dma_copy(dst=out, src=z)
    it = _load(flat_idx)
    vt = _load(vals)
    out_1d = out.reshape((T * E,))
    for k in range(K):
        column = it.ap(pattern=[[K, T], [1, 1], [1, 1]], offset=k)
        nisa.dma_copy(dst=out_1d.ap([[K, T], [1, 1]], offset=0, vector_offset=column, indirect_dim=0),
                      src=vt.ap([[K, T], [1, 1]], offset=k))
    return out


def test_scatter_with_3d_index_column_into_one_dim_view():
    T, E, K = 16, 12, 3
    experts = np.stack([rng.permutation(E)[:K] for _ in range(T)]).astype(np.int32)
    flat_idx = (experts + np.arange(T, dtype=np.int32)[:, None] * E).astype(np.int32)
    vals = randn(T, K)
    ref = np.zeros((T, E), np.float32)
    for t in range(T):
        ref[t, experts[t]] = vals[t]
    np.testing.assert_array_equal(topk_scatter_k(flat_idx, vals, E), ref)


@nki.jit
def scatter_4d_index_k(base, idx, vals):
    """idx: [P, 1, 1, 1] uint32; out = base; out[idx[p], :] = vals[p, :]."""
    V, D = base.shape
    P = idx.shape[0]
    out = _copy_to_new_hbm(base)
    nisa.dma_copy(dst=out.ap(pattern=[[D, P], [1, D]], offset=0, vector_offset=_load(idx), indirect_dim=0),
                  src=_load(vals))
    return out


def test_scatter_with_4d_index_tile():
    base = randn(30, 8)
    idx = rng.permutation(30)[:10].reshape(10, 1, 1, 1).astype(np.uint32)
    vals = randn(10, 8)
    ref = base.copy()
    ref[idx[:, 0, 0, 0]] = vals
    np.testing.assert_array_equal(scatter_4d_index_k(base, idx, vals), ref)


# ---- errors -------------------------------------------------------------------------------------------


@nki.jit
def bad_index_tile_k(table, idx):
    V, D = table.shape
    P = idx.shape[0]
    rows = nl.ndarray((P, D), dtype=table.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=rows, src=table.ap(pattern=[[D, P], [1, D]], offset=0, vector_offset=_load(idx), indirect_dim=0))
    return _store(rows)


def test_index_tile_with_two_indices_per_row_is_a_compile_error():
    with pytest.raises(nki.NkiCompileError) as e:
        bad_index_tile_k(randn(20, 8), np.zeros((8, 1, 2), np.int32))
    assert "one index per partition" in str(e.value) and "[8, 1, 2]" in str(e.value)


@nki.jit
def row_slice_of_vector_view_k(table, idx):
    V, D = table.shape
    P = idx.shape[0]
    view = table.ap(pattern=[[D, P], [1, D]], offset=0, vector_offset=_load(idx), indirect_dim=0)
    rows = nl.ndarray((P // 2, D), dtype=table.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=rows, src=view[0:P // 2, :])
    return _store(rows)


def test_slicing_the_rows_of_a_vector_view_is_a_compile_error():
    with pytest.raises(nki.NkiCompileError) as e:
        row_slice_of_vector_view_k(randn(20, 8), np.zeros((8, 1), np.int32))
    assert "row dimension" in str(e.value)


@nki.jit
def misuse_dynamic_view_k(table, what):
    V, D = table.shape
    view = table.ap(pattern=[[D, 2], [1, D]], offset=0, scalar_offset=nisa.register_alloc(1), indirect_dim=0)
    if what == "reshape":
        view = view.reshape((2 * D,))
    elif what == "view":
        view = view.view(nl.int32)
    elif what == "ap":
        view = view.ap(pattern=[[D, 2], [1, D]], offset=0)
    t = nl.ndarray((2, D), dtype=table.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=view)
    return _store(t)


@pytest.mark.parametrize("what,message", [("reshape", "cannot be reshaped"), ("view", "cannot be re-typed"),
                                          ("ap", "already has a dynamic offset")])
def test_a_dynamic_view_cannot_be_reshaped_retyped_or_re_ap(what, message):
    x = randn(6, 4)
    np.testing.assert_array_equal(misuse_dynamic_view_k(x, "none"), x[1:3])  # the untouched view works
    with pytest.raises(nki.NkiCompileError) as e:
        misuse_dynamic_view_k(x, what)
    assert message in str(e.value)


@nki.jit
def ap_on_sliced_tile_k(x):
    t = _load(x)
    v = t[0:4, 2:8].ap(pattern=[[x.shape[1], 4], [1, 4]], offset=1)  # offset counts from the view's start
    o = nl.ndarray((4, 4), dtype=x.dtype, buffer=nl.sbuf)
    nisa.tensor_copy(dst=o, src=v)
    return _store(o)


def test_ap_on_an_indexed_on_chip_view():
    # nki-library's TensorView calls .ap() on indexed SBUF views (docs/semantics.md).
    x = randn(8, 8)
    np.testing.assert_array_equal(ap_on_sliced_tile_k(x), x[0:4, 3:7])
