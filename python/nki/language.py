"""``nki.language`` (``import nki.language as nl``): dtypes, buffers, tile-size constants, operators,
tensor creation, iteration helpers and the 0.3.0 convenience APIs.

Inside an ``@nki.jit`` kernel these names are interpreted by the nkic compiler from the kernel
source.  On the host they are ordinary Python objects: dtypes work as NumPy dtypes, buffers and
tile sizes are plain constants, the range helpers return Python ranges, and everything that needs
a device raises :class:`nki._errors.NkiError` when called.
"""

import builtins as _builtins
import contextlib as _contextlib
import dataclasses as _dataclasses
import enum as _enum

import ml_dtypes as _ml_dtypes  # noqa: F401  (registers bfloat16 / float8_* names with NumPy)
import numpy as _np

from ._errors import NkiError
from ._hostside import kernel_only as _kernel_only
from ._hostside import kernel_op as _op
from ._hostside import host_override as _host_override
from ._hostside import override_of as _override_of


# ---------------------------------------------------------------------------------------------
# Base class for user compile-time objects
# ---------------------------------------------------------------------------------------------
class _NKIObjectType(type):
    """NKI's compiler treats a class attribute assigned without an annotation (``index = None``) in an
    NKIObject dataclass as a keyword-only field (nki-library's attention_cte ``SectionParams``), and leaves a
    required field the caller omits unset: the dataclass ``__init__`` knows neither, so this does it."""

    def __call__(cls, *args, **kwargs):
        extra, unset = {}, []
        if _dataclasses.is_dataclass(cls) and _generated_init(cls):
            fields = [f for f in _dataclasses.fields(cls) if f.init]
            known = {f.name for f in fields}
            for k in list(kwargs):
                if k not in known and _plain_field(cls, k):
                    extra[k] = kwargs.pop(k)
            # A required field the caller leaves out stays unset, as NKI's compiler has it (nki-library's
            # mlp_tkg constants).
            for f in fields[len(args):]:
                if (f.name not in kwargs and f.default is _dataclasses.MISSING
                        and f.default_factory is _dataclasses.MISSING and f.kw_only is not True):
                    kwargs[f.name] = None
                    unset.append(f.name)
        obj = super().__call__(*args, **kwargs)
        for k, v in extra.items():
            object.__setattr__(obj, k, v)
        for k in unset:
            object.__delattr__(obj, k)
        return obj

    @property
    def __signature__(cls):  # inspect.signature(cls) is __init__'s, not this __call__'s
        import inspect
        sig = inspect.signature(cls.__init__)
        return sig.replace(parameters=list(sig.parameters.values())[1:])


def _generated_init(cls):
    """The class's __init__ is the one @dataclass wrote (not the class's own: nki-library's MLPParameters)."""
    init = getattr(cls.__init__, "__code__", None)
    return init is not None and init.co_filename == "<string>"


def _plain_field(cls, name):
    for c in cls.__mro__:
        if c is NKIObject:
            return False
        if name in vars(c):
            v = vars(c)[name]
            return not (name.startswith("__") or callable(v) or isinstance(v, (property, staticmethod, classmethod)))
    return False


class NKIObject(metaclass=_NKIObjectType):
    """Base class for objects that may be passed into, or built inside, NKI kernels.

    Subclass it for configuration records (usually together with ``@dataclass``).  An instance
    passed as a kernel argument is handed to the compiler as its attribute dictionary.  Without a
    dataclass, ``NKIObject(**fields)`` simply stores the keyword arguments as attributes. In a
    dataclass, a class attribute without an annotation is a keyword-only field, as NKI's compiler has it."""

    def __init__(self, **kwargs):
        for key, value in kwargs.items():
            setattr(self, key, value)


