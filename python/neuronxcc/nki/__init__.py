"""``neuronxcc.nki``: the Beta 1 launchers (``jit``, ``baremetal``, ``simulate_kernel``, ``benchmark``,
``profile``) and the ``language``, ``isa``, ``compiler`` and ``typing`` modules. There is no Neuron device
here: every launcher runs the nkic simulator, and ``benchmark``/``profile`` report the timing model's
estimate."""

from . import compiler, isa, language, typing
from ._launchers import (BenchmarkResult, LegacyKernel, Latency, baremetal, benchmark, jit, profile,
                         simulate_kernel)

__all__ = ["jit", "baremetal", "simulate_kernel", "benchmark", "profile", "language", "isa", "compiler",
           "typing", "LegacyKernel", "BenchmarkResult", "Latency"]
