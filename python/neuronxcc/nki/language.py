"""``neuronxcc.nki.language`` on the host: the 0.3.0 host names (dtypes, buffers, ``tile_size``, operators,
loop iterators) plus the Beta 1 names only kernels use (``arange``, ``mgrid``, ``par_dim``, ...), which
raise if called outside a kernel. Kernels use the C++ compiler's own Beta 1 module, not this file."""

from nki._errors import NkiError as _NkiError
from nki._hostside import kernel_only as _kernel_only
from nki.language import *  # noqa: F401,F403  (dtypes, buffers, tile_size, ops, ranges: shared with 0.3.0)
from nki.language import __all__ as _all030


@_kernel_only
def arange(*args):
    """A 1-D index grid (place it with ``[:, None]`` / ``[None, :]``); kernels only."""


@_kernel_only
def par_dim(size):
    """Marks the partition dimension of a tensor with block dimensions; kernels only."""


@_kernel_only
def spmd_dim(*args, **kwargs):
    """A launch-grid dimension spread over the cores of a logical core; kernels only."""


class _MGrid:
    """``nl.mgrid[0:P, 0:F]``: dense index grids, kernels only."""

    def __getitem__(self, item):
        raise _NkiError("neuronxcc.nki.language.mgrid can only be used inside a kernel")


mgrid = _MGrid()


class nc:
    """``kernel[nl.nc(2)]``: a launch-grid dimension of ``n`` programs placed on the cores of a logical
    core. nkic runs it as ``kernel[n]`` (n = 1 or 2)."""

    def __init__(self, n):
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise _NkiError(f"nl.nc({n!r}): expected a positive int")
        self.n = n

    def __repr__(self):
        return f"nc({self.n})"


__all__ = sorted(set(_all030) | {"arange", "par_dim", "spmd_dim", "mgrid", "nc"})
