"""nki.jit / nki.simulate: hands a kernel's module source and its arguments to the C++ core, and runs
the compiled kernel on NumPy arrays (by address, without copying contiguous arrays)."""

import enum
import functools
import hashlib
import inspect
import os
import sys
import sysconfig
import textwrap
import types
import warnings

import ml_dtypes
import numpy as np

from ._errors import NkiError

_NP_TO_NKI = {
    np.dtype(np.float32): "float32",
    np.dtype(np.float16): "float16",
    np.dtype(ml_dtypes.bfloat16): "bfloat16",
    np.dtype(ml_dtypes.float8_e4m3): "float8_e4m3",
    np.dtype(ml_dtypes.float8_e4m3fn): "float8_e4m3fn",
    np.dtype(ml_dtypes.float8_e5m2): "float8_e5m2",
    np.dtype(ml_dtypes.float8_e8m0fnu): "float8_e8m0fnu",  # NKI 0.5.0
    np.dtype(np.int8): "int8",
    np.dtype(np.uint8): "uint8",
    np.dtype(np.int16): "int16",
    np.dtype(np.uint16): "uint16",
    np.dtype(np.int32): "int32",
    np.dtype(np.uint32): "uint32",
    np.dtype(np.int64): "int64",  # NKI 0.7.0: (1, 1) NkiScalar tiles
    np.dtype(np.bool_): "bool",
}
_NKI_TO_NP = {v: k for k, v in _NP_TO_NKI.items()}
_NKI_TO_NP["tfloat32"] = np.dtype(np.float32)


def _target():
    return os.environ.get("NEURON_PLATFORM_TARGET_OVERRIDE", "trn2")


# The NKI releases nkic emulates (src/trace/releases.h). NKIC_NKI_RELEASE selects the one kernels target;
# unset, the default is 0.7.0's API plus every name a later release removed (with a warning).
RELEASES = ("0.3.0", "0.4.0", "0.5.0", "0.6.0", "0.7.0")
DEFAULT_RELEASE = RELEASES[-1]


def selected_release():
    """The release NKIC_NKI_RELEASE selects ("0.6", "0.6.0" or "v0.6" -> "0.6.0"), or None (the default)."""
    text = os.environ.get("NKIC_NKI_RELEASE", "").strip()
    if not text:
        return None
    bare = text[1:] if text[0] in "vV" else text
    for r in RELEASES:
        if bare in (r, r[:3]):
            return r
    raise ValueError(f"NKIC_NKI_RELEASE={text!r} is not an NKI release nkic emulates (0.3, 0.4, 0.5, 0.6 or "
                     f"0.7; unset it for the default: 0.7.0 plus the names later releases removed)")


def _describe(value, where):
    """The compiler's description of one argument (see python/bindings/core_module.cpp)."""
    if isinstance(value, np.ndarray):
        dt = _NP_TO_NKI.get(value.dtype)
        if dt is None:
            raise TypeError(
                f"{where}: arrays of dtype {value.dtype} are not supported by NKI; "
                f"convert with .astype(np.float32) (or an ml_dtypes type such as ml_dtypes.bfloat16)")
        if value.ndim == 0:
            raise TypeError(f"{where}: 0-d arrays are not supported; pass a Python scalar instead")
        return ("T", tuple(int(d) for d in value.shape), dt)
    from . import language
    from ._hostside import NkiOp
    if isinstance(value, language.NkiDtype):
        return ("D", str(value))
    if isinstance(value, NkiOp):  # nl.add, nl.exp, ... passed as values
        return ("MOD", "nki.language", value.__name__)
    if isinstance(value, enum.Enum) and type(value).__name__ == "MemoryRegion":
        return ("MOD", "nki.language", str(value.value))  # nl.sbuf, nl.shared_hbm, ...
    if isinstance(value, enum.Enum) and type(value).__module__ in ("nki.isa", "nki.language"):
        return ("MOD", type(value).__module__, f"{type(value).__name__}.{value.name}")
    if value is None or (type(value) in (bool, int, float, str)):
        return value
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, tuple):
        return ("U", [_describe(v, where) for v in value])
    if isinstance(value, enum.Enum):
        return ("E", _defining_file(type(value), where), type(value).__qualname__, value.name)
    if isinstance(value, dict):
        for k in value:
            if not isinstance(k, str):
                raise TypeError(f"{where}: dict arguments must have string keys (NKI 0.3.0)")
        return ("M", [(k, _describe(v, f"{where}[{k!r}]")) for k, v in value.items()])
    from .collectives import ReplicaGroup
    if isinstance(value, ReplicaGroup):  # its rank lists, which collectives take as a sequence of sequences
        return ("U", [("U", [_describe(r, f"{where}.groups") for r in g]) for g in value.groups])
    from .language import NKIObject
    if isinstance(value, NKIObject):
        return ("O", _defining_file(type(value), where), type(value).__qualname__,
                [(k, _describe(v, f"{where}.{k}")) for k, v in vars(value).items()])
    if isinstance(value, JitKernel):
        value = value.func
    if inspect.isfunction(value):
        if "<locals>" in value.__qualname__ or value.__name__ == "<lambda>":
            raise TypeError(f"{where}: function arguments must be module-level functions (not lambdas or nested)")
        return ("F", _defining_file(value, where), value.__name__)
    if isinstance(value, list):
        raise TypeError(f"{where}: list arguments are not accepted by NKI 0.3.0 kernels; pass a tuple instead")
    if isinstance(value, np.dtype) or (isinstance(value, type) and issubclass(value, np.generic)):
        raise TypeError(f"{where}: numpy dtypes are not supported as arguments; use nl.<dtype> instead")
    raise TypeError(f"{where}: unsupported kernel argument of type {type(value).__name__}")


