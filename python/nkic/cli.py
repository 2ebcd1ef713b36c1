"""``python -m nkic.cli``: nkic's command line with the tracing front door (NKI 0.7.0). The nkic executable
runs this when the tracing front door is selected (``--frontend trace``, ``NKI_COMPILER_FRONTEND=trace``, or
NKI 0.7 selected); everything but the compile is the same C++ command line (tools/nkic/cli.h)."""

import importlib.util
import inspect
import os
import sys


def _load_module(path, search):
    """The kernel's module, imported from its file (its folder and --path directories importable)."""
    folder = os.path.dirname(os.path.abspath(path))
    for d in [folder, *search]:
        if d not in sys.path:
            sys.path.insert(0, d)
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


def _argument(desc):
    import numpy as np

    from nki._runtime import _NKI_TO_NP
    if isinstance(desc, tuple) and desc and desc[0] == "T":  # a tensor: only its shape and dtype are traced
        return np.empty(desc[1], dtype=_NKI_TO_NP[desc[2]])
    if isinstance(desc, tuple):
        return tuple(_argument(d) for d in desc)
    return desc


def _compile(path, kernel, args, options):
    from nki import _tracing
    from nki._runtime import _at_kernel_line
    from nki._errors import NkiError
    fn = getattr(_load_module(path, options.pop("paths", [])), kernel, None)
    if fn is None:
        raise NkiError(f"no function named '{kernel}' in {path}")
    fn = inspect.unwrap(getattr(fn, "func", fn))
    pos = [_argument(d) for k, d in args if not k]
    kw = {k: _argument(d) for k, d in args if k}
    try:
        return _tracing.compile_traced(fn, pos, kw, options)
    except NkiError as e:
        raise _at_kernel_line(e) from None


def main(argv=None):
    from nki import _core
    argv = list(sys.argv[1:] if argv is None else argv)
    sys.stdout.flush()
    return _core.cli_main(["nkic", *argv], _compile)


if __name__ == "__main__":
    sys.exit(main())
