"""``nkic.profile``: the timing model's estimate of how long a kernel takes, and where the time goes."""
import collections
import json
import os
import sys
import warnings as _warnings

from nki._errors import NkiError
from nki._runtime import JitKernel, _at_kernel_line

LineTime = collections.namedtuple("LineTime", "file line us instructions text")


class Profile:
    """A timed simulation. ``latency_us``: the estimated kernel latency; ``engine_busy_us``: busy time per
    engine (tensor, vector, scalar, gpsimd, sync, dma) of the busiest core; ``per_core``: each core's;
    ``instructions``: instructions executed; ``outputs``: what the kernel returned (None when
    timing_only)."""

    def __init__(self, handle, outputs, target):
        self._h = handle
        s = json.loads(handle.summary_json())
        self.latency_us = float(s["latency_us"])
        self.engine_busy_us = dict(s["engine_busy_us"])
        self.per_core = list(s["per_core"])
        self.instructions = int(s["instructions"])
        self.mfu = float(s["mfu"])
        self.mbu = float(s["mbu"])
        self.dma_bytes = dict(s["dma_bytes"])
        self.critical_path_us = dict(s["critical_path_us"])
        self.target = target
        self.outputs = outputs

    def lines(self):
        """Source lines by time spent, most first: (file, line, us, instructions, text) tuples."""
        return [LineTime(*t) for t in self._h.lines()]

    def summary(self):
        """One screen: latency, engine utilisation, MFU, HBM bandwidth use, DMA bytes, critical path, top lines."""
        return self._h.summary_text()

    def to_perfetto(self, path):
        """Writes a Chrome trace-event JSON file (open it in ui.perfetto.dev or chrome://tracing)."""
        with open(os.fspath(path), "w", encoding="utf-8") as f:
            f.write(self._h.perfetto_json())
        return path

    def to_html(self, path):
        """Writes a self-contained HTML report (timeline, utilisation, top lines, summary)."""
        with open(os.fspath(path), "w", encoding="utf-8") as f:
            f.write(self._h.html())
        return path

    def __repr__(self):
        return f"<nkic.Profile {self.target}: {self.latency_us:.2f} us, {self.instructions} instructions>"


def profile(kernel, *args, target=None, timing_only=False, **kwargs):
    """Simulates ``kernel(*args, **kwargs)`` with the timing model and returns a :class:`Profile`.

    ``target``: trn1, trn2 or trn3; None follows ``NEURON_PLATFORM_TARGET_OVERRIDE``, then trn2.
    ``kernel`` may be an LNC launch such as ``kernel[2]``. ``timing_only=True`` skips the arithmetic
    (the arrays' contents do not matter and ``outputs`` is None): much faster, for kernels whose control
    flow and addresses do not depend on the data (those that do are an error in that mode)."""
    if not isinstance(kernel, JitKernel):
        kernel = JitKernel(kernel)
    if target is not None:
        from nki.isa import _TARGETS
        if not isinstance(target, str) or target.strip().lower() not in _TARGETS:
            raise NkiError(f"nkic.profile(target={target!r}): expected one of " + ", ".join(sorted(_TARGETS)))
        grid, cache = kernel._grid, kernel._cache
        kernel = JitKernel(kernel.func, **dict(kernel.options, platform_target=target.strip().lower()))
        kernel._grid, kernel._cache = grid, cache
    if not isinstance(timing_only, bool):
        raise NkiError(f"nkic.profile(timing_only={timing_only!r}): expected True or False")
    run = kernel._prepare(0, 1, args, kwargs)
    sys.stdout.flush()
    try:
        handle = run.compiled.profile(run.inputs, run.outputs, timing_only)
    except NkiError as e:
        raise _at_kernel_line(e) from None
    for w in handle.warnings():
        _warnings.warn(w, stacklevel=2)
    outputs = None if timing_only else run.finish()
    from nki._runtime import _target
    return Profile(handle, outputs, kernel.options.get("platform_target") or _target())
