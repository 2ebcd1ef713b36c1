"""``nki.isa`` (``import nki.isa as nisa``): NeuronCore instructions, NKI 0.3.0 signatures.

Every instruction writes into a pre-allocated destination passed first as ``dst`` (exceptions:
``sendrecv``, ``core_barrier``, ``set_rng_seed``, ``rand_set_state`` and the ``register_*`` calls)
and accepts an optional ``name`` used for scheduling and profiling.  The output dtype is
``dst.dtype``.  Instructions only exist inside ``@nki.jit`` kernels: calling one on the host raises
:class:`nki._errors.NkiError`.
"""

import enum as _enum
import os as _os

from ._errors import NkiError, NkiValidationError  # noqa: F401  (NkiValidationError is re-exported)
from ._hostside import host_override as _host_override
from ._hostside import kernel_only as _kernel_only
from .language import NKIObject, equal, maximum


# ---------------------------------------------------------------------------------------------
# Enums (values as in the 0.3.0 stubs)
# ---------------------------------------------------------------------------------------------
class engine(_enum.Enum):
    """Compute / data-movement engine selecting where an instruction runs."""

    unknown = 0
    """Let the compiler choose."""
    tensor = 1
    """Tensor Engine (PE array)."""
    scalar = 2
    """Scalar Engine (activations)."""
    gpsimd = 3
    """GpSimd Engine."""
    dma = 4
    """DMA engines."""
    vector = 5
    """Vector Engine."""
    sync = 6
    """Sync Engine (SP)."""


class dge_mode(_enum.Enum):
    """How DMA descriptors are generated."""

    unknown = 0
    """Let the compiler choose."""
    swdge = 1
    """Software DGE: GpSimd builds descriptors at run time (needed for gather/scatter)."""
    hwdge = 2
    """Hardware DGE block, triggered from the Sync or Scalar queue (NeuronCore-v3+)."""
    none = 3
    """Descriptors precomputed by the runtime and stored in HBM."""


class oob_mode(_enum.Enum):
    """What a DMA does with an out-of-bounds dynamic address or index."""

    error = 0
    """Fail at run time."""
    skip = 1
    """Skip that transfer."""


class reduce_cmd(_enum.Enum):
    """Control of an engine's accumulation registers."""

    idle = 0
    """Leave the accumulators alone."""
    reset = 1
    """Reset the accumulators only."""
    reduce = 2
    """Accumulate on top of the current value."""
    reset_reduce = 3
    """Reset, then accumulate this instruction's result."""
    load_reduce = 4
    """Load an initial value, then accumulate."""


class matmul_perf_mode(_enum.Enum):
    """Tensor Engine performance mode."""

    none = "none"
    """Normal mode."""
    double_row = "double_row"
    """FP8 double-row mode: 2x throughput (NeuronCore-v3+)."""


class nc_version(_enum.Enum):
    """NeuronCore generation."""

    gen2 = 2
    """NeuronCore-v2: trn1 / inf2."""
    gen3 = 3
    """NeuronCore-v3: trn2."""
    gen4 = 4
    """NeuronCore-v4: trn3."""


class dma_engine(_enum.Enum):
    """DMA path used by ``sendrecv``."""

    dma = 1
    """Shared DMA rings (default), triggerable from any engine."""
    gpsimd_dma = 2
    """GpSimd-internal DMA for low-latency SBUF-to-SBUF exchange under LNC2."""



def _constants_module():
    # ``nki.isa.constants`` holds the enums too (nki-library's find_nonzero_indices imports it).
    import sys
    import types
    mod = types.ModuleType(__name__ + ".constants", "The nki.isa enums.")
    for cls in (engine, dge_mode, oob_mode, reduce_cmd, matmul_perf_mode, nc_version, dma_engine):
        setattr(mod, cls.__name__, cls)
    sys.modules[mod.__name__] = mod
    return mod


constants = _constants_module()

tensor_engine = engine.tensor
scalar_engine = engine.scalar
gpsimd_engine = engine.gpsimd
vector_engine = engine.vector
unknown_engine = engine.unknown


