"""Kernels that misuse two cores or collectives: each must fail with a clear error at its line."""
import nki
import nki.collectives as ncc
import nki.isa as nisa
import nki.language as nl


@nki.jit
def outputs_differ(x):
    rows = 128 if nl.program_id(0) == 0 else 64
    out = nl.ndarray((rows, x.shape[1]), dtype=x.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray((rows, x.shape[1]), dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x[0:rows, :])
    nisa.dma_copy(dst=out, src=t)
    return out


@nki.jit
def shared_scratch_differs(x):
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    scratch = nl.ndarray((32 if nl.program_id(0) == 0 else 16, 8), dtype=x.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    nisa.dma_copy(dst=scratch, src=t[0:scratch.shape[0], 0:8])
    if nl.program_id(0) == 0:
        nisa.dma_copy(dst=out, src=t)
    return out


@nki.jit
def sends_to_itself(x):
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    u = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    nisa.sendrecv(src=t, dst=u, send_to_rank=nl.program_id(0), recv_from_rank=1 - nl.program_id(0), pipe_id=0)
    return out


@nki.jit
def bad_collective(x, case):
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    rg = ncc.ReplicaGroup([[0, 1]])
    if case == "op":
        ncc.all_reduce(srcs=[x], dsts=[out], replica_group=rg, op=nl.multiply)
    elif case == "sbuf_coalesced":
        a = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
        b = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
        ncc.all_reduce(srcs=[a, b], dsts=[a, b], replica_group=rg, op=nl.add)
    elif case == "psum":
        p = nl.ndarray(x.shape, dtype=nl.float32, buffer=nl.psum)
        ncc.all_reduce(srcs=[p], dsts=[p], replica_group=rg, op=nl.add)
    elif case == "kinds":  # rank 0 reduces while rank 1 gathers
        if ncc.rank_id() == 0:
            ncc.all_reduce(srcs=[x], dsts=[out], replica_group=rg, op=nl.add)
        else:
            big = nl.ndarray((2 * x.shape[0], x.shape[1]), dtype=x.dtype, buffer=nl.shared_hbm)
            ncc.all_gather(srcs=[x], dsts=[big], replica_group=rg, collective_dim=0)
    return out


@nki.jit
def offset_out_of_bounds(a):
    out = nl.ndarray((a.shape[1], a.shape[2]), dtype=a.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray((a.shape[1], a.shape[2]), dtype=a.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=a.ap(pattern=[[a.shape[2], a.shape[1]], [1, a.shape[2]]], scalar_offset=a.shape[0],
                                  indirect_dim=0))
    nisa.dma_copy(dst=out, src=t)
    return out