# ---------------------------------------------------------------------------------------------
# Data types
# ---------------------------------------------------------------------------------------------
class NkiDtype(str):
    """An NKI data type.

    It *is* its name as a string (``nl.float32 == 'float32'``, as in the 0.3.0 stubs) and also
    works wherever NumPy expects a dtype (``np.zeros(4, dtype=nl.bfloat16)``).

    Host storage: standard types map to NumPy, ``bfloat16``/``float8_*`` to ``ml_dtypes``;
    ``tfloat32`` is stored as float32 (TF32 precision, 32-bit container); the packed MX types
    ``float8_e5m2_x4``/``float8_e4m3fn_x4`` (4 x fp8) are stored as uint32 and
    ``float4_e2m1fn_x4`` (4 x fp4) as uint16.  To let NumPy accept those four names, importing this
    module registers them in ``numpy.sctypeDict`` (only if absent)."""

    __slots__ = ()

    @property
    def name(self):
        """The dtype's NKI name, e.g. ``'bfloat16'``."""
        return str.__str__(self)

    @property
    def np_dtype(self):
        """The NumPy dtype used to hold values of this type on the host."""
        return _np.dtype(_HOST_STORAGE.get(self.name, self.name))

    @property
    def itemsize(self):
        """Size of one element in bytes (packed x4 types: the whole 4-value container)."""
        return self.np_dtype.itemsize

    @property
    def bits(self):
        """Size of one element in bits."""
        return 8 * self.itemsize

    @property
    def is_float(self):
        """True for floating-point types (including the packed MX float types)."""
        return self.name.startswith(("float", "bfloat", "tfloat"))

    @property
    def is_int(self):
        """True for signed/unsigned integer types (not bool)."""
        return self.name.startswith(("int", "uint"))

    def __reduce__(self):
        return (NkiDtype, (self.name,))


# Host storage for the names NumPy/ml_dtypes do not know.
_HOST_STORAGE = {
    "tfloat32": _np.float32,
    "float8_e5m2_x4": _np.uint32,
    "float8_e4m3fn_x4": _np.uint32,
    "float4_e2m1fn_x4": _np.uint16,
}
for _name, _storage in _HOST_STORAGE.items():
    _np.sctypeDict.setdefault(_name, _storage)

bool_ = NkiDtype("bool")
"""Boolean stored as one byte."""
int8 = NkiDtype("int8")
"""8-bit signed integer."""
uint8 = NkiDtype("uint8")
"""8-bit unsigned integer."""
int16 = NkiDtype("int16")
"""16-bit signed integer."""
uint16 = NkiDtype("uint16")
"""16-bit unsigned integer."""
int32 = NkiDtype("int32")
"""32-bit signed integer."""
uint32 = NkiDtype("uint32")
"""32-bit unsigned integer."""
float16 = NkiDtype("float16")
"""IEEE half precision (1 sign, 5 exponent, 10 mantissa bits)."""
bfloat16 = NkiDtype("bfloat16")
"""Brain float (1 sign, 8 exponent, 7 mantissa bits); host type ml_dtypes.bfloat16."""
tfloat32 = NkiDtype("tfloat32")
"""TF32 (1 sign, 8 exponent, 10 mantissa bits) held in 32 bits; host storage float32."""
float32 = NkiDtype("float32")
"""IEEE single precision."""
float8_e4m3 = NkiDtype("float8_e4m3")
"""8-bit float (1, 4, 3) with infinities; host type ml_dtypes.float8_e4m3."""
float8_e4m3fn = NkiDtype("float8_e4m3fn")
"""8-bit float (1, 4, 3), OCP 'fn' variant: no infinities, max 448; host type ml_dtypes.float8_e4m3fn."""
float8_e5m2 = NkiDtype("float8_e5m2")
"""8-bit float (1, 5, 2); host type ml_dtypes.float8_e5m2."""
float8_e5m2_x4 = NkiDtype("float8_e5m2_x4")
"""Four float8_e5m2 values packed in 32 bits (MX matmul on NeuronCore-v4); host storage uint32."""
float8_e4m3fn_x4 = NkiDtype("float8_e4m3fn_x4")
"""Four float8_e4m3fn values packed in 32 bits (MX matmul on NeuronCore-v4); host storage uint32."""
float4_e2m1fn_x4 = NkiDtype("float4_e2m1fn_x4")
"""Four float4_e2m1fn values packed in 16 bits (MX matmul on NeuronCore-v4); host storage uint16."""
float8_e8m0fnu = NkiDtype("float8_e8m0fnu")
"""NKI 0.5.0: 8-bit unsigned exponent, value 2^(e-127), 0xFF = NaN (the MX scale type); host type
ml_dtypes.float8_e8m0fnu."""
int64 = NkiDtype("int64")
"""NKI 0.7.0: 64-bit signed integer, for (1, 1) tiles holding NkiScalar values (nisa.scalar_load /
scalar_store, DMA, memset); compute instructions reject it."""

