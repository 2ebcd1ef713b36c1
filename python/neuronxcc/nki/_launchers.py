"""The Beta 1 launchers: ``nki.jit``, ``nki.baremetal``, ``nki.simulate_kernel``, ``nki.benchmark``,
``nki.profile``. All of them compile with nkic (as a legacy launch: no warning about the legacy namespace)
and run the simulator; ``benchmark`` and ``profile`` report the timing model's estimate (``nkic.profile``)
instead of hardware measurements. See docs/semantics.md, "Legacy language: launchers"."""

import json
import os

import numpy as np

from nki._errors import NkiError
from nki._runtime import _NKI_TO_NP, JitKernel

from . import language as _nl
from .typing import tensor as _nt_tensor

_MODES = ("auto", "jax", "torchxla", "baremetal", "benchmark", "simulation", "trace")
_PERCENTILES = (0, 1, 10, 25, 50, 90, 99, 100)


class LegacyKernel(JitKernel):
    """A kernel launched the Beta 1 way: calling it compiles and simulates it. Outputs are returned (2.21+)
    or written into output arrays passed as arguments (2.20: the kernel returns nothing)."""

    _legacy = True

    def __getitem__(self, grid):
        # Beta 1 grids: `k[d0, d1, ...]` runs the programs one after another on one core (each with its
        # nl.program_id(axis)); `k[nl.nc(2)]` (or nl.spmd_dim) runs them on the two cores of an LNC2
        # logical core. Mixing the two in one grid is not supported.
        dims = grid if isinstance(grid, tuple) else (grid,)
        cores = [d for d in dims if isinstance(d, _nl.nc)]
        if cores:
            if len(dims) != 1:
                raise NkiError(f"kernel[{grid!r}]: nkic runs an nl.nc(n) grid dimension only on its own "
                               "(kernel[nl.nc(2)])")
            n = cores[0].n
            if not isinstance(n, int) or isinstance(n, bool) or n < 1 or n > 2:
                raise NkiError(f"kernel[nl.nc({n!r})]: a logical NeuronCore has 1 or 2 physical cores")
            return JitKernel.__getitem__(self, n)
        if any(not isinstance(d, int) or isinstance(d, bool) or d < 1 for d in dims):
            raise NkiError(f"kernel[{grid!r}]: launch-grid dimensions must be positive ints")
        k = type(self)(self.func, **self.options)
        k._cache = self._cache
        k._spmd = tuple(dims)
        return k


def _kernel(func, options):
    k = LegacyKernel(func, **options)
    if isinstance(func, JitKernel):  # keep an LNC launch and the compile cache
        k._grid, k._cache = func._grid, func._cache
        k._spmd = getattr(func, '_spmd', ())
    return k


def _options(kwargs):
    """The jit options nkic uses (platform_target); the rest (additional_compile_opt, ...) are accepted
    and ignored: they tune the Neuron compiler, which is not involved here."""
    out = {}
    pt = kwargs.get("platform_target")
    if pt is not None:
        from nki.isa import _TARGETS
        if not isinstance(pt, str) or pt.strip().lower() not in _TARGETS:
            raise NkiError(f"platform_target={pt!r}: expected one of " + ", ".join(sorted(_TARGETS)))
        out["platform_target"] = pt.strip().lower()
    return out


def jit(func=None, mode="auto", **kwargs):
    """``@nki.jit`` (Beta 1, framework style): NumPy arrays in, the kernel's outputs returned. Every mode
    (auto, baremetal, simulation, jax, torchxla, benchmark, trace) runs the simulator here."""
    if mode not in _MODES:
        raise NkiError(f"nki.jit(mode={mode!r}): expected one of " + ", ".join(_MODES))
    opts = _options(kwargs)
    if func is None:
        return lambda f: _kernel(f, opts)
    return _kernel(func, opts)


