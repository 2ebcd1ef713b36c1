"""nki.collectives kernels, run on several ranks with nkic.simulate_ranks (rank r's inputs are its own)."""
import nki
import nki.collectives as ncc
import nki.isa as nisa
import nki.language as nl


def everyone(n):
    return ncc.ReplicaGroup([list(range(n))])


def hbm_like(x, dtype=None):
    return nl.ndarray(x.shape, dtype=dtype or x.dtype, buffer=nl.shared_hbm)


@nki.jit
def all_reduce_hbm(x, y, n, op_name):
    op = {"add": nl.add, "max": nl.maximum, "min": nl.minimum}[op_name]
    ox, oy = hbm_like(x), hbm_like(y)
    ncc.all_reduce(srcs=[x, y], dsts=[ox, oy], replica_group=everyone(n), op=op)  # coalesced
    return ox, oy


@nki.jit
def all_reduce_sbuf(x, n):
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    r = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    ncc.all_reduce(srcs=[t], dsts=[r], replica_group=everyone(n), op=nl.add)
    out = hbm_like(x)
    nisa.dma_copy(dst=out, src=r)
    return out


@nki.jit
def all_reduce_pairs(x):
    """Sub-groups: ranks {0, 1} and {2, 3} reduce separately."""
    out = hbm_like(x)
    ncc.all_reduce(srcs=[x], dsts=[out], replica_group=ncc.ReplicaGroup([[0, 1], [2, 3]]), op=nl.add)
    return out


@nki.jit
def all_reduce_in_place(x, n):
    buf = hbm_like(x)
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    nisa.dma_copy(dst=buf, src=t)
    ncc.all_reduce(srcs=[buf], dsts=[buf], replica_group=everyone(n), op=nl.add)
    return buf


@nki.jit
def all_gather_hbm(x, n):
    out = nl.ndarray((x.shape[0] * n, x.shape[1]), dtype=x.dtype, buffer=nl.shared_hbm)
    ncc.all_gather(srcs=[x], dsts=[out], replica_group=everyone(n), collective_dim=0)
    return out


@nki.jit
def all_gather_sbuf_columns(x, n):
    P, F = x.shape
    t = nl.ndarray((P, F), dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    g = nl.ndarray((P, F * n), dtype=x.dtype, buffer=nl.sbuf)
    ncc.all_gather(srcs=[t], dsts=[g], replica_group=everyone(n), collective_dim=1)
    out = nl.ndarray((P, F * n), dtype=x.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=g)
    return out


@nki.jit
def reduce_scatter_hbm(x, n):
    out = nl.ndarray((x.shape[0] // n, x.shape[1]), dtype=x.dtype, buffer=nl.shared_hbm)
    ncc.reduce_scatter(srcs=[x], dsts=[out], replica_group=everyone(n), collective_dim=0, op=nl.add)
    return out


@nki.jit
def all_to_all_hbm(x, n):
    out = hbm_like(x)
    ncc.all_to_all(srcs=[x], dsts=[out], replica_group=everyone(n), collective_dim=0)
    return out


@nki.jit
def all_to_all_v_hbm(x, meta, out_len, n, known, rdispls):
    out = nl.ndarray((out_len,), dtype=x.dtype, buffer=nl.shared_hbm)
    zero = nl.ndarray((1, out_len), dtype=x.dtype, buffer=nl.sbuf)
    nisa.memset(dst=zero, value=-1.0)
    nisa.dma_copy(dst=out.reshape((1, out_len)), src=zero)
    ncc.all_to_all_v(srcs=[x], dsts=[out], replica_group=everyone(n), metadata_tensor=meta,
                     recv_counts_known=known, has_rdispls=rdispls)
    return out


@nki.jit
def permute_ring(x, n):
    out = hbm_like(x)
    pairs = []
    for r in range(n):
        pairs.append((r, (r + 1) % n))
    ncc.collective_permute(srcs=[x], dsts=[out], source_target_pairs=pairs)
    return out


@nki.jit
def permute_implicit(x, y, n):
    ox, oy = hbm_like(x), hbm_like(y)
    ncc.collective_permute_implicit(srcs_by_channel=[x, y], dsts_by_channel=[ox, oy], replica_group=everyone(n),
                                    channel_ids=[0, 1])
    return ox, oy


@nki.jit
def permute_implicit_reduce(x, y, n):
    out = hbm_like(x)
    ncc.collective_permute_implicit_reduce(srcs0_by_channel=[x], srcs1_by_channel=[y], dsts_by_channel=[out],
                                           replica_group=everyone(n), op=nl.maximum)
    return out


@nki.jit
def rank_ids(x, n):
    """Row 0: rank_id(); row 1..: the rank whose data this rank holds after each ring step."""
    out = nl.ndarray((n + 1, 1), dtype=nl.float32, buffer=nl.shared_hbm)
    t = nl.ndarray((1, 1), dtype=nl.float32, buffer=nl.sbuf)
    nisa.memset(dst=t, value=float(ncc.rank_id()))
    nisa.dma_copy(dst=out[0:1, :], src=t)
    for it in range(n):
        u = nl.ndarray((1, 1), dtype=nl.float32, buffer=nl.sbuf)
        nisa.memset(dst=u, value=float(ncc.collective_permute_implicit_current_processing_rank_id(it, everyone(n))))
        nisa.dma_copy(dst=out[it + 1:it + 2, :], src=u)
    return out


@nki.jit
def lnc2_all_reduce(x, n):
    """Each rank is a logical core of two cores: each core reduces its half of the rows across ranks."""
    half = x.shape[0] // 2
    pid = nl.program_id(0)
    out = hbm_like(x)
    t = nl.ndarray((half, x.shape[1]), dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x[pid * half:(pid + 1) * half, :])
    r = nl.ndarray((half, x.shape[1]), dtype=x.dtype, buffer=nl.sbuf)
    ncc.all_reduce(srcs=[t], dsts=[r], replica_group=everyone(n), op=nl.add)
    nisa.dma_copy(dst=out[pid * half:(pid + 1) * half, :], src=r)
    return out


@nki.jit
def skips_on_rank_1(x, n):
    out = hbm_like(x)
    if ncc.rank_id() != 1:
        ncc.all_reduce(srcs=[x], dsts=[out], replica_group=everyone(n), op=nl.add)
    return out
