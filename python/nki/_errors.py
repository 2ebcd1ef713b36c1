"""Exceptions raised by nkic. Their message is the rendered diagnostic (file, line, caret, error, hint)."""


class NkiError(Exception):
    """Base class: an error in a kernel, reported at a line of the kernel's source."""

    def __init__(self, message, filename=None, lineno=None, col=None):
        super().__init__(message)
        self.message = message
        self.filename = filename
        self.lineno = lineno
        self.col = col


class NkiCompileError(NkiError):
    """The kernel does not compile (syntax, unsupported construct, bad shapes or arguments)."""


class NkiAssertionError(NkiCompileError, AssertionError):
    """An `assert` in the kernel failed at compile time."""


class NkiValidationError(NkiCompileError):
    """An ISA call violates a hardware rule (partition limit, dtype, buffer, engine...)."""


class NkiSimulationError(NkiError, RuntimeError):
    """The simulator found an error while running the kernel (out-of-bounds access, ...)."""


_KIND_CLASSES = {"compile": NkiCompileError, "assert": NkiAssertionError, "validation": NkiValidationError,
                 "runtime": NkiSimulationError}
_MIXED = {}


def python_error_class(name, base=NkiCompileError):
    """The NkiError class that is also the builtin exception `name` (NkiTypeError is an NkiCompileError and a
    TypeError), so a kernel error raised as a Python exception keeps its class; `base` itself if `name` is not
    a builtin exception."""
    import builtins
    py = getattr(builtins, name, None)
    if not (isinstance(py, type) and issubclass(py, Exception)) or issubclass(base, py):
        return base
    key = (name, base)
    if key not in _MIXED:
        _MIXED[key] = type(f"Nki{name}", (base, py), {"__module__": __name__})
    return _MIXED[key]


def from_core(kind, pyclass, message, filename, lineno, col):
    """The exception for a compiler error: its kind's class, mixed with the Python exception class the
    compile-time code raised (`pyclass`, e.g. "TypeError"; "" for none)."""
    base = _KIND_CLASSES.get(kind, NkiCompileError)
    cls = python_error_class(pyclass, base) if pyclass else base
    return cls(message, filename, lineno, col)
