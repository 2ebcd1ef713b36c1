"""Python patterns that production NKI 0.3.0 kernel libraries rely on (found by compiling real kernel
modules; docs/semantics.md records each decision). Each test is a small kernel of our own."""
from dataclasses import dataclass

import numpy as np

import nki
import nki.isa as nisa
import nki.language as nl
from nki.isa import constants as isa_constants


class View(nl.NKIObject):
    """A view helper in the style of production libraries: static and class methods next to normal ones."""

    def __init__(self, t):
        self.t = t
        self.strides = View.row_major_strides(t.shape)

    @staticmethod
    def row_major_strides(shape, base=1):
        out = [base]
        for i in range(1, len(shape)):
            out.append(out[i - 1] * shape[len(shape) - i])
        return tuple(reversed(out))

    @classmethod
    def of(cls, t):
        return cls(t)

    @staticmethod
    def key_in(key, d):
        for k in d.keys():
            if k == key:
                return True
        return False

    def rows(self):
        return self.t.shape[0]


@nki.jit
def static_and_class_methods(a):
    v = View.of(a)
    assert isinstance(v, View)
    assert v.strides == (a.shape[1], 1), v.strides
    assert v.row_major_strides((2, 3, 4)) == (12, 4, 1)  # through an instance: not bound
    assert View.key_in("x", {"x": 1}) and not v.key_in("y", {"x": 1})
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray((v.rows(), a.shape[1]), dtype=a.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=a)
    nisa.dma_copy(dst=out, src=t)
    return out


def test_static_and_class_methods():
    a = np.random.rand(16, 8).astype(np.float32)
    np.testing.assert_array_equal(static_and_class_methods(a), a)


@nki.jit
def shard_then_slice(x):
    # HBM views index again (nki-library's cross_entropy_forward shards an input, then slices the shard).
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    x_shard = x[nl.ds(2, 6)]
    out_shard = out[nl.ds(2, 6)]
    t = nl.ndarray((2, x.shape[1]), dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x_shard[1:3])
    nisa.dma_copy(dst=out_shard[3:5], src=t)
    row = nl.ndarray((1, 4), dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=row, src=x_shard[0][2:6])
    nisa.dma_copy(dst=out[0][0:4], src=row)
    return out


def test_hbm_view_indexed_again():
    x = np.arange(80, dtype=np.float32).reshape(10, 8)
    out = shard_then_slice(x)
    np.testing.assert_array_equal(out[5:7], x[3:5])
    np.testing.assert_array_equal(out[0, 0:4], x[2, 2:6])


@nki.jit
def copy_with_constants(x, dtype: nki.dtype = nl.float32):
    # `from nki.isa import constants` (nki-library's find_nonzero_indices) and a `nki.dtype` annotation
    # (its cross_entropy_forward).
    out = nl.ndarray(x.shape, dtype=dtype, buffer=nl.shared_hbm)
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x, dge_mode=isa_constants.dge_mode.hwdge)
    nisa.dma_copy(dst=out, src=t, dge_mode=isa_constants.dge_mode.none)
    return out


def test_isa_constants_module_and_dtype_annotation():
    x = np.arange(64, dtype=np.float32).reshape(8, 8)
    np.testing.assert_array_equal(copy_with_constants(x), x)
    assert isa_constants.dge_mode.hwdge is nisa.dge_mode.hwdge and nki.dtype is type(nl.float32)


# ---- found by the nki-library compatibility run (tools/compat) ----
from typing import final  # noqa: E402

import nki.collectives as ncc  # noqa: E402
import nkic  # noqa: E402


@final
class Plan(nl.NKIObject):
    """typing.final on a helper class (nki-library's transformer kernels)."""

    def __init__(self, scale):
        self.scale = scale


def given_or(t, fallback):
    return t if t else fallback  # a tensor is "given" (truthy), as a Python object is


@nki.jit
def string_dtype_kernel(a, acc_dtype):
    plan = Plan(2.0)
    t = nl.ndarray(a.shape, dtype=acc_dtype, buffer=nl.sbuf)  # acc_dtype="float32": 0.3.0 dtypes are names
    nisa.dma_copy(dst=t, src=given_or(a, None))
    nisa.tensor_scalar(dst=t, data=t, op0=nl.multiply, operand0=plan.scale)
    out = nl.ndarray(a.shape, dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=t)
    return out


def test_string_dtype_truthy_tensor_and_final():
    a = np.random.rand(64, 32).astype(np.float32)
    np.testing.assert_array_equal(nki.simulate(string_dtype_kernel)(a, "float32"), 2 * a)


@nki.jit
def reduce_over(x, replica_group):
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    ncc.all_reduce(srcs=[x], dsts=[out], replica_group=replica_group, op=nl.add)
    return out


def test_replica_group_argument_with_list_fields():
    xs = [np.random.rand(8, 4).astype(np.float32) for _ in range(2)]
    rg = ncc.ReplicaGroup([[0, 1]])  # lists inside, as nki-library's collectives tests build it
    outs = nkic.simulate_ranks(reduce_over, ranks=2)([(x, rg) for x in xs])
    for o in outs:
        np.testing.assert_allclose(o, xs[0] + xs[1], rtol=1e-6)


@nki.jit
def composed_views(a):
    """On-chip views indexed again (nki-library's attention_bwd: `dy[h][:, a:b]`, then `[:, i]`)."""
    t = nl.ndarray((128, 4, 64), dtype=a.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=a)
    out = nl.ndarray((4, 32, 8), dtype=a.dtype, buffer=nl.shared_hbm)
    for h in range(4):
        block = t[:, h][32:64, :]  # a view of a view
        nisa.dma_copy(dst=out[h], src=block[:, 8:16])  # and a third index
    return out


