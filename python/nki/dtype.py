"""``nki.dtype`` as a module (``import nki.dtype as nt``): each NKI dtype name as the NumPy type host code
builds arrays with (``np.zeros(shape, dtype=nt.float8_e4m3)``, ``x.astype(nt.bfloat16)``), as nki-library's
tests use it. bf16 and fp8 are ml_dtypes types, as NKI users have them. Until this module is imported,
``nki.dtype`` is the dtype class (``dtype: nki.dtype = nl.bfloat16`` annotations work either way).
"""
from ._runtime import _NKI_TO_NP

globals().update({name: np_dtype.type for name, np_dtype in _NKI_TO_NP.items()})
__all__ = sorted(_NKI_TO_NP)
