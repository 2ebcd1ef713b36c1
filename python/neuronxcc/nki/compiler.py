"""``neuronxcc.nki.compiler`` (``ncc``) on the host: direct allocation (``ncc.sbuf.alloc/mod_alloc/auto_alloc``
and the ``ncc.psum`` counterparts, kernels only) and the kernel decorators. The decorators change how the
compiler allocates; nkic's compiler reads them from the kernel's source, so on the host they return the
kernel unchanged (in either order with ``@nki.jit``)."""

import contextlib as _contextlib

from nki._hostside import kernel_only as _kernel_only


class _Memory:
    """``ncc.sbuf`` / ``ncc.psum``: allocators for ``buffer=``; they are evaluated inside kernels."""

    def __init__(self, name):
        self._name = name
        qual = f"neuronxcc.nki.compiler.{name}"

        def alloc(func):
            """Direct allocation: ``func(idx, pdim_size, fdim_size)`` places every logical block."""

        def mod_alloc(**kwargs):
            """Modulo allocation from a base address (see the direct-allocation guide)."""

        def auto_alloc():
            """The compiler allocates (the default buffer)."""

        for f in (alloc, mod_alloc, auto_alloc):
            f.__module__, f.__qualname__ = qual.rpartition(".")[0], f"{name}.{f.__name__}"
            setattr(self, f.__name__, _kernel_only(f))

    def __repr__(self):
        return f"ncc.{self._name}"


sbuf = _Memory("sbuf")
psum = _Memory("psum")


def _decorator(func, name):
    if func is None:
        return lambda f: f
    if not callable(func):
        raise TypeError(f"ncc.{name} decorates a kernel function, not {func!r}")
    return func


def force_auto_alloc(func=None):
    """Ignore the kernel's direct allocation and let the compiler allocate (a debugging aid)."""
    return _decorator(func, "force_auto_alloc")


def skip_middle_end_transformations(func=None):
    """Compile the kernel without the compiler's middle-end rewrites."""
    return _decorator(func, "skip_middle_end_transformations")


def enable_stack_allocator(func=None, log_level=50):
    """Allocate with the stack allocator (needs ``skip_middle_end_transformations``)."""
    return _decorator(func, "enable_stack_allocator")


@_contextlib.contextmanager
def allocation_scope():
    """Undocumented in 2.26; a no-op on the host."""
    yield


@_contextlib.contextmanager
def no_reorder():
    """Keep the instructions inside in program order; a no-op on the host."""
    yield


def multi_buffer(factor=2):
    """Undocumented in 2.26: a context manager for kernels; a no-op on the host."""
    return _contextlib.nullcontext()


__all__ = ["sbuf", "psum", "force_auto_alloc", "skip_middle_end_transformations", "enable_stack_allocator",
           "allocation_scope", "no_reorder", "multi_buffer"]
