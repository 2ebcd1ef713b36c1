"""``neuronxcc.nki.isa`` on the host: the enums and names host code uses. The Beta 1 instruction calls
(which return their result tile) exist only inside kernels, compiled by nkic's C++ compiler; the 0.3.0 host
stubs are reused and raise if called. ``dge_mode`` has the Beta 1 values, which differ from 0.3.0."""

import enum as _enum

from nki.isa import *  # noqa: F401,F403
from nki.isa import __all__ as _all030


class dge_mode(_enum.Enum):
    """How DMA descriptors are generated (Beta 1 values)."""

    none = 0
    swdge = 1
    hwdge = 2
    unknown = 3


__all__ = sorted(set(_all030) | {"dge_mode"})
