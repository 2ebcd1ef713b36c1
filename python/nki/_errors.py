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
