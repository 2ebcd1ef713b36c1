"""Our own NKI 0.3.0 versions of the fused-mamba tutorial kernels that AWS measured (v1, v2, v3), with
the published loop structure. delta, u: [batch, channels, seq]; A: [channels, state]; B, C: [batch,
state, seq]. Per batch, channel tile (128 channels on partitions) and state s:
  deltaA = exp(delta * A[:, s]);  deltaBu = delta * u * B[s];  h_t = deltaA_t * h_{t-1} + deltaBu_t;
  out += h * C[s].
v1: state loop outside the channel-tile loop, so delta and u are reloaded for every state; the sums of
    all channel tiles stay in SBUF until the end.
v2: channel-tile loop outside: delta and u are loaded once per channel tile.
v3: v2 with the sequence cut into 512-column chunks, the scan carried from chunk to chunk (SBUF
    footprint independent of the sequence length)."""
import nki
import nki.isa as nisa
import nki.language as nl

P = 128


def _row(X, ib, s, f0, n, dma_bcast):
    """X[ib, s, f0:f0+n] for all 128 partitions: one row loaded then broadcast with nl.broadcast_to
    (as the originals), or, with dma_bcast, loaded straight into 128 partitions by one DMA whose
    partition step is 0."""
    if not dma_bcast:
        return nl.load(X[ib, s:s + 1, f0:f0 + n])
    S, L = X.shape[1], X.shape[2]
    t = nl.ndarray((P, n), dtype=X.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=X.ap(pattern=[[0, P], [1, n]], offset=(ib * S + s) * L + f0))
    return t


def _bcast(row, L):
    return nl.broadcast_to(row, shape=(P, L)) if row.shape[0] == 1 else row


def _state_step(dt, ut, a_col, b_row, c_row, acc, L, init):
    """One state's contribution over L columns: the published sequence of instructions."""
    dA = nl.ndarray((P, L), dtype=nl.float32, buffer=nl.sbuf)
    nisa.activation(dst=dA, op=nl.exp, data=dt, scale=a_col)
    du = nl.ndarray((P, L), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_tensor(dst=du, data1=dt, data2=ut, op=nl.multiply)
    dbu = nl.ndarray((P, L), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_tensor(dst=dbu, data1=du, data2=_bcast(b_row, L), op=nl.multiply)
    h = nl.ndarray((P, L), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_tensor_scan(dst=h, data0=dA, data1=dbu, initial=init, op0=nl.multiply, op1=nl.add)
    hc = nl.ndarray((P, L), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_tensor(dst=hc, data1=h, data2=_bcast(c_row, L), op=nl.multiply)
    nisa.tensor_tensor(dst=acc, data1=acc, data2=hc, op=nl.add)
    return h


@nki.jit
def mamba_v1(delta, u, A, B, C, dma_bcast=False):
    nb, ch, L = delta.shape
    S = A.shape[1]
    CT = ch // P
    out = nl.ndarray((nb, ch, L), dtype=delta.dtype, buffer=nl.shared_hbm)
    for ib in nl.affine_range(nb):
        acc = nl.ndarray((P, CT, L), dtype=nl.float32, buffer=nl.sbuf)
        nisa.memset(dst=acc, value=0.0)
        for s in nl.affine_range(S):
            for ct in nl.affine_range(CT):
                c0 = ct * P
                dt = nl.load(delta[ib, c0:c0 + P, :])
                a_col = nl.load(A[c0:c0 + P, s:s + 1])
                ut = nl.load(u[ib, c0:c0 + P, :])
                b_row = _row(B, ib, s, 0, L, dma_bcast)
                c_row = _row(C, ib, s, 0, L, dma_bcast)
                _state_step(dt, ut, a_col, b_row, c_row, acc[:, ct, :], L, 0.0)
        for ct in nl.affine_range(CT):
            nl.store(out[ib, ct * P:(ct + 1) * P, :], acc[:, ct, :])
    return out


@nki.jit
def mamba_v2(delta, u, A, B, C, dma_bcast=False):
    nb, ch, L = delta.shape
    S = A.shape[1]
    out = nl.ndarray((nb, ch, L), dtype=delta.dtype, buffer=nl.shared_hbm)
    for ib in nl.affine_range(nb):
        for ct in nl.affine_range(ch // P):
            c0 = ct * P
            acc = nl.ndarray((P, L), dtype=nl.float32, buffer=nl.sbuf)
            nisa.memset(dst=acc, value=0.0)
            dt = nl.load(delta[ib, c0:c0 + P, :])
            ut = nl.load(u[ib, c0:c0 + P, :])
            for s in nl.affine_range(S):
                a_col = nl.load(A[c0:c0 + P, s:s + 1])
                b_row = _row(B, ib, s, 0, L, dma_bcast)
                c_row = _row(C, ib, s, 0, L, dma_bcast)
                _state_step(dt, ut, a_col, b_row, c_row, acc, L, 0.0)
            nl.store(out[ib, c0:c0 + P, :], acc)
    return out


@nki.jit
def mamba_v3(delta, u, A, B, C, chunk=512, dma_bcast=False):
    nb, ch, L = delta.shape
    S = A.shape[1]
    out = nl.ndarray((nb, ch, L), dtype=delta.dtype, buffer=nl.shared_hbm)
    for ib in nl.affine_range(nb):
        for ct in nl.affine_range(ch // P):
            c0 = ct * P
            acc = nl.ndarray((P, L), dtype=nl.float32, buffer=nl.sbuf)
            nisa.memset(dst=acc, value=0.0)
            dt = nl.load(delta[ib, c0:c0 + P, :])
            ut = nl.load(u[ib, c0:c0 + P, :])
            for s in nl.affine_range(S):
                a_col = nl.load(A[c0:c0 + P, s:s + 1])
                carry = nl.ndarray((P, 1), dtype=nl.float32, buffer=nl.sbuf)
                nisa.memset(dst=carry, value=0.0)
                for j in nl.static_range(L // chunk):
                    f0 = j * chunk
                    b_row = _row(B, ib, s, f0, chunk, dma_bcast)
                    c_row = _row(C, ib, s, f0, chunk, dma_bcast)
                    h = _state_step(dt[:, f0:f0 + chunk], ut[:, f0:f0 + chunk], a_col, b_row, c_row,
                                    acc[:, f0:f0 + chunk], chunk, carry)
                    nisa.tensor_copy(dst=carry, src=h[:, chunk - 1:chunk])
            nl.store(out[ib, c0:c0 + P, :], acc)
    return out