_ALL_DTYPES = (bool_, int8, uint8, int16, uint16, int32, uint32, float16, bfloat16, tfloat32,
               float32, float8_e4m3, float8_e4m3fn, float8_e5m2, float8_e5m2_x4, float8_e4m3fn_x4,
               float4_e2m1fn_x4, float8_e8m0fnu, int64)


# ---------------------------------------------------------------------------------------------
# Memory buffers
# ---------------------------------------------------------------------------------------------
class MemoryRegion(str, _enum.Enum):
    """Where a tensor lives: on-chip ``sbuf``/``psum`` or device memory ``private_hbm``/``shared_hbm``."""

    sbuf = "sbuf"
    psum = "psum"
    private_hbm = "private_hbm"
    shared_hbm = "shared_hbm"

    def __str__(self):
        return self.value

    def __repr__(self):
        return f"MemoryRegion.{self.name}"


sbuf = MemoryRegion.sbuf
"""State buffer: on-chip, 128 partitions; the default buffer of the creation APIs."""
psum = MemoryRegion.psum
"""Partial-sum buffer: on-chip, 128 partitions x 16 KiB (8 banks of 2 KiB); Tensor Engine output."""
private_hbm = MemoryRegion.private_hbm
"""Device memory private to one program instance (one physical core under LNC2)."""
shared_hbm = MemoryRegion.shared_hbm
"""Device memory shared by all program instances; kernel outputs are allocated here."""
hbm = MemoryRegion.private_hbm
"""Alias of ``private_hbm``."""


def _buffer_of(buffer):
    region = getattr(buffer, "buffer", buffer)  # accept a tensor-like object too
    if isinstance(region, MemoryRegion):
        return region
    raise TypeError(f"expected an nki.language buffer (nl.sbuf, nl.psum, nl.hbm, ...), got {buffer!r}")


def is_hbm(buffer):
    """True if ``buffer`` (or a tensor's buffer) is device memory (private or shared HBM)."""
    return _buffer_of(buffer) in (MemoryRegion.private_hbm, MemoryRegion.shared_hbm)


def is_on_chip(buffer):
    """True if ``buffer`` (or a tensor's buffer) is SBUF or PSUM."""
    return _buffer_of(buffer) in (MemoryRegion.sbuf, MemoryRegion.psum)


def is_psum(buffer):
    """True if ``buffer`` (or a tensor's buffer) is PSUM."""
    return _buffer_of(buffer) is MemoryRegion.psum


def is_sbuf(buffer):
    """True if ``buffer`` (or a tensor's buffer) is SBUF."""
    return _buffer_of(buffer) is MemoryRegion.sbuf


# ---------------------------------------------------------------------------------------------
# Tile-size constants (NeuronCore-v3 / trn2 values)
# ---------------------------------------------------------------------------------------------
class _TileSizeType(_NKIObjectType):
    """nl.tile_size's values are the compile target's while a kernel is traced."""

    def __getattribute__(cls, name):
        if not name.startswith("_"):
            traced = _override_of("nki.language.tile_size")
            if traced is not None:
                return getattr(traced, name)
        return super().__getattribute__(name)