def _note_neff(path, kernel, trace=None):
    """nkic produces no NEFF: a short note stands in for it so harnesses that expect the file find one."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"nkic: no NEFF was produced for kernel '{kernel.func.__name__}'. nkic compiles NKI kernels for "
                "its own NeuronCore simulator, not for the hardware.\n")
        if trace:
            f.write(f"The timing model's trace is {os.path.basename(trace)} (Chrome trace-event JSON).\n")


def _profile(kernel, args, kwargs, timing_only=False):
    import nkic
    if timing_only:
        try:
            return nkic.profile(kernel, *args, timing_only=True, **kwargs)
        except NkiError as e:
            if "timing_only:" not in str(e):
                raise
            # control flow or DMA addresses read from the data: simulate the data too
    return nkic.profile(kernel, *args, **kwargs)


def _write_trace(prof, path):
    """Our Perfetto trace at `path` (JSON whatever its extension) and the HTML report beside it."""
    prof.to_perfetto(path)
    html = os.path.splitext(path)[0] + ".html"
    prof.to_html(html)
    return html


class _Baremetal(LegacyKernel):
    def __call__(self, *args, **kwargs):
        neff, trace = self.options.get("_save_neff_name"), self.options.get("_save_trace_name")
        if not trace:
            return LegacyKernel.__call__(self, *args, **kwargs)
        prof = _profile(self, args, kwargs)
        _write_trace(prof, trace)
        if neff:
            _note_neff(neff, self, trace)
        return prof.outputs


def baremetal(kernel=None, *, save_neff_name=None, save_trace_name=None, additional_compile_opt=None,
              artifacts_dir=None, **kwargs):
    """``@nki.baremetal``: NumPy in; outputs are arrays passed as arguments and filled in place (2.20: the
    kernel returns nothing, and neither does the call). A kernel that returns outputs (2.21+) has them
    returned. ``save_trace_name`` writes the timing model's trace there (and an HTML report beside it);
    ``save_neff_name`` a placeholder note (nkic has no NEFF)."""
    if kernel is None:
        return lambda k: baremetal(k, save_neff_name=save_neff_name, save_trace_name=save_trace_name,
                                   additional_compile_opt=additional_compile_opt, artifacts_dir=artifacts_dir,
                                   **kwargs)
    opts = _options(kwargs)
    if artifacts_dir is not None:
        os.makedirs(artifacts_dir, exist_ok=True)
    place = (lambda n: os.path.join(artifacts_dir, n)) if artifacts_dir else (lambda n: n)
    if save_trace_name:
        opts["_save_trace_name"] = place(save_trace_name)
    if save_neff_name:
        opts["_save_neff_name"] = place(save_neff_name)
    k = _Baremetal(kernel.func if isinstance(kernel, JitKernel) else kernel, **opts)
    if isinstance(kernel, JitKernel):
        k._grid = kernel._grid
        k._spmd = getattr(kernel, '_spmd', ())
    if save_neff_name and not save_trace_name:
        _note_neff(place(save_neff_name), k)
    return k


def simulate_kernel(kernel, *args, **kwargs):
    """``nki.simulate_kernel(kernel, *args)``: runs the kernel in the simulator on NumPy arrays and returns
    its outputs (None for a kernel that fills output arguments in place)."""
    if not isinstance(kernel, LegacyKernel):
        kernel = _kernel(kernel, dict(getattr(kernel, "options", {})))
    return kernel(*args, **kwargs)


class Latency:
    """``benchmark_result.nc_latency``: the timing model's estimate. It is deterministic, so every
    percentile is the same number of microseconds."""

    def __init__(self, us):
        self._us = float(us)

    def get_latency_percentile(self, percentile):
        if isinstance(percentile, bool) or percentile not in _PERCENTILES:
            raise ValueError(f"get_latency_percentile({percentile!r}): the percentiles recorded are "
                             + ", ".join(map(str, _PERCENTILES)))
        return self._us

    def __repr__(self):
        return f"<nc_latency {self._us:.3f} us (timing model)>"


class BenchmarkResult:
    """``kernel.benchmark_result``: ``nc_latency`` (a :class:`Latency`) and the full ``nkic.Profile``."""

    def __init__(self, prof):
        self.nc_latency = Latency(prof.latency_us)
        self.profile = prof


def _placeholders(args):
    """``nt.tensor[[shape], dtype]`` placeholders become zero arrays: benchmark/profile use shapes only."""
    def conv(a):
        if isinstance(a, _nt_tensor):
            if a.dtype is None or any(not isinstance(d, int) for d in a.shape):
                raise NkiError(f"placeholder {a!r} needs an int shape and a dtype to be run")
            return np.zeros(a.shape, dtype=_NKI_TO_NP[str(a.dtype)])
        return a
    return tuple(conv(a) for a in args)


class _Benchmark(LegacyKernel):
    benchmark_result = None

    def __call__(self, *args, **kwargs):
        # Timing only (the inputs' values are not read, as the placeholders show), unless the kernel's control
        # flow or addresses depend on the data.
        prof = _profile(self, _placeholders(args), kwargs, timing_only=True)
        self.benchmark_result = BenchmarkResult(prof)
        o = self.options
        if o.get("_save_trace_name"):
            _write_trace(prof, o["_save_trace_name"])
        if o.get("_save_neff_name"):
            _note_neff(o["_save_neff_name"], self, o.get("_save_trace_name"))
        print(f"nkic benchmark of '{self.func.__name__}' on {prof.target}: estimated latency "
              f"{prof.latency_us:.3f} us (timing model; warmup={o['_warmup']}, iters={o['_iters']} "
              "not repeated: the estimate is deterministic)")
        return prof.outputs


def benchmark(kernel=None, *, warmup=10, iters=100, save_neff_name=None, save_trace_name=None,
              additional_compile_opt=None, **kwargs):
    """``@nki.benchmark(warmup=, iters=)``: calling the kernel simulates it under the timing model and sets
    ``kernel.benchmark_result.nc_latency.get_latency_percentile(p)`` (microseconds, p in 0, 1, 10, 25,
    50, 90, 99, 100, all equal). The run is timing-only, so the call returns None; a kernel whose control
    flow or DMA addresses depend on the data is simulated in full and its outputs are returned."""
    for name, v in (("warmup", warmup), ("iters", iters)):
        if not isinstance(v, int) or isinstance(v, bool) or v < (0 if name == "warmup" else 1):
            raise NkiError(f"nki.benchmark({name}={v!r}): expected an int >= {0 if name == 'warmup' else 1}")
    if kernel is None:
        return lambda k: benchmark(k, warmup=warmup, iters=iters, save_neff_name=save_neff_name,
                                   save_trace_name=save_trace_name, additional_compile_opt=additional_compile_opt,
                                   **kwargs)
    opts = dict(_options(kwargs), _warmup=warmup, _iters=iters)
    if save_neff_name:
        opts["_save_neff_name"] = save_neff_name
    if save_trace_name:
        opts["_save_trace_name"] = save_trace_name
    k = _Benchmark(kernel.func if isinstance(kernel, JitKernel) else kernel, **opts)
    if isinstance(kernel, JitKernel):
        k._grid = kernel._grid
        k._spmd = getattr(kernel, '_spmd', ())
    return k


class _Profiled(LegacyKernel):
    def __call__(self, *args, **kwargs):
        o = self.options
        wd = o["_working_directory"]
        trace = os.path.join(wd, o["_save_trace_name"])
        if os.path.exists(trace) and not o["_overwrite"]:
            raise FileExistsError(f"nki.profile: {trace} exists; pass overwrite=True to replace it")
        os.makedirs(wd, exist_ok=True)
        prof = _profile(self, _placeholders(args), kwargs)
        html = _write_trace(prof, trace)
        if o["_save_neff_name"]:
            _note_neff(os.path.join(wd, o["_save_neff_name"]), self, trace)
        summary = {"kernel": self.func.__name__, "target": prof.target, "latency_us": prof.latency_us,
                   "engine_busy_us": prof.engine_busy_us, "instructions": prof.instructions, "mfu": prof.mfu,
                   "mbu": prof.mbu, "dma_bytes": prof.dma_bytes, "trace": os.path.basename(trace),
                   "html": os.path.basename(html)}
        with open(os.path.splitext(trace)[0] + "_summary.json", "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=1)
        return None


def profile(func=None, *, working_directory, save_neff_name="file.neff", save_trace_name="profile.ntff",
            additional_compile_opt=None, overwrite=False, profile_nth=1, **kwargs):
    """``@nki.profile(working_directory=ABS_DIR, ...)``: calling the kernel simulates it under the timing
    model and writes, in ``working_directory``: our Perfetto trace at ``save_trace_name`` (Chrome
    trace-event JSON whatever the extension), ``<name>.html`` (the report), ``<name>_summary.json``, and
    ``save_neff_name`` as a placeholder note. Returns None; inputs may be ``nt.tensor`` placeholders."""
    if not isinstance(working_directory, (str, os.PathLike)) or not os.path.isabs(os.fspath(working_directory)):
        raise NkiError(f"nki.profile(working_directory={working_directory!r}): an absolute directory is required")
    if not isinstance(save_trace_name, str) or not save_trace_name:
        raise NkiError(f"nki.profile(save_trace_name={save_trace_name!r}): expected a file name")
    if not isinstance(profile_nth, int) or profile_nth < 1:
        raise NkiError(f"nki.profile(profile_nth={profile_nth!r}): expected an int >= 1")
    if func is None:
        return lambda f: profile(f, working_directory=working_directory, save_neff_name=save_neff_name,
                                 save_trace_name=save_trace_name, additional_compile_opt=additional_compile_opt,
                                 overwrite=overwrite, profile_nth=profile_nth, **kwargs)
    opts = dict(_options(kwargs), _working_directory=os.fspath(working_directory), _save_neff_name=save_neff_name,
                _save_trace_name=save_trace_name, _overwrite=bool(overwrite))
    k = _Profiled(func.func if isinstance(func, JitKernel) else func, **opts)
    if isinstance(func, JitKernel):
        k._grid = func._grid
        k._spmd = getattr(func, '_spmd', ())
    return k
