"""Our kernels for the APIs NKI 0.5.0 added (tests/releases/test_r05.py). `# ERROR-LINE name` marks the
line an error under an older release must point at."""
import nki.collectives as ncc
import nki.isa as nisa
import nki.language as nl


def _load(x):
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    return t


def _store(t):
    out = nl.ndarray(t.shape, dtype=t.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=t)
    return out


def e8m0_roundtrip(x):
    """fp32 -> float8_e8m0fnu (tensor_copy) -> fp32."""
    t = _load(x)
    e = nl.ndarray(x.shape, dtype=nl.float8_e8m0fnu, buffer=nl.sbuf)  # ERROR-LINE e8m0
    nisa.tensor_copy(dst=e, src=t)
    back = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=back, src=e)
    return _store(back), _store(e)


def quantize_mx_scales(x, scale_dtype):
    """quantize_mx with its dst_scale in `scale_dtype` (uint8 or float8_e8m0fnu)."""
    P, F = x.shape
    xt = _load(x)
    q = nl.ndarray((P, F // 4), dtype=nl.float8_e4m3fn_x4, buffer=nl.sbuf)
    s = nl.ndarray((P // 8 if P <= 32 else P, F // 4), dtype=getattr(nl, scale_dtype), buffer=nl.sbuf)
    nisa.memset(dst=s.view(nl.uint8), value=0)
    nisa.quantize_mx(dst=q, src=xt, dst_scale=s)
    return _store(q.view(nl.uint32)), _store(s.view(nl.uint8))


def views_hbm(x):
    """x: HBM (4, 6, 8). Each view of x copied out flat through SBUF rows."""
    outs = []
    for v in (x.slice(1, 1, 5, step=2),  # ERROR-LINE slice
              x.select(0, 2),
              x.permute((2, 0, 1)),
              x.reshape_dim(2, (2, -1)),
              x.flatten_dims(1, 2),
              x.rearrange("a b (c d)", "d a b c", fixed_sizes={"c": 2}),
              x.select(1, 3).expand_dim(1).squeeze_dim(1)):
        o = nl.ndarray(v.shape, dtype=v.dtype, buffer=nl.shared_hbm)
        nisa.dma_copy(dst=o, src=v)
        outs.append(o)
    return tuple(outs)


def views_sbuf(x):
    """x: (16, 12) copied to SBUF; on-chip views: free-dim slice, broadcast of a (16, 1) column, a
    reshape_dim of the free dim, and a static select on the partition dim (kept at size 1)."""
    t = _load(x)
    a = nl.ndarray((16, 4), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=a, src=t.slice(1, 2, 10, 2))
    col = t.slice(1, 0, 1)
    b = nl.ndarray((16, 5), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=b, src=col.broadcast(1, 5))
    c = nl.ndarray((16, 3, 4), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=c, src=t.reshape_dim(1, (3, 4)).permute((0, 2, 1)).permute((0, 2, 1)))
    d = nl.ndarray((1, 12), dtype=nl.float32, buffer=nl.shared_hbm)  # DMA: any start partition
    nisa.dma_copy(dst=d, src=t.select(0, 5))
    flags = (t.is_contiguous(), t.slice(1, 0, 12, 2).is_contiguous(), t.is_indirect())
    assert flags == (True, False, False), flags
    return _store(a), _store(b), _store(c), d


def ap_offset_inherits(x):
    """x: HBM (8, 16). x[2:4].ap([[16, 2], [1, 16]]) starts at row 2 (offset=None inherits the view's);
    offset=3 adds 3 elements to it."""
    v = x[2:4, :]
    o1 = nl.ndarray((2, 16), dtype=x.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=o1, src=v.ap([[16, 2], [1, 16]]))
    o2 = nl.ndarray((2, 8), dtype=x.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=o2, src=v.ap([[16, 2], [1, 8]], offset=3))
    return o1, o2


def versions(x):
    """Trace-time: get_nc_sub_version() is 0, tile_size.psum_num_banks is 8."""
    assert nisa.get_nc_sub_version() == 0  # ERROR-LINE sub_version
    assert nl.tile_size.psum_num_banks == 8
    return _store(_load(x))


def all_reduce_named(x):
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    ncc.all_reduce(srcs=[x], dsts=[out], replica_group=[[0, 1]], op=nl.add, name="ar0")  # ERROR-LINE coll_name
    return out