class _ConstantDesc(tuple):
    """("A", shape, dtype name, bytes): a NumPy array global, a compile-time constant for nl.shared_constant.
    Its repr (part of the compile-cache key) is a digest of the contents, not the bytes."""

    def __repr__(self):
        return f"A{self[1]}{self[2]}:{hashlib.sha1(self[3]).hexdigest()}"


_MAX_CONSTANT_BYTES = 16 << 20


def _describe_constant(value):
    """A NumPy array from the kernel's live globals as a compile-time constant (None: not expressible,
    e.g. too large or an unsupported dtype; the kernel source's own definition is then used)."""
    if value.dtype.byteorder == ">":
        value = value.astype(value.dtype.newbyteorder("<"))
    name = _NP_TO_NKI.get(value.dtype)
    if name is None and value.dtype.name in ("float64", "int64", "uint64"):
        name = value.dtype.name
    if name is None or value.ndim == 0 or value.nbytes > _MAX_CONSTANT_BYTES:
        return None
    return _ConstantDesc(("A", tuple(int(d) for d in value.shape), str(name), np.ascontiguousarray(value).tobytes()))


def _code_names(code, out):
    out.update(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            _code_names(c, out)
    return out


def _live_globals(fn):
    """Names the function uses from its module's live globals, described for the compiler. They matter when
    the source file does not define them (notebooks, exec); the file's own definitions take precedence."""
    out = []
    g = getattr(fn, "__globals__", {})
    for name in sorted(_code_names(fn.__code__, set())):
        if name not in g:
            continue
        v = g[name]
        if isinstance(v, types.ModuleType):
            out.append((name, ("MOD", v.__name__)))
            continue
        if isinstance(v, np.ndarray):
            d = _describe_constant(v)
            if d is not None:
                out.append((name, d))
            continue
        if isinstance(v, type):
            continue
        try:
            out.append((name, _describe(v, f"global '{name}'")))
        except TypeError:
            pass  # not expressible at compile time: using it in the kernel is reported by the compiler
    return out


# The standard library's top-level modules: host code, never compiled from source.
_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) | frozenset(sys.builtin_module_names)


_search_memo = [None, None]


def _module_search():
    """Where the kernel's absolute imports are found, as Python finds them: the source files of modules
    this process already imported (sys.modules) and the directories of sys.path. The standard library is
    left out (host-only: a kernel's `import logging` stays lazy and an error only if used). Remembered
    while sys.path, the working directory and sys.modules stay the same."""
    try:
        cwd = os.getcwd()
    except OSError:  # the working directory was removed
        cwd = None
    memo_key = (tuple(sys.path), cwd, tuple((name, id(mod)) for name, mod in list(sys.modules.items())))
    if _search_memo[0] == memo_key:
        return _search_memo[1]
    stdlib = {os.path.realpath(sysconfig.get_paths()[k]) for k in ("stdlib", "platstdlib")}
    paths = []
    for p in sys.path:
        if cwd is None and not os.path.isabs(p):
            continue
        p = os.path.abspath(p or cwd)
        if os.path.isdir(p) and os.path.realpath(p) not in stdlib and not p.endswith("lib-dynload") and p not in paths:
            paths.append(p)
    files = {}
    for name, mod in list(sys.modules.items()):
        f = getattr(mod, "__file__", None)
        if isinstance(f, str) and f.endswith(".py") and name != "__main__" and name.partition(".")[0] not in _STDLIB:
            files[name] = f
    _search_memo[:] = [memo_key, (paths, files)]
    return paths, files


