"""The tracing front door (NKI 0.7.0): the kernel runs in CPython and every ``nki.language`` /
``nki.isa`` / ``nki.collectives`` call, and every operator or attribute on a value the compiler made,
goes to nkic's C++ compiler (``_core.TraceSession``), which validates it and appends instructions to
the same Program the C++ specializer builds. Nothing is validated or lowered here: Python holds
handles (:class:`Traced`), finds where each operation is in the kernel's source, and converts values.

Which front door compiles a kernel (docs/semantics.md, "Front doors"): ``NKI_COMPILER_FRONTEND=custom``
selects the C++ specializer and ``NKI_COMPILER_FRONTEND=trace`` (nkic's) the tracer; otherwise an
explicitly selected release decides (``NKIC_NKI_RELEASE=0.7``: tracing, as AWS's 0.7.0 does; earlier
releases: the C++ specializer). The default release (0.7.0 plus every removed name) is compiled by the
C++ specializer: only it can still accept ``while reg:``, ``dynamic_range`` and structural ``==``.
"""

import builtins
import enum
import inspect
import linecache
import os
import sys

import numpy as np

from . import _hostside
from ._errors import NkiError
from ._trace_sites import _call_info, _frames, _refresh_sources, _span, _state, active  # noqa: F401

_PKG_DIRS = tuple(os.path.dirname(os.path.abspath(p)) + os.sep for p in (__file__,))


def _package_dirs():
    dirs = list(_PKG_DIRS)
    for name in ("nkic", "neuronxcc"):
        mod = sys.modules.get(name)
        f = getattr(mod, "__file__", None)
        if f:
            dirs.append(os.path.dirname(os.path.abspath(f)) + os.sep)
    return tuple(dirs)


def frontend(release, legacy, fn=None):
    """'trace' or 'custom': the front door for a launch (see the module docstring). A kernel whose module
    imports the legacy namespace (neuronxcc.nki) is the Beta 1 language: only the C++ specializer has it."""
    if legacy or (fn is not None and _imports_legacy(fn)):
        return "custom"
    choice = os.environ.get("NKI_COMPILER_FRONTEND", "").strip().lower()
    if choice in ("custom", "parser"):
        return "custom"
    if choice in ("trace", "tracing", "python"):
        return "trace"
    if choice:
        raise NkiError(f"NKI_COMPILER_FRONTEND={choice!r}: use 'custom' (the C++ specializer) or 'trace' "
                       f"(specialization by Python tracing)")
    return "trace" if release == "0.7.0" else "custom"


def _imports_legacy(fn):
    g = getattr(fn, "__globals__", {})
    return any(inspect.ismodule(v) and v.__name__.startswith("neuronxcc") for v in g.values())


# ---------------------------------------------------------------------------------------------
# Handles and value conversion
# ---------------------------------------------------------------------------------------------
def _op(name):
    def binop(self, other):
        return _state.session.binop(_frames(), name, self, other)

    def rbinop(self, other):
        return _state.session.binop(_frames(), name, other, self)

    return binop, rbinop


def _cmp(name):
    def cmp(self, other):
        return _state.session.cmp(_frames(), name, self, other)

    return cmp


