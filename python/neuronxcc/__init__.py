"""``neuronxcc``: the NKI Beta 1 namespace (SDK 2.20-2.26, ``from neuronxcc import nki``), provided by nkic.

Only ``neuronxcc.nki`` exists here: the Neuron compiler's other parts are not needed to run kernels.
Kernel bodies are compiled from their source by nkic's C++ compiler (which has Beta 1 modules of its own);
these Python modules hold what host code uses: the launchers, dtypes, buffers and constants."""

from . import nki

__all__ = ["nki"]