def _env_matches(reads, listed_all):
    """A cached kernel is valid while the environment variables its compile read are unchanged."""
    if listed_all and len(reads) != len(os.environ):
        return False
    return all(os.environ.get(name) == value for name, value in reads)


def _at_kernel_line(err):
    """The exception with a traceback whose last frame is the kernel's own source line (not our package),
    so debuggers and tracebacks land in the user's file."""
    err = err.with_traceback(None)
    if not err.filename or not err.lineno:
        return err
    code = compile("\n" * (err.lineno - 1) + "raise __nki_error__", err.filename, "exec")
    try:
        exec(code, {"__nki_error__": err})
    except NkiError as e:
        return e.with_traceback(e.__traceback__.tb_next)
    return err


# PyTorch interop: CPU tensors in (zero-copy when contiguous), tensors out when any input was a tensor.
def _torch_dtype_map():
    import torch
    return {torch.bfloat16: (np.int16, ml_dtypes.bfloat16),
            getattr(torch, "float8_e4m3fn", None): (np.uint8, ml_dtypes.float8_e4m3fn),
            getattr(torch, "float8_e5m2", None): (np.uint8, ml_dtypes.float8_e5m2)}


def _torch_to_numpy(args, kwargs):
    import torch
    special = _torch_dtype_map()
    found = []

    def conv(v):
        if isinstance(v, torch.Tensor):
            found.append(True)
            if v.device.type != "cpu":
                raise TypeError(f"nkic runs kernels on the CPU: move the tensor to the CPU first (got {v.device})")
            t = v.detach()
            if t.dtype in special:
                raw, np_dt = special[t.dtype]
                return t.view(getattr(torch, np.dtype(raw).name)).numpy().view(np_dt)
            return t.numpy()
        if isinstance(v, tuple):
            return tuple(conv(x) for x in v)
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items()}
        return v

    new_args = tuple(conv(a) for a in args)
    new_kwargs = {k: conv(v) for k, v in kwargs.items()}
    return new_args, new_kwargs, bool(found)


def _numpy_to_torch(a):
    import torch
    for tdt, (raw, np_dt) in _torch_dtype_map().items():
        if tdt is not None and a.dtype == np.dtype(np_dt):
            return torch.from_numpy(a.view(raw)).view(tdt)
    return torch.from_numpy(a)


def _defining_file(cls, where):
    mod = sys.modules.get(getattr(cls, "__module__", None))
    path = getattr(mod, "__file__", None)
    if not path:
        raise TypeError(f"{where}: class {cls.__qualname__} must be defined in a module file to be a kernel argument")
    return path


def _arrays(value, out):
    """Tensor arguments in the order the compiler numbers them (depth first)."""
    if isinstance(value, np.ndarray):
        out.append(value)
    elif isinstance(value, tuple):
        for v in value:
            _arrays(v, out)
    elif isinstance(value, dict):
        for v in value.values():
            _arrays(v, out)
    elif not isinstance(value, enum.Enum) and hasattr(value, "__dict__") and not callable(value):
        for v in vars(value).values():
            _arrays(v, out)