class Traced:
    """A value the compiler made (a tensor or view, a register, an NkiScalar, an instruction handle, a
    grid...). Attributes, indexing, calls and operators go to the compiler."""

    __slots__ = ("_v",)

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return _session().getattr(_frames(), self, name)

    def __setattr__(self, name, value):
        if name == "_v":
            object.__setattr__(self, name, value)
        else:
            _session().setattr(_frames(), self, name, value)

    def __getitem__(self, key):
        return _session().getitem(_frames(), self, key)

    def __setitem__(self, key, value):
        _session().setitem(_frames(), self, key, value)

    def __call__(self, *args, **kwargs):
        frames = _frames()
        pos, kw = _call_info(frames, len(args), kwargs)
        return _session().call(frames, self, args, kwargs, pos, kw)

    def __bool__(self):
        return _session().truth(_frames(), self)

    def __index__(self):
        raise TypeError(f"this {self._v.kind()} holds a run-time value: it has no compile-time integer value")

    __int__ = __index__

    def __len__(self):  # len(tensor) is its first dim, as in the C++ specializer
        if self._v.kind() == "tensor":
            return self.shape[0]
        raise TypeError(f"this {self._v.kind()} has no len() at trace time")

    def __iter__(self):
        if self._v.kind() == "range":  # `for i in nl.dynamic_range(...)` (before NKI 0.7.0): a hardware loop
            return _hardware_for(self)
        raise TypeError(f"this {self._v.kind()} is not iterable at trace time")

    def __hash__(self):
        return id(self)

    @property
    def __class__(self):  # isinstance(t, nl.NkiTensor / nisa.NkiInstruction / ...) as for AWS's handles
        return _nki_class(self._v.nki_class())

    def __repr__(self):
        return f"<traced {self._v.kind()}>"

    __add__, __radd__ = _op("Add")
    __sub__, __rsub__ = _op("Sub")
    __mul__, __rmul__ = _op("Mult")
    __truediv__, __rtruediv__ = _op("Div")
    __floordiv__, __rfloordiv__ = _op("FloorDiv")
    __mod__, __rmod__ = _op("Mod")
    __pow__, __rpow__ = _op("Pow")
    __lshift__, __rlshift__ = _op("LShift")
    __rshift__, __rrshift__ = _op("RShift")
    __and__, __rand__ = _op("BitAnd")
    __or__, __ror__ = _op("BitOr")
    __xor__, __rxor__ = _op("BitXor")
    __matmul__, __rmatmul__ = _op("MatMult")
    __eq__ = _cmp("Eq")
    __ne__ = _cmp("NotEq")
    __lt__ = _cmp("Lt")
    __le__ = _cmp("LtE")
    __gt__ = _cmp("Gt")
    __ge__ = _cmp("GtE")

    def __neg__(self):
        return _session().unop(_frames(), "USub", self)

    def __pos__(self):
        return _session().unop(_frames(), "UAdd", self)

    def __invert__(self):
        return _session().unop(_frames(), "Invert", self)


_classes = {}


def _nki_class(qualified):
    cls = _classes.get(qualified)
    if cls is None:
        module, _, name = qualified.rpartition(".")
        cls = getattr(sys.modules.get(module), name, None) if module else None
        cls = _classes[qualified] = cls if isinstance(cls, type) else Traced
    return cls


def _hardware_for(rng):
    """The body of a dynamic_range loop runs once in Python, between the loop's Loop and EndLoop (a `break` or
    `return` leaves it open: an error when the kernel returns)."""
    s = _session()
    iv, loop = s.hardware_for_open(_frames(), rng)
    yield iv
    s.hardware_for_close(_frames(), loop)


def _session():
    s = _state.session
    if s is None:
        filename, lineno, col = _hostside._caller()
        raise NkiError("this value belongs to a kernel that has finished tracing; NKI values cannot outlive it",
                       filename, lineno, col)
    return s


_NKI_MODULES = ("nki.language", "nki.isa", "nki.collectives", "nki.isa.constants", "nki")