class tile_size(NKIObject, metaclass=_TileSizeType):
    """Hardware tile limits, as plain ints (values for trn2 / NeuronCore-v3)."""

    pmax = 128
    """Largest partition dimension of an on-chip tile."""
    psum_fmax = 512
    """Largest free size (fp32 elements) of a PSUM tile: one 2 KiB bank."""
    gemm_stationary_fmax = 128
    """Largest free size of the ``nc_matmul`` stationary operand."""
    gemm_moving_fmax = 512
    """Largest free size of the ``nc_matmul`` moving operand."""
    bn_stats_fmax = 512
    """Largest free size accepted by ``bn_stats``."""
    psum_min_align = 4
    """Minimum byte alignment of a PSUM free-dimension address."""
    sbuf_min_align = 1
    """Minimum byte alignment of an SBUF free-dimension address."""
    total_available_sbuf_size = 212984
    """Usable SBUF bytes per partition on trn2."""
    sbuf_size_bytes = 128 * 229376
    """NKI 0.4.0: SBUF bytes over all partitions (physical)."""
    sbuf_fmax = 212984 // 4
    """NKI 0.4.0: usable fp32 elements per SBUF partition."""
    sbuf_fmax_bytes = 212984
    """NKI 0.4.0: usable bytes per SBUF partition."""
    psum_bank_fmax = 512
    """NKI 0.4.0: fp32 elements per partition of one PSUM bank."""
    psum_bank_fmax_bytes = 2048
    """NKI 0.4.0: bytes per partition of one PSUM bank."""
    psum_num_banks = 8
    """NKI 0.5.0: PSUM banks."""


# ---------------------------------------------------------------------------------------------
# Tensor type (annotation only on the host)
# ---------------------------------------------------------------------------------------------
class NkiTensor(NKIObject):
    """The tensor type NKI kernels operate on (``dtype``, ``shape``, ``buffer``, ``offset``...).

    Tensors exist only inside kernels; create them with :func:`ndarray` and friends.  On the host
    this class is useful as a type annotation."""

    dtype = None
    shape = None
    buffer = None
    name = ""

    def __init__(self, *args, **kwargs):
        raise NkiError("nki.language.NkiTensor objects only exist inside a kernel compiled by "
                       "nki.jit; create them there with nl.ndarray(...)")


# ---------------------------------------------------------------------------------------------
# Creation
# ---------------------------------------------------------------------------------------------
@_kernel_only
def ndarray(shape, dtype, buffer=sbuf, name="", address=None):
    """Allocate an uninitialized tensor of ``shape``/``dtype`` in ``buffer``.

    ``address=(partition_offset, free_byte_offset)`` pins an on-chip tensor to a fixed location."""


@_kernel_only
def zeros(shape, dtype, buffer=sbuf, name=""):
    """Allocate a tensor filled with 0."""


@_kernel_only
def ones(shape, dtype, buffer=sbuf, name=""):
    """Allocate a tensor filled with 1."""


@_kernel_only
def full(shape, fill_value, dtype, buffer=sbuf, name=""):
    """Allocate a tensor filled with ``fill_value``."""


@_kernel_only
def zeros_like(x, dtype=None, buffer=None, name=""):
    """Allocate a zero-filled tensor with the shape of ``x`` (dtype/buffer overridable)."""


@_kernel_only
def empty_like(x, dtype=None, buffer=None, name=""):
    """Allocate an uninitialized tensor like ``x`` (same shape, dtype and buffer unless overridden).

    ``x`` may also be a tile or block grid (``nl.tiles`` / ``nl.blocks`` / ``nl.alloc_tiles`` /
    ``nl.alloc_blocks``, NKI 0.7.0): the result is then a new uninitialized grid of the same tile and
    block shapes (``dtype`` and ``buffer`` may be overridden as for a tensor)."""


@_kernel_only
def rand(shape, dtype, buffer=sbuf, name=""):
    """Allocate a tensor of uniform random values in [0, 1)."""


@_kernel_only
def random_seed(seed):
    """Seed the random generator from a [1, 1] 32-bit on-chip tensor."""


@_kernel_only
def shared_identity_matrix(n, dtype=uint8, dst=None):
    """An ``n`` x ``n`` identity matrix in SBUF (identical ones are shared by the compiler)."""


@_kernel_only
def shared_constant(constant, dtype=None, name=""):
    """A shared-HBM tensor holding ``constant`` (a NumPy array or ``.npy`` path) baked into the kernel."""


# ---------------------------------------------------------------------------------------------
# Data movement and tensor helpers
# ---------------------------------------------------------------------------------------------
@_kernel_only
def load(src, dtype=None):
    """Copy an HBM tensor into a new SBUF tile (DMA)."""


@_kernel_only
def load_transpose2d(src, dtype=None):
    """Copy a 2-D HBM tensor into a new SBUF tile, transposed (DMA transpose)."""