class VirtualRegister(NKIObject):
    """A 32-bit scalar held in an engine-sequencer register (allocated by the compiler).

    Obtained from :func:`register_alloc` and some collectives; used for ``nl.dynamic_range``
    bounds, ``while`` conditions and dynamic offsets (``.ap(scalar_offset=...)``)."""

    def __init__(self, state=None, frozen=False):
        self.state = state
        self.frozen = frozen

    def __repr__(self):
        return f"VirtualRegister(state={self.state!r}, frozen={self.frozen!r})"


_TARGETS = {
    "trn1": nc_version.gen2, "inf2": nc_version.gen2, "gen2": nc_version.gen2,
    "trn2": nc_version.gen3, "gen3": nc_version.gen3,
    "trn3": nc_version.gen4, "gen4": nc_version.gen4,
}


@_host_override
def get_nc_version():
    """The NeuronCore generation being targeted.

    Taken from ``NEURON_PLATFORM_TARGET_OVERRIDE`` (trn1/inf2/gen2, trn2/gen3, trn3/gen4);
    defaults to trn2 (``nc_version.gen3``)."""
    target = _os.environ.get("NEURON_PLATFORM_TARGET_OVERRIDE", "").strip().lower() or "trn2"
    try:
        return _TARGETS[target]
    except KeyError:
        raise NkiError(f"unknown NEURON_PLATFORM_TARGET_OVERRIDE={target!r}; expected one of "
                       + ", ".join(sorted(_TARGETS))) from None


@_host_override
def get_nc_sub_version():
    """NKI 0.5.0: the silicon revision within the NeuronCore generation (nkic models revision 0)."""
    return 0


# ---------------------------------------------------------------------------------------------
# Tensor Engine
# ---------------------------------------------------------------------------------------------
@_kernel_only
def nc_matmul(dst, stationary, moving, is_stationary_onezero=False, is_moving_onezero=False,
              is_transpose=False, accumulate=None, tile_position=(), tile_size=(),
              perf_mode=matmul_perf_mode.none, name=None):
    """Tensor Engine matmul ``dst (PSUM) = stationary.T @ moving``; contraction on the partition dim.

    ``accumulate``: True adds into ``dst``, False overwrites, None decides from prior writes.
    ``tile_position``/``tile_size``: (row, col) placement in the 128x128 PE array for tiling."""


@_kernel_only
def nc_matmul_mx(dst, stationary, moving, stationary_scale, moving_scale, tile_position=None,
                 tile_size=None, accumulate=None, name=None):
    """MX (micro-scaled fp8/fp4, x4-packed) matmul with uint8 block scales; NeuronCore-v4 only."""


@_kernel_only
def nc_transpose(dst, data, engine=engine.unknown, name=None):
    """Swap the partition and (flattened) free dims of ``data`` on the Tensor (<=128x128) or Vector (<=32x32) Engine."""


# ---------------------------------------------------------------------------------------------
# Scalar Engine
# ---------------------------------------------------------------------------------------------
@_kernel_only
def activation(dst, op, data, bias=None, scale=1.0, reduce_op=None, reduce_res=None,
               reduce_cmd=reduce_cmd.idle, engine=engine.scalar, name=None):
    """``dst = op(data * scale + bias)`` on the Scalar Engine, optionally reducing along the free dims.

    ``scale``/``bias`` are scalars or (P, 1) tiles; the reduction is steered by ``reduce_cmd`` and
    read out into ``reduce_res`` (P, 1). ``engine=engine.gpsimd`` (NKI 0.7.0, NeuronCore-v4): run it on
    GpSimd (SBUF operands, no reduction)."""


@_kernel_only
def activation_reduce(dst, op, data, reduce_op, reduce_res, bias=None, scale=1.0, name=None):
    """``activation`` followed by a free-dim reduction of its result into ``reduce_res`` (P, 1)."""


@_kernel_only
def activate2(dst, op, data, imm0, imm1, op0, op1, relu_param=0.0, reverse0=False, reverse1=False, reduce_op=None,
              reduce_res=None, reduce_cmd=reduce_cmd.idle, engine=engine.scalar, name=None):
    """NKI 0.4.0, NeuronCore-v4: ``dst = op((data op0 imm0) op1 imm1)`` on the Scalar Engine (fp32 math).

    ``(op0, op1)`` is one of (multiply, add), (multiply, subtract), (multiply, bypass), (add, bypass),
    (subtract, bypass), (bypass, bypass); ``imm0``/``imm1``/``relu_param`` are numbers or (P, 1) tiles;
    ``relu_param`` is the negative slope of ``nl.prelu``. ``reduce_op`` (add, maximum, minimum, abs_max,
    abs_min) folds ``dst`` into the ScalarE accumulator as ``reduce_cmd`` says; ``reduce_res`` reads it out.
    ``engine=engine.gpsimd`` (NKI 0.7.0): run it on GpSimd (SBUF operands, no reduction)."""