def _describe(obj):
    """A Python object the compiler must see as one of its values (see python/bindings/tracing.cpp)."""
    from . import language
    if isinstance(obj, language.NkiDtype):
        return ("dtype", str(obj))
    if isinstance(obj, _hostside.NkiOp):
        return ("path", f"{obj.__module__}.{obj.__name__}")
    if isinstance(obj, language._OpConstant):  # nl.bypass, nl.prelu
        return ("path", f"nki.language.{obj.name}")
    if isinstance(obj, enum.Enum) and type(obj).__name__ == "MemoryRegion":
        return ("path", f"nki.language.{obj.value}")
    if isinstance(obj, enum.Enum) and type(obj).__module__ in _NKI_MODULES:
        module = "nki.isa" if type(obj).__module__ == "nki.isa.constants" else type(obj).__module__
        return ("path", f"{module}.{type(obj).__name__}.{obj.name}")
    if isinstance(obj, np.ndarray):  # compile-time contents (nl.shared_constant)
        from ._runtime import _describe_constant
        d = _describe_constant(obj)
        if d is None:
            raise TypeError(f"a NumPy array of dtype {obj.dtype} and {obj.nbytes} bytes cannot be an NKI constant")
        return ("array", d[2], list(d[1]), d[3])
    if isinstance(obj, (np.bool_,)):
        return ("value", bool(obj))
    if isinstance(obj, np.integer):
        return ("value", int(obj))
    if isinstance(obj, np.floating):
        return ("value", float(obj))
    if isinstance(obj, np.dtype) or (isinstance(obj, type) and issubclass(obj, np.generic)):
        from ._runtime import _NP_TO_NKI
        name = _NP_TO_NKI.get(np.dtype(obj))
        if name is None:
            raise TypeError(f"NumPy dtype {np.dtype(obj)} is not an NKI dtype")
        return ("dtype", name)
    if isinstance(obj, str):  # a str subclass
        return ("value", builtins.str(obj))
    if isinstance(obj, int):
        return ("value", builtins.int(obj))
    if isinstance(obj, float):
        return ("value", builtins.float(obj))
    from .collectives import ReplicaGroup
    if isinstance(obj, ReplicaGroup):
        return ("value", tuple(tuple(g) for g in obj.groups))
    if isinstance(obj, dict):
        for k in obj:
            if not isinstance(k, str):
                raise TypeError("a dict passed to an NKI API must have string keys")
        return ("dict", list(obj.keys()), list(obj.values()))
    if inspect.ismodule(obj) and obj.__name__ in _NKI_MODULES:
        return ("path", obj.__name__)
    if callable(obj):
        return ("call", obj)
    raise TypeError(f"a {type(obj).__name__} cannot be passed to an NKI API inside a kernel")


def _constant(kind, name):
    """A compiler constant as the Python object a kernel compares it with (nl.float32, nl.sbuf, nl.add)."""
    from . import language
    if kind == "dtype":
        return getattr(language, name)
    if kind == "buffer":
        return getattr(language, name, None) or getattr(language, "sbuf")
    if kind == "op":
        op = getattr(language, name, None)
        if op is not None:
            return op
    raise NkiError(f"no Python object for the compiler's {kind} {name}")


# ---------------------------------------------------------------------------------------------
# The API while tracing: calls forwarded to the compiler; loops recorded
# ---------------------------------------------------------------------------------------------
def _dispatch(qualname, args, kwargs):
    frames = _frames()
    pos, kw = _call_info(frames, len(args), kwargs)
    return _session().call(frames, qualname, args, kwargs, pos, kw)


class _RecordedRange:
    """nl.affine_range / sequential_range / static_range / range while tracing: Python's range, with the
    loop and its iterations recorded (multi-buffering of the tiles in its body, the checkers)."""

    __slots__ = ("kind", "r")

    def __init__(self, kind, r):
        self.kind, self.r = kind, r

    def __len__(self):
        return len(self.r)

    def __iter__(self):
        s = _session()
        loop = s.loop_open(_frames(), self.kind)
        try:
            for i in self.r:
                s.loop_iter(loop)
                yield i
        finally:
            s.loop_close(loop, self.kind)


def _range_helper(kind):
    def make(start, stop=None, step=1):
        r = builtins.range(start) if stop is None else builtins.range(start, stop, step)
        return _RecordedRange(kind, r)

    make.__name__ = kind
    return make


def _forwarder(qualname):
    def forward(*args, **kwargs):
        frames = _frames()
        pos, kw = _call_info(frames, len(args), kwargs)
        return _session().call(frames, qualname, args, kwargs, pos, kw)

    forward.__name__ = qualname.rpartition(".")[2]
    return forward


class _NoReorder:
    """`with nl.no_reorder():` while tracing (a hardware loop may not start inside it)."""

    def __enter__(self):
        _session().no_reorder(True)
        return self

    def __exit__(self, *exc):
        _session().no_reorder(False)
        return False