@_kernel_only
def store(dst, value):
    """Copy an SBUF tile into the HBM tensor ``dst`` (DMA)."""


@_kernel_only
def matmul(x, y, transpose_x=False):
    """Matrix product into a new PSUM tile: ``x @ y``, or ``x.T @ y`` with ``transpose_x=True``."""


@_kernel_only
def transpose(x, dtype=None):
    """Swap partition and free dimensions of a 2-D tile (result in PSUM)."""


@_kernel_only
def broadcast_to(x, shape, dtype=None):
    """Broadcast size-1 dimensions of ``x`` to ``shape`` (same rank)."""


@_kernel_only
def expand_dims(x, axis):
    """View of ``x`` with a new size-1 axis at ``axis``."""


@_kernel_only
def gather_flattened(data, indices, axis=0, dtype=None):
    """Per partition, gather elements of the flattened free dimensions of ``data`` at ``indices``."""


@_kernel_only
def where(condition, x, y, dtype=None):
    """Element-wise select: ``x`` where ``condition`` is non-zero, else ``y``."""


@_kernel_only
def softmax(x, axis=-1, dtype=None):
    """Softmax of ``x`` along ``axis``."""


@_kernel_only
def rms_norm(x, w, axis, n, epsilon=1e-6, dtype=None, compute_dtype=None):
    """RMS normalisation: ``x / sqrt(mean(x**2, axis) + epsilon) * w`` (``n`` = reduced element count)."""


@_kernel_only
def dropout(x, rate, dtype=None):
    """Zero elements of ``x`` with probability ``rate`` (scalar or per-partition tile)."""


# ---------------------------------------------------------------------------------------------
# Operators / element-wise convenience functions.  Each is an NkiOp: usable as ``op=`` constant
# in nki.isa calls and callable (inside a kernel) as a function.
# ---------------------------------------------------------------------------------------------
# -- binary arithmetic --
@_op("alu", "reduce")
def add(x, y, dtype=None):
    """Element-wise ``x + y``.  As an operator: ALU add (also a reduction)."""


@_op("alu")
def subtract(x, y, dtype=None):
    """Element-wise ``x - y``.  As an operator: ALU subtract."""


@_op("alu", "reduce")
def multiply(x, y, dtype=None):
    """Element-wise ``x * y``.  As an operator: ALU multiply (also a reduction)."""


@_op()
def divide(x, y, dtype=None):
    """Element-wise ``x / y``."""


@_op("alu", "reduce")
def maximum(x, y, dtype=None):
    """Element-wise maximum.  As an operator: ALU max (also a reduction)."""


@_op("alu", "reduce")
def minimum(x, y, dtype=None):
    """Element-wise minimum.  As an operator: ALU min (also a reduction)."""


@_op("alu", "reduce")
def abs_max(x, y, dtype=None):
    """NKI 0.4.0, NeuronCore-v4: element-wise, the input of larger magnitude (sign kept; a tie gives ``y``).
    As an operator: ALU abs_max (also a reduction)."""


@_op("alu", "reduce")
def abs_min(x, y, dtype=None):
    """NKI 0.4.0, NeuronCore-v4: element-wise, the input of smaller magnitude (sign kept; a tie gives ``y``).
    As an operator: ALU abs_min (also a reduction)."""


class _OpConstant:
    """An operator constant that is not also a function (``nl.bypass``, ``nl.prelu``)."""

    def __init__(self, name, doc):
        self.name, self.__doc__ = name, doc

    def __repr__(self):
        return f"<nki operator nki.language.{self.name}>"

    def __reduce__(self):
        return self.name


bypass = _OpConstant("bypass", "NKI 0.4.0: skip a tensor-scalar stage (``nisa.activate2`` / ``tensor_scalar``).")
prelu = _OpConstant("prelu", "NKI 0.4.0: parametric ReLU for ``nisa.activate2`` (negative slope ``relu_param``).")


@_op("alu")
def power(x, y, dtype=None):
    """Element-wise ``x ** y``.  As an operator: ALU power."""


@_op()
def fmod(x, y, dtype=None):
    """Element-wise floating remainder with the sign of ``x`` (C ``fmod``)."""