def test_on_chip_views_index_again():
    a = np.random.rand(128, 4, 64).astype(np.float32)
    want = np.stack([a[32:64, h, 8:16] for h in range(4)])
    np.testing.assert_array_equal(nki.simulate(composed_views)(a), want)


@dataclass
class Section(nl.NKIObject):
    """Fields without annotations (nki-library's attention_cte SectionParams) and a required field the
    caller may leave unset (its mlp_tkg constants)."""

    scale: float
    unused: int
    index = None
    offset = 0


@nki.jit
def nki_object_fields(a):
    sec = Section(scale=3.0, index=1)  # `unused` not given: left unset, as NKI does
    factor = sec.scale + sec.index + sec.offset
    if nisa.get_nc_version() >= nisa.nc_version.gen3:  # nki.isa enums order by value
        factor = factor * 2
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=a)
    nisa.tensor_scalar(dst=t, data=t, op0=nl.multiply, operand0=float(factor))
    nisa.dma_copy(dst=out, src=t)
    return out


def test_nki_object_plain_fields_and_enum_order(monkeypatch):
    a = np.random.rand(32, 16).astype(np.float32)
    np.testing.assert_array_equal(nki.simulate(nki_object_fields)(a), a * 8)  # trn2: (3 + 1 + 0) * 2
    monkeypatch.setenv("NEURON_PLATFORM_TARGET_OVERRIDE", "trn1")
    np.testing.assert_array_equal(nki.simulate(nki_object_fields)(a), a * 4)


_RANGE = {nl.float8_e4m3: 240.0, nl.float8_e5m2: 57344.0, nl.float32: 2.0}  # keyed by dtype (kernel_helpers)


@nki.jit
def dtype_keyed_table(a, shift):
    out = nl.ndarray((a.shape[1], a.shape[2]), dtype=a.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray((a.shape[1], a.shape[2]), dtype=a.dtype, buffer=nl.sbuf)
    # a compile-time scalar_offset (ncc.rank_id() in nki-library's collectives tests): a static offset
    nisa.dma_copy(dst=t, src=a.ap(pattern=[[a.shape[2], a.shape[1]], [1, a.shape[2]]], scalar_offset=shift,
                                  indirect_dim=0))
    nisa.tensor_scalar(dst=t, data=t, op0=nl.multiply, operand0=_RANGE[a.dtype])
    nisa.dma_copy(dst=out, src=t)
    return out


def test_dtype_keys_and_compile_time_scalar_offset():
    a = np.random.rand(3, 16, 8).astype(np.float32)
    for shift in range(3):
        np.testing.assert_array_equal(nki.simulate(dtype_keyed_table)(a, shift), 2 * a[shift])


@nki.jit(mode="trace")
def traced_part(t, factor):
    """A @nki.jit(mode="trace") sub-kernel (nki-library's moe_cte calls its bwmm kernels this way)."""
    nisa.tensor_scalar(dst=t, data=t, op0=nl.multiply, operand0=factor)
    return t


@nki.jit(mode="trace")
def calls_traced_part(a):
    t = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=a)
    traced_part(t, 5.0)
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=t)
    return out


def test_trace_mode_sub_kernel_is_inlined():
    a = np.random.rand(16, 8).astype(np.float32)
    np.testing.assert_array_equal(nki.simulate(calls_traced_part)(a), 5 * a)


@nki.jit
def transpose_mode_bf16(a):
    """nc_matmul(is_transpose=True) of a bf16 tile into a bf16 PSUM tile (NCv3+; nki-library's moe_cte)."""
    P, F = a.shape
    t = nl.ndarray((P, F), dtype=a.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=a)
    ident = nl.ndarray((P, P), dtype=a.dtype, buffer=nl.sbuf)
    nisa.memset(dst=ident, value=0.0)
    nisa.affine_select(dst=ident, pattern=[[-1, P]], channel_multiplier=1, on_true_tile=ident, on_false_value=1.0,
                       cmp_op=nl.not_equal)
    ps = nl.ndarray((F, P), dtype=a.dtype, buffer=nl.psum)
    nisa.nc_matmul(dst=ps, stationary=t, moving=ident, is_transpose=True)
    o = nl.ndarray((F, P), dtype=a.dtype, buffer=nl.sbuf)
    nisa.tensor_copy(dst=o, src=ps)
    out = nl.ndarray((F, P), dtype=a.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=o)
    return out


def test_transpose_mode_writes_16_bit_psum():
    import ml_dtypes
    a = np.random.rand(64, 32).astype(ml_dtypes.bfloat16)
    np.testing.assert_array_equal(nki.simulate(transpose_mode_bf16)(a), a.T)


@nki.jit
def identity_checks(a):
    """`is` between objects is identity (nki-library's test_tensor_view: `tv2.base_tensor is tv1.base_tensor`)."""
    plan, other = Plan(2.0), Plan(2.0)
    same = plan
    factor = (10.0 if same is plan else 0.0) + (1.0 if other is not plan else 0.0)
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=a)
    nisa.tensor_scalar(dst=t, data=t, op0=nl.multiply, operand0=factor)
    nisa.dma_copy(dst=out, src=t)
    return out


def test_is_between_objects_is_identity():
    a = np.random.rand(8, 8).astype(np.float32)
    np.testing.assert_array_equal(nki.simulate(identity_checks)(a), a * 11)