# Host-side implementations that mean something else in a kernel: replaced while tracing.
_FORWARDED = {
    "nki.language": ("fori_loop", "dynamic_range", "ds"),
    "nki.isa": ("get_nc_version", "get_nc_sub_version"),
}
_RANGES = ("affine_range", "sequential_range", "static_range", "range")


_builtin_import = builtins.__import__


def _import(name, globals=None, locals=None, fromlist=(), level=0):
    """`import neuronxcc.nki...` while a kernel is traced: the legacy namespace, checked per release."""
    if level == 0 and name.startswith("neuronxcc") and _state.session is not None:
        dotted = name if name.startswith("neuronxcc.nki") else "neuronxcc.nki" if "nki" in (fromlist or ()) else ""
        if dotted:
            frames = _frames()
            if frames and frames[-1][0] == (globals or {}).get("__file__", frames[-1][0]):
                _state.session.legacy_import(frames, dotted)
    return _builtin_import(name, globals, locals, fromlist, level)


class _Activated:
    """Installs a session: the dispatcher (kernel-only APIs), the replacements of host-side helpers (the loop
    helpers, nl.tile_size, ...), and the import hook."""

    def __init__(self, session, kernel_code):
        self.session, self.kernel_code = session, kernel_code

    def __enter__(self):
        self.saved_state = (_state.session, _state.kernel_code, _state.pkg_dirs)
        _state.session, _state.kernel_code, _state.pkg_dirs = self.session, self.kernel_code, _package_dirs()
        self.saved_dispatcher = _hostside.set_dispatcher(_dispatch)
        table = {f"{mod}.{n}": _forwarder(f"{mod}.{n}") for mod, names in _FORWARDED.items() for n in names}
        table.update({f"nki.language.{n}": _range_helper(n) for n in _RANGES})
        table["nki.language.tile_size"] = self.session.attr([], "nki.language.tile_size")
        table["nki.language.no_reorder"] = _NoReorder
        self.saved_overrides = _hostside.set_overrides(table)
        self.saved_import = builtins.__import__
        builtins.__import__ = _import
        return self

    def __exit__(self, *exc):
        builtins.__import__ = self.saved_import
        _hostside.set_overrides(self.saved_overrides)
        _hostside.set_dispatcher(self.saved_dispatcher)
        _state.session, _state.kernel_code, _state.pkg_dirs = self.saved_state
        return False


# ---------------------------------------------------------------------------------------------
# Compiling a kernel by tracing it
# ---------------------------------------------------------------------------------------------
def _def_span(fn):
    code = fn.__code__
    path = code.co_filename
    line = code.co_firstlineno
    text = linecache.getline(path, line)
    return path, (line, len(text) - len(text.lstrip()), line, len(text.rstrip("\n")))


def _bind_inputs(session, fn, args, kwargs):
    """The kernel's arguments with each NumPy array replaced by an HBM input (in the order nki.jit lays out
    the buffers: positional arguments, then keywords, depth first)."""
    try:
        names = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        names = []
    from ._runtime import _NP_TO_NKI

    def conv(v, name):
        if isinstance(v, np.ndarray):
            dt = _NP_TO_NKI.get(v.dtype)
            if dt is None:
                raise TypeError(f"argument '{name}': arrays of dtype {v.dtype} are not supported by NKI")
            return session.input(name, [int(d) for d in v.shape], dt)
        if isinstance(v, tuple):
            return tuple(conv(x, name) for x in v)
        if isinstance(v, list):
            if any(isinstance(x, np.ndarray) for x in v):
                raise TypeError(f"argument '{name}': a list of arrays; pass a tuple (tensor arguments are numbered "
                                f"through tuples, dicts and objects)")
            return v
        if isinstance(v, dict):
            return {k: conv(x, name) for k, x in v.items()}
        if not isinstance(v, enum.Enum) and hasattr(v, "__dict__") and not callable(v):
            fields = vars(v)  # an object holding arrays (as nki.jit numbers them): a copy holding inputs
            if any(_has_array(x) for x in fields.values()):
                import copy
                v = copy.copy(v)
                for k, x in fields.items():
                    object.__setattr__(v, k, conv(x, name))
        return v

    targs = tuple(conv(a, names[i] if i < len(names) else f"arg{i}") for i, a in enumerate(args))
    tkwargs = {k: conv(v, k) for k, v in kwargs.items()}
    return targs, tkwargs