@_op()
def mod(x, y, dtype=None):
    """Element-wise remainder with the sign of ``y`` (Python ``%``)."""


# -- comparisons (1/0 results) --
@_op("alu", "cmp")
def equal(x, y, dtype=None):
    """Element-wise ``x == y`` as 1/0."""


@_op("alu", "cmp")
def not_equal(x, y, dtype=None):
    """Element-wise ``x != y`` as 1/0."""


@_op("alu", "cmp")
def less(x, y, dtype=None):
    """Element-wise ``x < y`` as 1/0."""


@_op("alu", "cmp")
def less_equal(x, y, dtype=None):
    """Element-wise ``x <= y`` as 1/0."""


@_op("alu", "cmp")
def greater(x, y, dtype=None):
    """Element-wise ``x > y`` as 1/0."""


@_op("alu", "cmp")
def greater_equal(x, y, dtype=None):
    """Element-wise ``x >= y`` as 1/0."""


# -- logical (inputs 0/1) --
@_op("alu", "reduce")
def logical_and(x, y, dtype=None):
    """Element-wise logical AND of 0/1 values."""


@_op("alu", "reduce")
def logical_or(x, y, dtype=None):
    """Element-wise logical OR of 0/1 values."""


@_op("alu", "reduce")
def logical_xor(x, y, dtype=None):
    """Element-wise logical XOR of 0/1 values."""


@_op()
def logical_not(x, dtype=None):
    """Element-wise logical NOT of 0/1 values."""


# -- bitwise (integer inputs, raw bits) --
@_op("bitvec", "reduce")
def bitwise_and(x, y, dtype=None):
    """Element-wise bitwise AND of integers."""


@_op("bitvec", "reduce")
def bitwise_or(x, y, dtype=None):
    """Element-wise bitwise OR of integers."""


@_op("bitvec", "reduce")
def bitwise_xor(x, y, dtype=None):
    """Element-wise bitwise XOR of integers."""


@_op("bitvec")
def invert(x, dtype=None):
    """Element-wise bitwise NOT of integers."""


@_op("bitvec")
def left_shift(x, y, dtype=None):
    """Element-wise ``x << y`` on integers."""


@_op("bitvec")
def right_shift(x, y, dtype=None):
    """Element-wise logical ``x >> y`` on integers."""


# -- unary math --
@_op("alu", "act")
def abs(x, dtype=None):  # noqa: A001
    """Element-wise absolute value."""


@_op()
def negative(x, dtype=None):
    """Element-wise ``-x``."""


@_op("act")
def exp(x, dtype=None):
    """Element-wise ``e ** x``."""


@_op("act")
def log(x, dtype=None):
    """Element-wise natural logarithm."""


@_op("act")
def sqrt(x, dtype=None):
    """Element-wise square root."""


@_op("alu", "act")
def rsqrt(x, dtype=None):
    """Element-wise ``1 / sqrt(x)``."""


@_op("alu", "act")
def reciprocal(x, dtype=None):
    """Element-wise ``1 / x``."""


@_op("act")
def sin(x, dtype=None):
    """Element-wise sine (hardware input range [-pi, pi])."""


@_op()
def cos(x, dtype=None):
    """Element-wise cosine."""


@_op()
def tan(x, dtype=None):
    """Element-wise tangent."""


@_op("act")
def tanh(x, dtype=None):
    """Element-wise hyperbolic tangent."""


@_op("act")
def arctan(x, dtype=None):
    """Element-wise inverse tangent (hardware input range [-pi/2, pi/2])."""


@_op("act")
def sign(x, dtype=None):
    """Element-wise sign: -1, 0 or 1."""


@_op()
def ceil(x, dtype=None):
    """Element-wise ceiling."""


@_op()
def floor(x, dtype=None):
    """Element-wise floor."""


@_op()
def trunc(x, dtype=None):
    """Element-wise truncation toward zero."""


@_op("act")
def square(x, dtype=None):
    """Element-wise ``x * x``."""


@_op("act")
def copy(x, dtype=None):
    """A copy of tile ``x`` in the same buffer.  As an activation: identity."""


# -- activation functions --
@_op("act")
def relu(x, dtype=None):
    """Rectified linear unit ``max(x, 0)``."""


