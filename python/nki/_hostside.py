"""Host-side stand-ins for NKI device APIs.

Kernels are never executed by CPython: nkic's C++ front end reads the kernel *source* and gives
``nl.*`` / ``nisa.*`` / ``ncc.*`` calls their meaning.  The Python objects behind those names exist
so that kernels import cleanly, IDEs and ``help()`` show real signatures and docstrings, and a
call made by mistake on the host fails with a clear :class:`~nki._errors.NkiError`.

Everything in ``nki.language``, ``nki.isa`` and ``nki.collectives`` that only means something
inside a kernel is declared as a signature-only ``def`` and wrapped by :func:`kernel_only` (a
plain function) or :func:`kernel_op` (an :class:`NkiOp` object that also serves as an operator
constant, e.g. ``op=nl.add``).  Both go through :func:`_invoke`, the single host-side body.
"""

import functools
import inspect

from ._errors import NkiError

__all__ = ["kernel_only", "kernel_op", "NkiOp", "set_dispatcher", "is_kernel_only", "host_override", "set_overrides"]

# Optional hook: callable(qualname: str, args: tuple, kwargs: dict) -> result. When installed (the
# tracing front door, nki/_tracing.py), calls are forwarded to it instead of raising. None by default.
_dispatcher = None


# While a kernel is traced (nki/_tracing.py): {qualname: replacement} for the host-side helpers that mean
# something else in a kernel (the range helpers, nl.fori_loop, nl.tile_size, ...). None otherwise.
_overrides = None


def set_overrides(table):
    """Install the tracer's replacements of host-side helpers; returns the previous table."""
    global _overrides
    previous, _overrides = _overrides, table
    return previous


def override_of(qualname):
    """The tracer's replacement for `qualname`, or None."""
    return _overrides.get(qualname) if _overrides is not None else None


def host_override(func):
    """Decorator: a host-side helper the tracer may replace while a kernel is traced (whatever name the kernel
    imported it under: `from nki.language import affine_range` too)."""
    qualname = _qualname(func)

    @functools.wraps(func)
    def helper(*args, **kwargs):
        if _overrides is not None:
            o = _overrides.get(qualname)
            if o is not None:
                return o(*args, **kwargs)
        return func(*args, **kwargs)

    return helper


def set_dispatcher(fn):
    """Install ``fn(qualname, args, kwargs)`` to receive host-side calls; returns the previous hook.

    Pass ``None`` to restore the default behaviour (raise :class:`NkiError`)."""
    global _dispatcher
    previous, _dispatcher = _dispatcher, fn
    return previous


def _invoke(qualname, sig, args, kwargs):
    """The one host-side body shared by every kernel-only API."""
    if _dispatcher is not None:  # the tracer: the compiler binds and validates the arguments itself
        return _dispatcher(qualname, args, kwargs)
    # Bind first so wrong/unknown arguments fail exactly like a normal Python call (TypeError).
    sig.bind(*args, **kwargs)
    filename, lineno, col = _caller()
    raise NkiError(
        f"{qualname} can only be called inside a kernel compiled by nki.jit "
        f"(or run with nki.simulate); it has no host-side implementation. "
        f"Call the kernel instead of calling {qualname} directly.",
        filename, lineno, col)


def _caller():
    """(file, line, 1-based column) of the first frame outside this package: where the host called an API."""
    import os
    import sys
    here = os.path.dirname(os.path.abspath(__file__))
    f = sys._getframe(1)
    while f is not None and os.path.dirname(os.path.abspath(f.f_code.co_filename)) == here:
        f = f.f_back
    if f is None:
        return None, None, None
    pos = list(f.f_code.co_positions())
    i = f.f_lasti // 2
    line, _, col, _ = pos[i] if 0 <= i < len(pos) else (f.f_lineno, None, None, None)
    return f.f_code.co_filename, line or f.f_lineno, (col or 0) + 1


def _qualname(func):
    return f"{func.__module__}.{func.__name__}"


def kernel_only(func):
    """Decorator: turn a signature-only ``def`` into a function that raises NkiError on the host."""
    sig = inspect.signature(func)
    qualname = _qualname(func)

    @functools.wraps(func)
    def stub(*args, **kwargs):
        return _invoke(qualname, sig, args, kwargs)

    stub.__signature__ = sig
    stub.__nki_kernel_only__ = True
    return stub


def is_kernel_only(obj):
    """True if ``obj`` is an NKI API that has no host-side implementation."""
    return bool(getattr(obj, "__nki_kernel_only__", False))


class NkiOp:
    """An ``nki.language`` operator.

    It is both a constant that selects an ALU operator / activation function when passed to an ISA
    instruction (``nisa.tensor_tensor(..., op=nl.add)``) and the convenience function of the same
    name (``nl.add(x, y)``), which is only callable inside a kernel.  Every operator is a distinct
    object; compare them by identity or equality.
    """

    __nki_kernel_only__ = True

    def __init__(self, func, kinds):
        self.__wrapped__ = func
        self.__signature__ = inspect.signature(func)
        self.__name__ = func.__name__
        self.__qualname__ = func.__qualname__
        self.__module__ = func.__module__
        self.__doc__ = func.__doc__
        self.kinds = frozenset(kinds)

    @property
    def name(self):
        """The operator's name, e.g. ``'add'``."""
        return self.__name__

    def __call__(self, *args, **kwargs):
        return _invoke(_qualname(self), self.__signature__, args, kwargs)

    # Behaves like a plain function when stored on a class (no binding), and makes
    # inspect.isroutine() true so that help()/pydoc render the signature.
    def __get__(self, obj, objtype=None):
        return self

    def __repr__(self):
        return f"<nki operator {self.__module__}.{self.__name__}>"

    # Pickle / copy by reference: the operator constants are singletons.
    def __reduce__(self):
        return self.__name__

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


def kernel_op(*kinds):
    """Decorator: make an :class:`NkiOp` from a signature-only ``def``.

    ``kinds`` tags the roles the operator can play: ``'alu'`` (tensor ALU operator),
    ``'act'`` (activation function), ``'reduce'`` (reduction), ``'cmp'`` (comparison),
    ``'bitvec'`` (integer bit operator)."""

    def wrap(func):
        return NkiOp(func, kinds)

    return wrap