def _has_array(v):
    if isinstance(v, np.ndarray):
        return True
    if isinstance(v, (tuple, list)):
        return any(_has_array(x) for x in v)
    if isinstance(v, dict):
        return any(_has_array(x) for x in v.values())
    return False


def compile_traced(fn, args, kwargs, options):
    """Traces `fn` (the kernel's Python function) once per core; returns the compiled _core.Kernel.
    options: target, grid, rank, world_size, release, environ (as _core.TraceSession takes them)."""
    from . import _core
    from ._errors import python_error_class
    path, def_span = _def_span(fn)
    try:
        inspect.signature(fn).bind(*args, **kwargs)
    except TypeError as e:
        text = _core.render_at([(path, *def_span)], f"TypeError: kernel '{fn.__name__}' {e}")
        raise python_error_class("TypeError")(text, path, def_span[0], def_span[1] + 1) from None
    session = _core.TraceSession(path, def_span, fn.__name__, options, Traced, _describe, _constant)
    _refresh_sources()
    for core in range(session.cores()):
        session.begin_core(core)
        _state.statements = []
        with _Activated(session, fn.__code__):
            targs, tkwargs = _bind_inputs(session, fn, args, kwargs)
            try:
                result = fn(*targs, **tkwargs)
            except NkiError:
                raise
            except Exception as e:  # the kernel's own Python raised: at its line, keeping its class
                raise _kernel_exception(e, fn.__code__) from None
        session.end_core(result)
    return session.finish()


def _kernel_exception(e, kernel_code):
    """A Python exception raised by the kernel's own code, as an NkiError of the same class (NkiTypeError
    is both), located at the innermost kernel-side frame of its traceback, rendered like the compiler's."""
    from . import _core
    from ._errors import from_core
    dirs = _state.pkg_dirs or _package_dirs()
    frames, tb, inside = [], e.__traceback__, False
    while tb is not None:
        code = tb.tb_frame.f_code
        if code is kernel_code:
            inside = True
        if inside and not code.co_filename.startswith(dirs) and not code.co_filename.startswith("<frozen"):
            frames.append((code.co_filename, *_span(code, tb.tb_lasti)))
        tb = tb.tb_next
    message = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
    if not frames:
        return e
    frames = _fold_repeats(frames)
    rendered = _core.render_at(frames, message)
    path, line, col = frames[-1][0], frames[-1][1], frames[-1][2] + 1
    kind = "assert" if isinstance(e, AssertionError) else "compile"
    err = from_core(kind, type(e).__name__, rendered, path, line, col)
    err.__cause__ = e
    return err


def _fold_repeats(frames, keep=3):
    """A runaway recursion's stack with each run of identical frames cut to `keep` (as CPython's traceback
    says "[Previous line repeated N more times]")."""
    out, run = [], 0
    for i, f in enumerate(frames):
        run = run + 1 if i and f == frames[i - 1] else 1
        if run <= keep or i == len(frames) - 1:
            out.append(f)
    return out


def compare_front_doors(compiled, fn, args, kwargs, options):
    """NKIC_COMPARE_FRONT_DOORS=1 (tests/tracing): the kernel the C++ specializer compiled, traced again;
    their printed Programs must be identical (docs/semantics.md, "Front doors")."""
    import difflib
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        traced = compile_traced(fn, args, kwargs, options)
    a, b = compiled.ir(), traced.ir()
    if a != b:
        diff = "".join(difflib.unified_diff(a.splitlines(True), b.splitlines(True), "custom", "trace", n=1))
        where = os.environ.get("NKIC_COMPARE_FRONT_DOORS_DIR")  # the whole diff, for long Programs
        if where:
            os.makedirs(where, exist_ok=True)
            with open(os.path.join(where, f"{fn.__name__}.diff"), "w") as f:
                f.write(diff)
        raise NkiError(f"kernel '{fn.__name__}': the two front doors compiled different Programs:\n{diff[:4000]}")