# ---------------------------------------------------------------------------------------------
# Vector Engine (some also on Scalar / GpSimd)
# ---------------------------------------------------------------------------------------------
@_kernel_only
def tensor_tensor(dst, data1, data2, op, engine=engine.unknown, name=None):
    """Element-wise ``dst = op(data1, data2)``; the two inputs must not both be in PSUM."""


@_kernel_only
def tensor_scalar(dst, data, op0, operand0, reverse0=False, op1=None, operand1=None, reverse1=False,
                  engine=engine.unknown, name=None):
    """``dst = (data op0 operand0) op1 operand1`` with scalar or (P, 1) operands broadcast along the free dims."""


@_kernel_only
def scalar_tensor_tensor(dst, data, op0, operand0, op1, operand1, reverse0=False, reverse1=False,
                         name=None):
    """``dst = (data op0 operand0) op1 operand1`` where ``operand0`` is scalar/(P, 1) and ``operand1`` a full tile."""


@_kernel_only
def tensor_reduce(dst, op, data, axis, negate=False, keepdims=False, name=None):
    """Reduce ``data`` with ``op`` over the last free ``axis`` (int or tuple); ``negate`` multiplies by -1."""


@_kernel_only
def tensor_scalar_reduce(dst, data, op0, operand0, reduce_op, reduce_res=None, reverse0=False,
                         reduce_cmd=reduce_cmd.reset_reduce, reduce_init=None, reduce_res_negate=False,
                         name=None):
    """``dst = data op0 operand0`` plus a free-dim reduction of the result into ``reduce_res`` (P, 1).

    NKI 0.4.0: the reduction goes through the VectorE accumulator: ``reduce_cmd.reset_reduce`` starts
    afresh, ``reduce`` continues it, ``load_reduce`` starts from ``reduce_init`` (number or (P, 1) tile).
    NKI 0.6.0: ``reduce_res=None`` leaves the result in the accumulator only; ``reduce_res_negate``
    negates the copy written to ``reduce_res`` (not the accumulator)."""


@_kernel_only
def tensor_scalar_cumulative(dst, src, op0, op1, imm0, imm1=None, reduce_cmd=reduce_cmd.reset_reduce,
                             name=None):
    """Running scan: ``acc = op1(op0(src[i], imm0), acc); dst[i] = acc`` along the free dims."""


@_kernel_only
def tensor_tensor_scan(dst, data0, data1, initial, op0, op1, reverse0=False, reverse1=False, name=None):
    """Scan ``dst[i] = op1(op0(data0[i], dst[i-1]), data1[i])`` starting from ``initial``."""


@_kernel_only
def tensor_copy(dst, src, engine=engine.unknown, name=None):
    """Copy (and cast) an on-chip tile on the Vector, Scalar or GpSimd Engine."""


@_kernel_only
def tensor_copy_predicated(dst, src, predicate, reverse_pred=False, name=None):
    """Copy ``src`` into ``dst`` where ``predicate`` is non-zero (or zero with ``reverse_pred``)."""


@_kernel_only
def tensor_copy_dynamic_src(dst, src, engine=engine.unknown, name=None):
    """Deprecated: copy from a source at a run-time offset.  Use ``.ap(scalar_offset=...)`` views instead."""


@_kernel_only
def tensor_copy_dynamic_dst(dst, src, engine=engine.unknown, name=None):
    """Deprecated: copy to a destination at a run-time offset.  Use ``.ap(scalar_offset=...)`` views instead."""


@_kernel_only
def reciprocal(dst, data, name=None):
    """Element-wise ``1 / data`` on the Vector Engine."""


@_kernel_only
def exponential(dst, src, max_value=0.0, reduce_res=None, reduce_cmd=reduce_cmd.idle, reduce_init=0.0,
                name=None):
    """``dst = exp(src - max_value)`` with an optional running sum; NeuronCore-v4 only."""