@_op("act")
def sigmoid(x, dtype=None):
    """Logistic sigmoid ``1 / (1 + exp(-x))``."""


@_op("act")
def silu(x, dtype=None):
    """SiLU / swish ``x * sigmoid(x)``."""


@_op("act")
def silu_dx(x, dtype=None):
    """Derivative of SiLU."""


@_op("act")
def gelu(x, dtype=None):
    """GELU ``x * Phi(x)`` (Phi = standard normal CDF)."""


@_op("act")
def gelu_dx(x, dtype=None):
    """Derivative of GELU."""


@_op("act")
def gelu_apprx_sigmoid(x, dtype=None):
    """GELU, sigmoid approximation ``x * sigmoid(1.702 x)``."""


@_op("act")
def gelu_apprx_sigmoid_dx(x, dtype=None):
    """Derivative of the sigmoid-approximated GELU."""


@_op("act")
def gelu_apprx_tanh(x, dtype=None):
    """GELU, tanh approximation ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x**3)))``."""


@_op("act")
def mish(x, dtype=None):
    """Mish ``x * tanh(softplus(x))``."""


@_op("act")
def softplus(x, dtype=None):
    """Softplus ``log(1 + exp(x))``."""


@_op("act")
def erf(x, dtype=None):
    """Gauss error function."""


@_op("act")
def erf_dx(x, dtype=None):
    """Derivative of erf."""


# -- reductions over the last free axes --
@_op("alu", "reduce")
def max(x, axis, dtype=None, keepdims=False):  # noqa: A001
    """Maximum over ``axis``.  As an operator: same as ``maximum``."""


@_op("alu", "reduce")
def min(x, axis, dtype=None, keepdims=False):  # noqa: A001
    """Minimum over ``axis``.  As an operator: same as ``minimum``."""


@_op()
def sum(x, axis, dtype=None, keepdims=False):  # noqa: A001
    """Sum over ``axis`` (last contiguous free axes)."""


@_op()
def mean(x, axis, dtype=None, keepdims=False):
    """Arithmetic mean over ``axis``."""


@_op()
def prod(x, axis, dtype=None, keepdims=False):
    """Product over ``axis``."""


@_op()
def var(x, axis, dtype=None, keepdims=False):
    """Population variance over ``axis`` (reduced axes are always kept)."""


@_op()
def all(x, axis, dtype=None):  # noqa: A001
    """1 if every element over ``axis`` is non-zero, else 0."""


# ---------------------------------------------------------------------------------------------
# Iteration and control flow
# ---------------------------------------------------------------------------------------------
def _host_range(start, stop, step):
    if stop is None:
        return _builtins.range(start)
    return _builtins.range(start, stop, step)


@_host_override
def static_range(start, stop=None, step=1):
    """Loop iterator fully unrolled at compile time.  On the host: a Python ``range``."""
    return _host_range(start, stop, step)


@_host_override
def affine_range(start, stop=None, step=1):
    """Deprecated loop iterator, unrolled like ``static_range``.  On the host: a Python ``range``."""
    return _host_range(start, stop, step)


@_host_override
def sequential_range(start, stop=None, step=1):
    """Deprecated loop iterator, unrolled like ``static_range``.  On the host: a Python ``range``."""
    return _host_range(start, stop, step)


@_host_override
def range(start, stop=None, step=1):  # noqa: A001
    """Loop iterator, same as ``static_range``.  On the host: a Python ``range``."""
    return _host_range(start, stop, step)


@_host_override
def dynamic_range(start, stop=None, step=1):
    """Runtime hardware loop: bounds may be ints or VirtualRegisters, ``step`` a positive int.

    The body is emitted once.  On the host, integer bounds give a Python ``range``."""
    if not _builtins.all(isinstance(b, int) or b is None for b in (start, stop, step)):
        raise NkiError("nki.language.dynamic_range with register bounds can only be used inside "
                       "a kernel compiled by nki.jit")
    return _host_range(start, stop, step)


