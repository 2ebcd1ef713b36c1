"""Our own kernels for NKI 0.7.0's prepare/trigger collectives (all_to_all_v_*, all_gather_v_*) and the
handle all_to_all_v returns. `# ERROR-LINE name` marks the line an error must point at."""
import nki.collectives as ncc
import nki.isa as nisa
import nki.language as nl


def _filled(out_len, dtype):
    out = nl.ndarray((out_len,), dtype=dtype, buffer=nl.shared_hbm)
    fill = nl.ndarray((1, out_len), dtype=dtype, buffer=nl.sbuf)
    nisa.memset(dst=fill, value=-1.0)
    nisa.dma_copy(dst=out.reshape((1, out_len)), src=fill)
    return out


def a2av_prepared(x, meta, out_len, n, known, rdispls):
    """all_to_all_v as prepare, then (after the src is filled) trigger; x is copied into the src first."""
    out = _filled(out_len, x.dtype)
    src = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.private_hbm)
    group = ncc.ReplicaGroup([list(range(n))])
    p = ncc.all_to_all_v_prepare(srcs=[src], dsts=[out], replica_group=group, metadata_tensor=meta,
                                 recv_counts_known=known, has_rdispls=rdispls)
    assert isinstance(p, nisa.NkiInstruction)
    nisa.dma_copy(dst=src, src=x)  # the prepare may run before the src is filled
    h = ncc.all_to_all_v_trigger(p)
    assert isinstance(h, nisa.NkiInstruction)
    return out


def agv_prepared(x, meta, out_len, n, known, rdispls):
    out = _filled(out_len, x.dtype)
    group = ncc.ReplicaGroup([list(range(n))])
    p = ncc.all_gather_v_prepare(srcs=[x], dsts=[out], replica_group=group, metadata_tensor=meta,
                                 recv_counts_known=known, has_rdispls=rdispls)
    ncc.all_gather_v_trigger(prepare_instr=p)
    return out


def a2av_handle(x, meta, out_len, n):
    """all_to_all_v itself returns an NkiInstruction from NKI 0.7.0 (None before)."""
    out = _filled(out_len, x.dtype)
    h = ncc.all_to_all_v(srcs=[x], dsts=[out], replica_group=ncc.ReplicaGroup([list(range(n))]), metadata_tensor=meta)
    h.depends_on()
    return out


def two_prepares(x, meta, out_len, n):
    out = _filled(out_len, x.dtype)
    g = ncc.ReplicaGroup([list(range(n))])
    ncc.all_gather_v_prepare(srcs=[x], dsts=[out], replica_group=g, metadata_tensor=meta)
    ncc.all_gather_v_prepare(srcs=[x], dsts=[out], replica_group=g, metadata_tensor=meta)  # ERROR-LINE two_prepares
    return out


def two_triggers(x, meta, out_len, n):
    out = _filled(out_len, x.dtype)
    g = ncc.ReplicaGroup([list(range(n))])
    p = ncc.all_gather_v_prepare(srcs=[x], dsts=[out], replica_group=g, metadata_tensor=meta)
    ncc.all_gather_v_trigger(p)
    ncc.all_gather_v_trigger(p)  # ERROR-LINE two_triggers
    return out


def wrong_trigger(x, meta, out_len, n):
    out = _filled(out_len, x.dtype)
    g = ncc.ReplicaGroup([list(range(n))])
    p = ncc.all_gather_v_prepare(srcs=[x], dsts=[out], replica_group=g, metadata_tensor=meta)
    ncc.all_to_all_v_trigger(p)  # ERROR-LINE wrong_trigger
    return out


def prepare_missing(x, meta, out_len, n):
    out = _filled(out_len, x.dtype)
    g = ncc.ReplicaGroup([list(range(n))])
    ncc.all_gather_v_prepare(srcs=[x], dsts=[out], replica_group=g, metadata_tensor=meta)  # ERROR-LINE prepare_missing
    return out