@_kernel_only
def bn_stats(dst, data, name=None):
    """Per-partition mean/variance statistics (6 values: even/odd count, mean, var*count) of <=512 elements."""


@_kernel_only
def bn_aggr(dst, data, name=None):
    """Combine ``bn_stats`` outputs into per-partition (mean, variance)."""


@_kernel_only
def max8(dst, src, name=None):
    """The 8 largest values of each partition, in descending order."""


@_kernel_only
def nc_find_index8(dst, data, vals, name=None):
    """Per partition, the index of the first occurrence in ``data`` of each of the 8 ``vals``."""


@_kernel_only
def nc_match_replace8(dst, data, vals, imm, dst_idx=None, name=None):
    """Replace the first occurrence of each of the 8 ``vals`` with ``imm``; matched indices go to ``dst_idx``."""


@_kernel_only
def nc_stream_shuffle(dst, src, shuffle_mask, name=None):
    """Move partitions within each 32-partition quadrant: output partition i takes input ``shuffle_mask[i]`` (255 = keep)."""


@_kernel_only
def select_reduce(dst, predicate, on_true, on_false, reduce_res=None, reduce_cmd=reduce_cmd.idle,
                  reduce_op=maximum, reverse_pred=False, name=None):
    """``dst = where(predicate, on_true, on_false)`` with an optional max-reduction into ``reduce_res``."""


@_kernel_only
def range_select(dst, on_true_tile, comp_op0, comp_op1, bound0, bound1, reduce_cmd=reduce_cmd.reset_reduce,
                 reduce_res=None, reduce_op=maximum, range_start=0, on_false_value=-3.4028235e+38,
                 name=None):
    """Keep elements whose free index + ``range_start`` satisfies both bound comparisons, else ``on_false_value``; NeuronCore-v3+."""


@_kernel_only
def memset(dst, value, engine=engine.unknown, name=None):
    """Fill ``dst`` with the constant ``value``."""


@_kernel_only
def dropout(dst, data, prob, name=None):
    """Zero each element of ``data`` with probability ``prob`` (scalar or (P, 1) tile)."""


@_kernel_only
def quantize_mx(dst, src, dst_scale, name=None):
    """Quantize fp16/bf16 ``src`` to x4-packed MX fp8 ``dst`` plus uint8 block scales; NeuronCore-v4 only."""


@_kernel_only
def rand2(dst, min, max, name=None):
    """Uniform random values in [``min``, ``max``] (XORWOW) on the Vector Engine; NeuronCore-v4 only."""


@_kernel_only
def rng(dst, engine=engine.unknown, name=None):
    """32 random bits per element, truncated to ``dst``'s integer dtype."""


@_kernel_only
def set_rng_seed(src_seeds, name=None):
    """Seed the Vector Engine generator from a [1, 1] 32-bit on-chip tensor."""


@_kernel_only
def rand_set_state(src_seeds, engine=engine.unknown, name=None):
    """Load per-lane XORWOW state (uint32) from SBUF; NeuronCore-v3+."""


@_kernel_only
def rand_get_state(dst, engine=engine.unknown, name=None):
    """Store per-lane XORWOW state (uint32) into ``dst``; NeuronCore-v3+."""


# ---------------------------------------------------------------------------------------------
# GpSimd Engine
# ---------------------------------------------------------------------------------------------
@_kernel_only
def iota(dst, pattern, offset=0, channel_multiplier=0, name=None):
    """Fill ``dst`` with ``offset + p * channel_multiplier + sum(i_k * step_k)`` for ``pattern = [[step, num], ...]``."""


@_kernel_only
def affine_select(dst, pattern, channel_multiplier, on_true_tile, on_false_value, cmp_op=equal, offset=0,
                  name=None):
    """Select ``on_true_tile`` where ``cmp_op(affine_value, 0)`` holds, else ``on_false_value`` (affine value as in ``iota``)."""


@_kernel_only
def local_gather(dst, src_buffer, index, num_elem_per_idx=1, num_valid_indices=None, name=None):
    """Gather within each group of 16 partitions using uint16 ``index`` values."""


@_kernel_only
def nc_n_gather(dst, data, indices, name=None):
    """Per partition, gather elements of flattened ``data`` at uint32 ``indices``."""


@_kernel_only
def tensor_partition_reduce(dst, op, data, name=None):
    """Reduce across partitions with ``op``; the result has one partition."""