@_host_override
def fori_loop(lower, upper, body_fun, step=1):
    """NKI 0.6.0: one hardware loop running ``body_fun(i)`` for ``i`` in ``range(lower, upper, step)``; the body
    is traced once and ``i`` is a read-only VirtualRegister.  On the host, with int bounds, a Python loop."""
    if not _builtins.all(isinstance(b, int) for b in (lower, upper, step)):
        raise NkiError("nki.language.fori_loop with register bounds can only be used inside a kernel compiled by nki.jit")
    for i in _builtins.range(lower, upper, step):
        body_fun(i)


@_kernel_only
def while_loop(init, body_fun):
    """NKI 0.6.0: ``r = init; while r != 0: r = body_fun(r)`` as one hardware loop (``init`` a VirtualRegister)."""


@_host_override
def ds(start, size):
    """Dynamic slice ``start:start+size`` for tensor indexing (returns a ``slice``)."""
    return slice(start, start + size)


@_host_override
@_contextlib.contextmanager
def no_reorder():
    """Context manager: keep the instructions issued inside it in program order (no-op on the host)."""
    yield


@_kernel_only
def program_id(axis=0):
    """Index of this program instance along launch-grid ``axis`` (LNC core id under ``kernel[2]``)."""


@_kernel_only
def num_programs(axes=0):
    """Number of program instances along ``axes`` of the launch grid."""


@_kernel_only
def program_ndim():
    """Number of launch-grid dimensions (0 without a grid)."""


@_kernel_only
def device_print(print_prefix, tensor):
    """Print ``tensor`` (SBUF or HBM) at run time, labelled with the string ``print_prefix``."""



# ---------------------------------------------------------------------------------------------
# NKI 0.7.0: tile and block grids (views; docs/semantics.md "NKI 0.7.0: tile and block grids")
# ---------------------------------------------------------------------------------------------
class NkiGrid(NKIObject):
    """NKI 0.7.0: a tensor region named by tile (or block) coordinates.  ``g[i, j]`` / ``g[i, :]`` give
    smaller grids; ``g.data`` is the region as one tensor operand.  Attributes: ``shape`` (cells),
    ``tile_shape``, ``element_shape``, ``index_step_elements``, ``buffer``, ``dtype``, ``is_remainder``,
    ``is_data_representable``.  Grids exist only inside kernels."""

    shape = tile_shape = element_shape = index_step_elements = buffer = dtype = data = None
    is_remainder = is_data_representable = False

    def __init__(self, *args, **kwargs):
        raise NkiError("nki.language grids only exist inside a kernel compiled by nki.jit; make them there "
                       "with nl.tiles, nl.blocks, nl.alloc_tiles or nl.alloc_blocks")


class NkiTileGrid(NkiGrid):
    """NKI 0.7.0: a grid whose cells are tiles (made by :func:`tiles` and :func:`alloc_tiles`)."""


class NkiBlockGrid(NkiGrid):
    """NKI 0.7.0: a grid whose cells are blocks of ``block_shape`` tiles (:func:`blocks`, :func:`alloc_blocks`)."""

    block_shape = None


@_kernel_only
def tiles(source, tile_shape=None):
    """NKI 0.7.0: ``source`` (a tensor or a grid) as a grid of ``tile_shape`` tiles over its trailing dims.
    ``tile_shape`` is keyword-only in kernels (AWS's ``*``; the compiler rejects it by position)."""


@_kernel_only
def blocks(source, tile_shape=None, block_shape=None):
    """NKI 0.7.0: ``source`` as a grid of blocks, each ``block_shape`` tiles of ``tile_shape`` elements.
    ``tile_shape`` and ``block_shape`` (required) are keyword-only in kernels."""


@_kernel_only
def alloc_tiles(tile_shape, element_shape, buffer, dtype, address=None, name=""):
    """NKI 0.7.0: new uninitialized storage of ``element_shape`` as a tile grid (SBUF/PSUM: dense tiles).
    Every argument is keyword-only in kernels."""


@_kernel_only
def alloc_blocks(tile_shape, block_shape, element_shape, buffer, dtype, address=None, name=""):
    """NKI 0.7.0: new uninitialized storage of ``element_shape`` as a block grid.  Every argument is
    keyword-only in kernels."""


__all__ = sorted(n for n in list(globals()) if not n.startswith("_") and n != "NkiError")
