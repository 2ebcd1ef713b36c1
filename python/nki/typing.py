"""``nki.typing`` (``import nki.typing as nt``): annotations for kernel tensors.

``nt.tensor[128, 512]`` declares the expected shape of a kernel parameter or local;
``nt.tensor[[128, 512], nl.float32]`` (or ``nt.tensor[128, 512, nl.float32]``) also its dtype.
The compiler checks them inside kernels; on the host they are plain descriptive objects with
``.shape`` and ``.dtype``.
"""

import numpy as _np

from .language import NkiDtype as _NkiDtype
from .language import _ALL_DTYPES

__all__ = ["tensor"]

_DTYPE_NAMES = frozenset(str(d) for d in _ALL_DTYPES)


def _is_dtype(item):
    if isinstance(item, _NkiDtype):
        return True
    if isinstance(item, str):
        return item in _DTYPE_NAMES
    if isinstance(item, _np.dtype) or (isinstance(item, type) and issubclass(item, _np.generic)):
        return True
    return False


def _dim(d):
    if isinstance(d, bool) or not (isinstance(d, (int, str)) or d is None or d is Ellipsis):
        raise TypeError(f"nki.typing.tensor: dimension must be an int (or a symbolic name), got {d!r}")
    if isinstance(d, int) and d < 0:
        raise ValueError(f"nki.typing.tensor: negative dimension {d}")
    return d


class tensor:
    """Tensor annotation: ``nt.tensor[d0, d1, ...]`` or ``nt.tensor[[d0, d1, ...], dtype]``.

    Instances record ``shape`` (a tuple) and ``dtype`` (an ``nl`` dtype or ``None`` = any)."""

    __slots__ = ("shape", "dtype")

    def __init__(self, shape, dtype=None):
        if isinstance(shape, (int, str)) or shape is None:
            shape = (shape,)
        self.shape = tuple(_dim(d) for d in shape)
        if dtype is not None and not _is_dtype(dtype):
            raise TypeError(f"nki.typing.tensor: {dtype!r} is not a data type")
        if isinstance(dtype, str) and not isinstance(dtype, _NkiDtype):
            dtype = _NkiDtype(dtype)
        self.dtype = dtype

    def __class_getitem__(cls, item):
        items = item if isinstance(item, tuple) else (item,)
        dtype = None
        if len(items) >= 2 and _is_dtype(items[-1]):
            items, dtype = items[:-1], items[-1]
        if len(items) == 1 and isinstance(items[0], (list, tuple)):
            items = tuple(items[0])
        return cls(items, dtype)

    @property
    def ndim(self):
        """Number of dimensions."""
        return len(self.shape)

    def matches(self, value):
        """True if ``value`` (anything with ``.shape``/``.dtype``) fits this annotation."""
        shape = tuple(getattr(value, "shape", ()))
        if len(shape) != len(self.shape):
            return False
        if any(isinstance(d, int) and d != s for d, s in zip(self.shape, shape)):
            return False
        if self.dtype is None:
            return True
        vdt = getattr(value, "dtype", None)
        try:
            return _np.dtype(vdt) == _np.dtype(self.dtype)
        except TypeError:
            return str(vdt) == str(self.dtype)

    def __eq__(self, other):
        if not isinstance(other, tensor):
            return NotImplemented
        return self.shape == other.shape and self.dtype == other.dtype

    def __hash__(self):
        return hash((tensor, self.shape, self.dtype))

    def __repr__(self):
        dims = ", ".join("..." if d is Ellipsis else str(d) for d in self.shape)
        if self.dtype is None:
            return f"tensor[{dims}]"
        return f"tensor[[{dims}], {self.dtype}]"
