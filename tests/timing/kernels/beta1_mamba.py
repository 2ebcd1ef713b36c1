"""Our own Beta 1 (neuronxcc.nki) versions of the fused-mamba tutorial kernels that AWS measured (v1, v2,
v3), with the tutorial's structure: tile-returning nisa calls, the B and C rows loaded as one partition
and broadcast to 128 partitions (nl.broadcast_to), per-state sums accumulated with `+=`. Two spellings
differ from the tutorial's: `A[c0:c0 + P, s:s + 1]` for its `A[c0:c0 + P, s]` (our nl.load makes a 1-D
view a [1, P] row, the tutorial needs the [P, 1] column) and `nl.broadcast_to(t, shape=)` for its
`t.broadcast_to(shape)` (the tile method is not implemented yet); both lower the same way.
delta, u: [batch, channels, seq]; A: [channels, state]; B, C: [batch, state, seq]. Per state s:
  deltaA = exp(delta * A[:, s]);  deltaBu = delta * u * B[s];  h_t = deltaA_t * h_{t-1} + deltaBu_t;
  out += h * C[s].
v1: states outside the channel tiles (delta and u reloaded per state); the sums of all channel tiles in
    one block tensor (`nl.par_dim` second) until the end.
v2: channel tiles outside: delta and u loaded once per channel tile.
v3: v2 with the sequence in 512-column chunks, the scan carried from chunk to chunk."""
from neuronxcc import nki
import neuronxcc.nki.isa as nisa
import neuronxcc.nki.language as nl

P = 128


def _state(delta_i, u_i, A_i, B_row, C_row, init, n):
    """One state's h * C over n columns (the tutorial's steps 1-5); returns (h * C, h)."""
    deltaA = nisa.activation(op=nl.exp, data=delta_i, scale=A_i)
    deltaU = nisa.tensor_tensor(delta_i, u_i, op=nl.multiply)
    deltaBu = nisa.tensor_tensor(deltaU, nl.broadcast_to(B_row, shape=(P, n)), op=nl.multiply)
    h = nisa.tensor_tensor_scan(deltaA, deltaBu, initial=init, op0=nl.multiply, op1=nl.add)
    return nisa.tensor_tensor(h, nl.broadcast_to(C_row, shape=(P, n)), op=nl.multiply), h


@nki.jit
def mamba_v1(delta, u, A, B, C):
    nb, ch, L = delta.shape
    S = A.shape[1]
    CT = ch // P
    out = nl.ndarray((nb, ch, L), dtype=delta.dtype, buffer=nl.shared_hbm)
    for ib in nl.affine_range(nb):
        acc = nl.zeros((CT, nl.par_dim(P), L), dtype=delta.dtype)
        for s in nl.affine_range(S):
            for ct in nl.affine_range(CT):
                c0 = ct * P
                delta_i = nl.load(delta[ib, c0:c0 + P, 0:L])
                A_i = nl.load(A[c0:c0 + P, s:s + 1])
                u_i = nl.load(u[ib, c0:c0 + P, 0:L])
                B_row = nl.load(B[ib, s:s + 1, 0:L])
                C_row = nl.load(C[ib, s:s + 1, 0:L])
                hc, _ = _state(delta_i, u_i, A_i, B_row, C_row, 0, L)
                acc[ct, 0:P, 0:L] += hc
        for ct in nl.affine_range(CT):
            nl.store(out[ib, ct * P:(ct + 1) * P, 0:L], acc[ct, 0:P, 0:L])
    return out


@nki.jit
def mamba_v2(delta, u, A, B, C):
    nb, ch, L = delta.shape
    S = A.shape[1]
    out = nl.ndarray((nb, ch, L), dtype=delta.dtype, buffer=nl.shared_hbm)
    for ib in nl.affine_range(nb):
        for ct in nl.affine_range(ch // P):
            c0 = ct * P
            acc = nl.zeros((nl.par_dim(P), L), dtype=delta.dtype)
            delta_i = nl.load(delta[ib, c0:c0 + P, 0:L])
            u_i = nl.load(u[ib, c0:c0 + P, 0:L])
            for s in nl.affine_range(S):
                A_i = nl.load(A[c0:c0 + P, s:s + 1])
                B_row = nl.load(B[ib, s:s + 1, 0:L])
                C_row = nl.load(C[ib, s:s + 1, 0:L])
                hc, _ = _state(delta_i, u_i, A_i, B_row, C_row, 0, L)
                acc[0:P, 0:L] += hc
            nl.store(out[ib, c0:c0 + P, 0:L], acc[0:P, 0:L])
    return out


@nki.jit
def mamba_v3(delta, u, A, B, C, chunk=512):
    nb, ch, L = delta.shape
    S = A.shape[1]
    out = nl.ndarray((nb, ch, L), dtype=delta.dtype, buffer=nl.shared_hbm)
    for ib in nl.affine_range(nb):
        for ct in nl.affine_range(ch // P):
            c0 = ct * P
            acc = nl.zeros((nl.par_dim(P), L), dtype=delta.dtype)
            delta_i = nl.load(delta[ib, c0:c0 + P, 0:L])
            u_i = nl.load(u[ib, c0:c0 + P, 0:L])
            for s in nl.affine_range(S):
                A_i = nl.load(A[c0:c0 + P, s:s + 1])
                init = nl.zeros((P, 1), dtype=delta_i.dtype)
                for j in nl.static_range(L // chunk):
                    f0 = j * chunk
                    B_row = nl.load(B[ib, s:s + 1, f0:f0 + chunk])
                    C_row = nl.load(C[ib, s:s + 1, f0:f0 + chunk])
                    hc, h = _state(delta_i[0:P, f0:f0 + chunk], u_i[0:P, f0:f0 + chunk], A_i, B_row, C_row,
                                   init, chunk)
                    init[...] = h[0:P, chunk - 1]
                    acc[0:P, f0:f0 + chunk] += hc
            nl.store(out[ib, c0:c0 + P, 0:L], acc[0:P, 0:L])
    return out