class JitKernel:
    """A kernel decorated with nki.jit: calling it compiles (once per argument signature) and runs it
    in the nkic simulator."""

    # A Beta 1 launch (neuronxcc.nki's launchers subclass JitKernel): the compiler expects the legacy
    # namespace and does not warn about it.
    _legacy = False
    # A Beta 1 SPMD grid kernel[d0, d1, ...] (set by neuronxcc.nki's launchers): its programs run one
    # after another on one core.
    _spmd = ()

    def __init__(self, func, **options):
        if isinstance(func, JitKernel):
            func = func.func
        self.func = func
        self.options = options
        self._cache = {}
        self._grid = None
        functools.update_wrapper(self, func)

    def __getitem__(self, grid):
        if isinstance(grid, tuple):
            if len(grid) != 1:
                raise NkiError("kernel[...] takes exactly one integer (the logical core count), e.g. kernel[2]")
            grid = grid[0]
        if not isinstance(grid, int) or isinstance(grid, bool) or grid < 1:
            raise NkiError(f"kernel[...] takes a positive integer, not {grid!r}")
        if grid > 2:
            raise NkiError(f"kernel[{grid}]: a logical NeuronCore has at most 2 physical cores (use kernel[1] or kernel[2])")
        k = type(self)(self.func, **self.options)
        k._cache = self._cache
        k._grid = grid
        return k

    def _source(self):
        fn = inspect.unwrap(self.func)
        path = fn.__code__.co_filename
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError:
            # Defined in a notebook or by exec: compile the function alone, with the live globals it uses.
            text = textwrap.dedent(inspect.getsource(fn))
            return path, text, fn.__name__, 0
        if not text.strip():
            text = textwrap.dedent(inspect.getsource(fn))
        return path, text, fn.__name__, fn.__code__.co_firstlineno

    def compile(self, *args, **kwargs):
        """Compiles for these arguments (cached) and returns the compiled kernel object."""
        return self._compile(0, 1, args, kwargs)

    def _compile(self, rank, world_size, args, kwargs):
        """compile() for rank `rank` of a launch of `world_size` ranks (nkic.simulate_ranks)."""
        from . import _core, _tracing
        if not args and not kwargs:
            raise NkiError(f"kernel '{self.func.__name__}' was called without arguments")
        release = None if self._legacy else selected_release()  # a Beta 1 launch has no NKI release
        target = self.options.get("platform_target") or _target()
        grid = self._grid or 0
        if _tracing.frontend(release, self._legacy, inspect.unwrap(self.func)) == "trace":
            return self._compile_traced(rank, world_size, args, kwargs, target, grid, release)
        path, text, name, lineno = self._source()
        desc = [("", _describe(a, f"argument {i}")) for i, a in enumerate(args)]
        desc += [(k, _describe(v, f"argument '{k}'")) for k, v in kwargs.items()]
        glob = _live_globals(inspect.unwrap(self.func))
        key = (hashlib.sha1(text.encode()).hexdigest(), path, name, lineno, repr(desc), repr(glob), target, grid,
               rank, world_size, self._legacy, self._spmd, release,
               # read by the launch checks (NKI_PRECISE_FP, the 0.7.0 LNC check), not by the kernel's code
               os.environ.get("NKI_PRECISE_FP"), os.environ.get("NEURON_LOGICAL_NC_CONFIG"))
        # Per key, the kernels compiled under different values of the environment variables they read
        # (os.environ at compile time): a kernel that read none is never recompiled for the environment.
        for reads, listed_all, compiled in self._cache.get(key, ()):
            if _env_matches(reads, listed_all):
                return compiled
        paths, modules = _module_search()
        try:
            legacy = {"legacy": True} if self._legacy else {}
            if self._spmd:
                legacy["spmd"] = list(self._spmd)
            if release:
                legacy["release"] = release
            compiled = _core.compile(path, text, name, desc, target, lineno, glob, paths, modules, dict(os.environ), grid,
                                     rank, world_size, **legacy)
        except NkiError as e:
            raise _at_kernel_line(e) from None
        for w in compiled.warnings():
            warnings.warn(w, stacklevel=3)
        if (os.environ.get("NKIC_COMPARE_FRONT_DOORS") == "1" and not self._spmd
                and _tracing.frontend("0.7.0", self._legacy, inspect.unwrap(self.func)) == "trace"):
            _tracing.compare_front_doors(compiled, inspect.unwrap(self.func), args, kwargs,
                                         {"target": target, "grid": grid, "rank": rank, "world_size": world_size,
                                          "release": release, "environ": dict(os.environ)})
        self._cache.setdefault(key, []).append((tuple(compiled.env_reads()), compiled.env_reads_all, compiled))
        return compiled

    def _compile_traced(self, rank, world_size, args, kwargs, target, grid, release):
        """compile() through the tracing front door (nki/_tracing.py): the kernel runs in Python. Cached on
        the arguments' descriptions (an argument nkic cannot describe is keyed by identity)."""
        from . import _tracing

        def key_of(v):
            try:
                return repr(_describe(v, ""))
            except TypeError:
                return f"id:{type(v).__qualname__}:{id(v)}"

        fn = inspect.unwrap(self.func)
        key = ("trace", fn.__code__, tuple(key_of(a) for a in args), tuple((k, key_of(v)) for k, v in kwargs.items()),
               repr(_live_globals(fn)),  # the globals the kernel's own code names (arrays by digest)
               target, grid, rank, world_size, release, os.environ.get("NKI_PRECISE_FP"),
               os.environ.get("NEURON_LOGICAL_NC_CONFIG"))
        cached = self._cache.get(key)
        if cached:
            return cached[0][2]
        options = {"target": target, "grid": grid, "rank": rank, "world_size": world_size, "release": release,
                   "environ": dict(os.environ)}
        try:
            compiled = _tracing.compile_traced(fn, args, kwargs, options)
        except NkiError as e:
            raise _at_kernel_line(e) from None
        for w in compiled.warnings():
            warnings.warn(w, stacklevel=4)
        self._cache[key] = [((), False, compiled)]
        return compiled

    def __call__(self, *args, **kwargs):
        from . import _tracing
        if _tracing.active():  # a kernel called while another is traced is inlined (plain Python)
            return self.func(*args, **kwargs)
        # The checks (nkic/_check.py, docs/checks.md): the cheap ones warn; NKIC_CHECKS selects others and
        # makes findings raise nkic.CheckError.
        from nkic._check import CheckError, environment_selection, run_checked
        names, explicit = environment_selection()
        run = self._prepare(0, 1, args, kwargs)
        sys.stdout.flush()  # nl.device_print writes from C++: keep program order with Python's prints
        try:
            found = run_checked(run, names, explicit, stacklevel=3)
        except NkiError as e:
            raise _at_kernel_line(e) from None
        if found:
            raise CheckError(found)
        return run.finish()

    def _prepare(self, rank, world_size, args, kwargs):
        """Compiles for the arguments and lays out the run's buffers: a _Run to execute and finish."""
        uses_torch = False
        if "torch" in sys.modules:
            args, kwargs, uses_torch = _torch_to_numpy(args, kwargs)
        compiled = self._compile(rank, world_size, args, kwargs)
        arrays = []
        for a in args:
            _arrays(a, arrays)
        for v in kwargs.values():
            _arrays(v, arrays)
        inputs, copies = [], []
        for arr in arrays:
            c = np.ascontiguousarray(arr)
            if c is not arr:
                copies.append((arr, c))
            inputs.append((c.ctypes.data, c.nbytes))
        specs = compiled.output_specs()
        outs = [np.empty(shape if alias < 0 else 0, dtype=_NKI_TO_NP[dt]) for shape, dt, _, alias in specs]
        return _Run(compiled, inputs, [(o.ctypes.data, o.nbytes) for o in outs],
                    lambda: _collect(compiled, specs, arrays, copies, outs, uses_torch))


