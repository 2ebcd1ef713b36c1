"""nkic's own API: what AWS's ``nki`` namespace does not have (the ``nki`` package stays a faithful drop-in).

- ``simulate_ranks(kernel, ranks)``: runs a kernel on several ranks that meet at their ``nki.collectives``
  calls (AWS's simulator does not run collectives).
- ``__version__``: nkic's version (``nki.__version__`` is the NKI release being emulated, NKIC_NKI_RELEASE).
- ``profile(kernel, *args, target=None, timing_only=False, **kwargs)``: the timing model's estimate of
  the kernel's latency on trn1/trn2/trn3, where the time goes, a Perfetto trace and an HTML report.
- ``check(kernel, *args, checks="all", **kwargs)``: runs the kernel with the checkers (docs/checks.md)
  and returns its outputs, or raises one ``CheckError`` listing every ``Finding``; ``CHECKS`` names them.
"""
import warnings as _warnings

from nki._errors import NkiError
from nki._runtime import JitKernel, _at_kernel_line

from nkic._profile import Profile, profile
from nkic._check import CheckError, CheckWarning, Finding, check

from nki._core import __version__  # nkic's own version (pyproject.toml's); nki.__version__ is the NKI release

from nki._core import check_names as _check_names

CHECKS = tuple(_check_names)  # every check's name, for checks=

__all__ = ["simulate_ranks", "profile", "Profile", "NkiError", "__version__", "check", "CheckError", "CheckWarning",
           "Finding", "CHECKS"]


def simulate_ranks(kernel, ranks):
    """``nkic.simulate_ranks(kernel, ranks=N)(per_rank_args, **kwargs)``: one simulated device per rank.

    ``per_rank_args`` is a list of N argument tuples, one per rank (rank r's positional arguments);
    keyword arguments are passed to every rank. Each rank is compiled with its own specialization
    (``nki.collectives.rank_id()`` is its rank, a compile-time int), so ranks may take different paths.
    ``kernel`` may be an LNC launch such as ``kernel[2]``: each rank is then a logical core of two
    cores. Returns the N ranks' results, in rank order. Deterministic; a rank that never reaches a
    collective the others wait at is a deadlock error naming every waiting line.
    """
    if not isinstance(kernel, JitKernel):
        kernel = JitKernel(kernel)
    if not isinstance(ranks, int) or isinstance(ranks, bool) or ranks < 1:
        raise NkiError(f"simulate_ranks: ranks must be a positive int, not {ranks!r}")

    def run(per_rank_args, **kwargs):
        from nki import _core
        per_rank_args = list(per_rank_args)
        if len(per_rank_args) != ranks:
            raise NkiError(f"simulate_ranks: {len(per_rank_args)} argument tuples for {ranks} ranks")
        runs = [kernel._prepare(r, ranks, tuple(a) if isinstance(a, (tuple, list)) else (a,), kwargs)
                for r, a in enumerate(per_rank_args)]
        try:
            found = _core.run_ranks([r.compiled for r in runs], [r.inputs for r in runs], [r.outputs for r in runs])
        except NkiError as e:
            raise _at_kernel_line(e) from None
        for w in found:
            _warnings.warn(w, stacklevel=2)
        return [r.finish() for r in runs]

    return run
