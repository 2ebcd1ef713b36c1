"""Makes the `neuronxcc` package (python/neuronxcc) importable from the source tree when the installed
build predates it (an editable install made before the package existed maps only nki and nkic)."""
import importlib.util
import os
import sys

if importlib.util.find_spec("neuronxcc") is None:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
