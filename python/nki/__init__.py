"""nkic's drop-in ``nki`` package: the NKI 0.3.0 Python API, compiled and simulated by the nkic C++
core. There is no Neuron device here: every ``@nki.jit`` call runs in the simulator (with or without
``NKI_SIMULATOR=1``)."""

import os as _os
import sys as _sys

if _os.environ.get("NKIC_CORE_DIR"):  # development: load ``_core`` from another build directory
    def _load_core(directory):
        import glob
        import importlib.util
        import sys
        found = glob.glob(_os.path.join(_os.path.abspath(directory), "_core.*"))
        if not found:
            raise ImportError(f"NKIC_CORE_DIR={directory} holds no _core extension")
        spec = importlib.util.spec_from_file_location(__name__ + "._core", found[0])
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)

    _load_core(_os.environ["NKIC_CORE_DIR"])

from . import collectives, isa, language, typing
from ._errors import (NkiAssertionError, NkiCompileError, NkiError, NkiSimulationError,
                      NkiValidationError)
from . import _runtime
from ._runtime import JitKernel, jit, simulate

# The dtype type, for annotations: nki-library's cross_entropy_forward declares `dtype: nki.dtype = nl.bfloat16`.
# It is also importable as a module of host dtypes (`import nki.dtype as nt`; nki-library's qkv tests build
# inputs with `np.zeros(shape, dtype=nt.float8_e4m3)`): each dtype name is its NumPy / ml_dtypes type there.
dtype = language.NkiDtype
for _name, _np_dtype in _runtime._NKI_TO_NP.items():
    setattr(dtype, _name, _np_dtype.type)
_sys.modules[__name__ + ".dtype"] = dtype

_LEGACY_LAUNCHERS = {
    "baremetal": "call the @nki.jit kernel with NumPy arrays",
    "benchmark": "use nkic.profile(kernel, *args) for the timing model's latency estimate",
    "profile": "use nkic.profile(kernel, *args).to_perfetto(path) / .to_html(path)",
    "simulate_kernel": "use nki.simulate(kernel)(*args)",
}


def __getattr__(name):
    # The NKI release being emulated, as AWS's package reports its own: NKIC_NKI_RELEASE's, else the
    # default's. Read at each access, as compiles read the variable (nkic's own version: nkic.__version__).
    if name == "__version__":
        try:
            return _runtime.selected_release() or _runtime.DEFAULT_RELEASE
        except ValueError:
            return _runtime.DEFAULT_RELEASE
    # The Beta 1 launchers are not in NKI 0.3.0's namespace (they live on in neuronxcc.nki).
    if name in _LEGACY_LAUNCHERS:
        raise AttributeError(f"nki.{name} is not available in NKI 0.3.0 and later (a Beta 1 API, "
                             f"kept in neuronxcc.nki): {_LEGACY_LAUNCHERS[name]}")
    raise AttributeError(f"module 'nki' has no attribute '{name}'")


__all__ = ["jit", "simulate", "language", "isa", "typing", "collectives", "JitKernel", "dtype", "NkiError",
           "NkiCompileError", "NkiAssertionError", "NkiValidationError", "NkiSimulationError"]
