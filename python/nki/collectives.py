"""``nki.collectives`` (``import nki.collectives as ncc``): multi-rank communication (NKI 0.3.0).

Each collective takes lists of tensors (all in HBM or all in SBUF; more than one tensor only in
HBM).  Reductions use ``nl.add``, ``nl.minimum`` or ``nl.maximum``.  Collectives only exist inside
``@nki.jit`` kernels (and are not modelled by the simulator); host-side calls raise
:class:`nki._errors.NkiError`.
"""

from dataclasses import dataclass as _dataclass

from ._hostside import kernel_only as _kernel_only
from .language import NKIObject

__all__ = ["ReplicaGroup", "NKIObject", "all_reduce", "all_gather", "reduce_scatter", "all_to_all",
           "all_to_all_v", "all_gather_v", "all_to_all_v_prepare", "all_to_all_v_trigger", "all_gather_v_prepare",
           "all_gather_v_trigger", "collective_permute", "collective_permute_implicit",
           "collective_permute_implicit_reduce",
           "collective_permute_implicit_current_processing_rank_id", "rank_id"]


@_dataclass
class ReplicaGroup(NKIObject):
    """The ranks taking part in a collective, as a list of rank lists.

    The collective runs independently inside each rank list, e.g. ``ReplicaGroup([[0, 1], [2, 3]])``.
    Rank lists must not overlap."""

    groups: list

    def __post_init__(self):
        try:
            groups = [[int(r) for r in g] for g in self.groups]
        except TypeError:
            raise TypeError("ReplicaGroup expects a list of rank lists, e.g. [[0, 1, 2, 3]]") from None
        seen = set()
        for g in groups:
            for r in g:
                if r < 0:
                    raise ValueError(f"ReplicaGroup: negative rank {r}")
                if r in seen:
                    raise ValueError(f"ReplicaGroup: rank {r} appears in more than one rank list")
                seen.add(r)
        self.groups = groups

    def __len__(self):
        return len(self.groups)

    def __iter__(self):
        return iter(self.groups)


@_kernel_only
def all_reduce(srcs, dsts, replica_group, op, priority=None, name=None):
    """Reduce ``srcs`` element-wise across the ranks of each group with ``op``; every rank gets the result in ``dsts``."""


@_kernel_only
def all_gather(srcs, dsts, replica_group, collective_dim, priority=None, name=None):
    """Concatenate every rank's ``srcs`` along ``collective_dim`` into ``dsts`` (HBM: dim 0; SBUF 2-D: 0 or 1)."""


@_kernel_only
def reduce_scatter(srcs, dsts, replica_group, collective_dim, op, priority=None, name=None):
    """Reduce across ranks with ``op`` and give each rank its slice (split along dim 0) in ``dsts``."""


@_kernel_only
def all_to_all(srcs, dsts, replica_group, collective_dim, priority=None, name=None):
    """Split ``srcs`` along dim 0, send chunk i to rank i, concatenate the received chunks (HBM only)."""


@_kernel_only
def all_to_all_v(srcs, dsts, replica_group, metadata_tensor, recv_counts_known=False, has_rdispls=False, priority=None, name=None):
    """All-to-all with run-time per-rank counts/displacements from a uint32 ``metadata_tensor`` (one flat HBM src/dst)."""


@_kernel_only
def all_gather_v(srcs, dsts, replica_group, metadata_tensor, recv_counts_known=False, has_rdispls=False, priority=None,
                 name=None):
    """NKI 0.6.0: every rank sends ``src[send_displ:send_displ + send_count]`` (``metadata_tensor`` rows 0/1, column
    0) to every rank; ``dst`` holds one equal slot per rank (or rows 2/3: per-source recv counts/displacements)."""


@_kernel_only
def all_to_all_v_prepare(srcs, dsts, replica_group, metadata_tensor, recv_counts_known=False, has_rdispls=False,
                         priority=None, name=None):
    """NKI 0.7.0: validate an ``all_to_all_v`` and return its handle; ``all_to_all_v_trigger`` moves the data."""


@_kernel_only
def all_to_all_v_trigger(prepare_instr, name=None):
    """NKI 0.7.0: run the ``all_to_all_v`` that ``prepare_instr`` (from ``all_to_all_v_prepare``) describes."""


@_kernel_only
def all_gather_v_prepare(srcs, dsts, replica_group, metadata_tensor, recv_counts_known=False, has_rdispls=False,
                         priority=None, name=None):
    """NKI 0.7.0: validate an ``all_gather_v`` and return its handle; ``all_gather_v_trigger`` moves the data."""


@_kernel_only
def all_gather_v_trigger(prepare_instr, name=None):
    """NKI 0.7.0: run the ``all_gather_v`` that ``prepare_instr`` (from ``all_gather_v_prepare``) describes."""


@_kernel_only
def collective_permute(srcs, dsts, source_target_pairs, priority=None, name=None):
    """Send ``srcs`` along explicit ``(source_rank, target_rank)`` pairs into ``dsts`` (one HBM tensor each)."""


@_kernel_only
def collective_permute_implicit(srcs_by_channel, dsts_by_channel, replica_group, channel_ids=[0], priority=None, name=None):  # noqa: B006
    """Ring step: send to the successor and receive from the predecessor, one tensor per channel."""


@_kernel_only
def collective_permute_implicit_reduce(srcs0_by_channel, srcs1_by_channel, dsts_by_channel, replica_group, op,
                                       channel_ids=[0], priority=None, name=None):  # noqa: B006
    """Ring step sending ``op(srcs0, srcs1)`` to the successor and receiving the predecessor's into ``dsts``."""


@_kernel_only
def collective_permute_implicit_current_processing_rank_id(iteration_id, replica_group, channel_id=0):
    """Register holding the rank whose data is processed at ring step ``iteration_id`` (step 0: own rank)."""


@_kernel_only
def rank_id():
    """Register (or int) holding this process's rank in the collective world."""