@_kernel_only
def sequence_bounds(dst, segment_ids, name=None):
    """For each element of ``segment_ids`` (1, n), the [start, end) of its segment (padding id 0 gives n, -1)."""


@_kernel_only
def nonzero_with_count(dst, src, index_offset=0, padding_val=-1, name=None):
    """Indices of non-zero elements (+ ``index_offset``), padding, then the count; partitions 0, 16, ..., 112 only; NeuronCore-v3+."""


@_kernel_only
def topk(val_dst, idx_dst, src, n, sorted=False, name=None):  # noqa: A002  (NKI's parameter name)
    """NKI 0.6.0 (``sorted``: 0.7.0): the k = free size of ``val_dst`` largest of ``n`` bf16 elements per
    16-partition group, read as a snake (element e at partition e % 16, column e // 16); values (bf16) and
    snake indices (uint32) are written in the same snake layout, ``sorted=True`` in rank order."""


# ---------------------------------------------------------------------------------------------
# DMA
# ---------------------------------------------------------------------------------------------
@_kernel_only
def dma_copy(dst, src, oob_mode=oob_mode.error, dge_mode=dge_mode.unknown, engine=engine.unknown, priority=None,
             name=None):
    """DMA ``dst = src`` between HBM and SBUF (equal element counts; dtype converted through fp32 if needed)."""


@_kernel_only
def dma_transpose(dst, src, axes=None, dge_mode=dge_mode.unknown, oob_mode=oob_mode.error, priority=None,
                  name=None):
    """DMA with a dimension permutation ((1,0), (2,1,0) or (3,1,2,0)) into SBUF."""


@_kernel_only
def dma_compute(dst, srcs, reduce_op, scales=None, unique_indices=True, oob_mode=oob_mode.error, name=None):
    """DMA-engine reduction ``dst = reduce_op(srcs[0] * scales[0], ...)`` (0.3.0: ``nl.add``, scales 1.0)."""


# ---------------------------------------------------------------------------------------------
# Multi-core synchronization (LNC2, NeuronCore-v3+)
# ---------------------------------------------------------------------------------------------
@_kernel_only
def core_barrier(data, cores, engine=engine.gpsimd, name=None):
    """Barrier between the cores ``(0, 1)`` of a logical NeuronCore on shared-HBM tensor ``data``."""


@_kernel_only
def sendrecv(src, dst, send_to_rank, recv_from_rank, pipe_id, dma_engine=dma_engine.dma, name=None):
    """Send SBUF ``src`` to core ``send_to_rank`` while receiving from ``recv_from_rank`` into ``dst``."""


# ---------------------------------------------------------------------------------------------
# Registers
# ---------------------------------------------------------------------------------------------
@_kernel_only
def register_alloc(x=None):
    """Allocate a :class:`VirtualRegister`, optionally initialised with the int ``x``."""


@_kernel_only
def register_move(dst, src):
    """Set register ``dst`` to an int constant or another register's value."""


@_kernel_only
def register_load(dst, src):
    """Load register ``dst`` from the single-element tensor ``src`` (SBUF or HBM)."""


@_kernel_only
def register_store(dst, src):
    """Store register ``src`` into the single-element tensor ``dst`` (SBUF or HBM)."""


class NkiInstruction(NKIObject):
    """NKI 0.6.0: the handle an ``nki.isa`` call returns while tracing a kernel."""

    def depends_on(self, *producers):
        """Order this instruction after ``producers`` (accepted; nkic's dependency tracking already orders
        instructions by the tensors they touch)."""


class NkiScalar(NKIObject):
    """NKI 0.7.0: a 32-bit integer held in a sequencer register, made by :func:`scalar_load`.

    Usable as ``.ap(scalar_offset=...)`` and as an ``nl.fori_loop`` bound."""


@_kernel_only
def scalar_load(src):
    """NKI 0.7.0: an :class:`NkiScalar` loaded from the (1, 1) int32 tensor ``src`` (SBUF or HBM)."""


@_kernel_only
def scalar_store(dst, value):
    """NKI 0.7.0: store the :class:`NkiScalar` ``value`` into the (1, 1) int32 tensor ``dst``."""


__all__ = sorted(n for n in list(globals()) if not n.startswith("_") and n not in ("NkiError", "equal", "maximum"))