class _Run:
    """A compiled kernel with its buffers laid out: run it (compiled.run or _core.run_ranks), then finish()."""

    def __init__(self, compiled, inputs, outputs, finish):
        self.compiled, self.inputs, self.outputs, self.finish = compiled, inputs, outputs, finish


def _collect(compiled, specs, arrays, copies, outs, uses_torch):
    """The kernel's return value after a run: inputs written back, returned inputs, torch conversion."""
    for arr, c in copies:
        if arr.flags.writeable and not np.array_equal(arr, c, equal_nan=True):
            arr[...] = c
    outs = [o if alias < 0 else arrays[alias] for o, (_, _, _, alias) in zip(outs, specs)]  # returned inputs
    if uses_torch:
        outs = [_numpy_to_torch(o) for o in outs]
    if compiled.output_is_tuple:
        return tuple(outs)
    return outs[0] if outs else None


def jit(func=None, mode="auto", **kwargs):
    """Decorator: ``@nki.jit``, ``@nki.jit()`` or ``nki.jit(fn)``. There is no Neuron device here:
    kernels run in the nkic simulator."""
    if mode != "auto":
        warnings.warn("nki.jit(mode=...) is deprecated and ignored", DeprecationWarning, stacklevel=2)
    if "platform_target" in kwargs:
        # The 0.3.0 docs say this raises, but nki-library's cross_entropy_forward (run on hardware) is
        # decorated with @nki.jit(platform_target="trn2"): it selects the target for this kernel.
        from .isa import _TARGETS
        pt = kwargs["platform_target"]
        if not isinstance(pt, str) or pt.strip().lower() not in _TARGETS:
            raise NkiError(f"nki.jit(platform_target={pt!r}): expected one of " + ", ".join(sorted(_TARGETS)))
        kwargs["platform_target"] = pt.strip().lower()
    if func is None:
        return lambda f: JitKernel(f, **kwargs)
    return JitKernel(func, **kwargs)


def simulate(kernel):
    """``nki.simulate(kernel)(*args)``: runs the kernel in the simulator and returns NumPy arrays."""
    if not isinstance(kernel, JitKernel):
        kernel = JitKernel(kernel)
    return kernel
