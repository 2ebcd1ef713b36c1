"""nkic's drop-in ``nki`` package: the NKI 0.3.0 Python API, compiled and simulated by the nkic C++
core. There is no Neuron device here: every ``@nki.jit`` call runs in the simulator (with or without
``NKI_SIMULATOR=1``)."""

from . import collectives, isa, language, typing
from ._errors import (NkiAssertionError, NkiCompileError, NkiError, NkiSimulationError,
                      NkiValidationError)
from ._runtime import JitKernel, jit, simulate

__version__ = "0.1.0"

__all__ = ["jit", "simulate", "language", "isa", "typing", "collectives", "JitKernel", "NkiError",
           "NkiCompileError", "NkiAssertionError", "NkiValidationError", "NkiSimulationError"]
