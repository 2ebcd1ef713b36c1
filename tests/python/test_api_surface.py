"""Host-side API surface of nki.language / nki.isa / nki.typing / nki.collectives (NKI 0.3.0).

Runs without the C++ extension: the modules are imported from python/ directly, and if the package
``__init__`` cannot be imported (extension not built yet) a bare package object stands in for it.
"""

import dataclasses
import enum
import inspect
import pathlib
import pickle
import subprocess
import sys
import textwrap
import types

import ml_dtypes
import numpy as np
import pytest

PY_DIR = pathlib.Path(__file__).resolve().parents[2] / "python"
if str(PY_DIR) not in sys.path:
    sys.path.insert(0, str(PY_DIR))
try:
    import nki  # noqa: F401  (the real package, if its __init__ imports cleanly here)
except Exception:  # e.g. nki._core not built yet: use a bare package for the pure-Python modules
    _pkg = types.ModuleType("nki")
    _pkg.__path__ = [str(PY_DIR / "nki")]
    sys.modules["nki"] = _pkg

import nki._errors as errors  # noqa: E402
import nki.collectives as ncc  # noqa: E402
import nki.isa as nisa  # noqa: E402
import nki.language as nl  # noqa: E402
import nki.typing as nt  # noqa: E402

# ------------------------------------------------------------------------------------------------
# Name inventory
# ------------------------------------------------------------------------------------------------
DTYPES = ("bool_ int8 uint8 int16 uint16 int32 uint32 float16 bfloat16 tfloat32 float32 float8_e4m3 "
          "float8_e4m3fn float8_e5m2 float8_e5m2_x4 float8_e4m3fn_x4 float4_e2m1fn_x4").split()
BUFFERS = "sbuf psum hbm private_hbm shared_hbm MemoryRegion is_hbm is_on_chip is_psum is_sbuf".split()
TILE_SIZES = {"pmax": 128, "psum_fmax": 512, "gemm_stationary_fmax": 128, "gemm_moving_fmax": 512,
              "bn_stats_fmax": 512, "psum_min_align": 4, "sbuf_min_align": 1,
              "total_available_sbuf_size": 212984}
BINARY_OPS = ("add subtract multiply divide maximum minimum power fmod mod equal not_equal less less_equal "
              "greater greater_equal logical_and logical_or logical_xor bitwise_and bitwise_or bitwise_xor "
              "left_shift right_shift").split()
UNARY_OPS = ("abs negative exp log sqrt rsqrt reciprocal sin cos tan tanh arctan sign ceil floor trunc square "
             "relu sigmoid silu silu_dx gelu gelu_dx gelu_apprx_sigmoid gelu_apprx_sigmoid_dx gelu_apprx_tanh "
             "mish softplus erf erf_dx copy logical_not invert").split()
REDUCTIONS = "max min sum mean prod var".split()
OPS = BINARY_OPS + UNARY_OPS + REDUCTIONS + ["all"]
NL_OTHER = ("ndarray zeros ones full zeros_like empty_like rand random_seed shared_identity_matrix shared_constant "
            "load store load_transpose2d copy matmul transpose broadcast_to expand_dims gather_flattened where "
            "softmax rms_norm dropout affine_range sequential_range static_range dynamic_range range ds "
            "program_id num_programs program_ndim device_print no_reorder NKIObject tile_size NkiTensor").split()
ISA_FUNCS = ("nc_matmul nc_matmul_mx nc_transpose activation activation_reduce tensor_tensor tensor_scalar "
             "scalar_tensor_tensor tensor_reduce tensor_scalar_reduce tensor_scalar_cumulative tensor_tensor_scan "
             "tensor_copy tensor_copy_predicated reciprocal exponential bn_stats bn_aggr max8 nc_find_index8 "
             "nc_match_replace8 nc_stream_shuffle select_reduce range_select memset dropout quantize_mx rand2 rng "
             "set_rng_seed rand_set_state rand_get_state iota affine_select local_gather nc_n_gather "
             "tensor_partition_reduce sequence_bounds nonzero_with_count dma_copy dma_transpose dma_compute "
             "core_barrier sendrecv register_alloc register_move register_load register_store "
             "tensor_copy_dynamic_src tensor_copy_dynamic_dst").split()
ISA_OTHER = ("engine dge_mode oob_mode reduce_cmd matmul_perf_mode nc_version dma_engine tensor_engine "
             "scalar_engine gpsimd_engine vector_engine unknown_engine VirtualRegister NKIObject "
             "NkiValidationError get_nc_version").split()
NCC_FUNCS = ("all_reduce all_gather reduce_scatter all_to_all all_to_all_v collective_permute "
             "collective_permute_implicit collective_permute_implicit_reduce "
             "collective_permute_implicit_current_processing_rank_id rank_id").split()


@pytest.mark.parametrize("module, names", [
    (nl, DTYPES + BUFFERS + OPS + NL_OTHER),
    (nisa, ISA_FUNCS + ISA_OTHER),
    (nt, ["tensor"]),
    (ncc, NCC_FUNCS + ["ReplicaGroup"]),
], ids=["language", "isa", "typing", "collectives"])
def test_every_name_exists_and_is_exported(module, names):
    missing = [n for n in names if not hasattr(module, n)]
    assert not missing, f"{module.__name__} lacks {missing}"
    not_exported = [n for n in names if n not in module.__all__]
    assert not not_exported, f"{module.__name__}.__all__ lacks {not_exported}"


def test_every_public_callable_has_a_docstring():
    for module in (nl, nisa, nt, ncc):
        for name in module.__all__:
            obj = getattr(module, name)
            if callable(obj) and not isinstance(obj, (str, enum.Enum)):
                assert inspect.getdoc(obj), f"{module.__name__}.{name} has no docstring"


def test_modules_do_not_import_core_or_torch():
    code = textwrap.dedent(f"""
        import sys, types
        sys.path.insert(0, {str(PY_DIR)!r})
        pkg = types.ModuleType("nki"); pkg.__path__ = [{str(PY_DIR / "nki")!r}]; sys.modules["nki"] = pkg
        import nki.language, nki.isa, nki.typing, nki.collectives
        bad = [m for m in ("nki._core", "torch", "jax") if m in sys.modules]
        assert not bad, bad
    """)
    subprocess.run([sys.executable, "-c", code], check=True)


# ------------------------------------------------------------------------------------------------
# nki.isa signatures and enums
# ------------------------------------------------------------------------------------------------
def _params(func):
    return [(p.name, p.default) for p in inspect.signature(func).parameters.values()]


E = inspect.Parameter.empty


def test_nc_matmul_signature():
    assert _params(nisa.nc_matmul) == [
        ("dst", E), ("stationary", E), ("moving", E), ("is_stationary_onezero", False),
        ("is_moving_onezero", False), ("is_transpose", False), ("accumulate", None), ("tile_position", ()),
        ("tile_size", ()), ("perf_mode", nisa.matmul_perf_mode.none), ("name", None)]


def test_dma_copy_signature():
    assert _params(nisa.dma_copy) == [
        ("dst", E), ("src", E), ("oob_mode", nisa.oob_mode.error), ("dge_mode", nisa.dge_mode.unknown),
        ("engine", nisa.engine.unknown), ("priority", None), ("name", None)]  # priority: NKI 0.4.0


def test_tensor_scalar_signature():
    assert _params(nisa.tensor_scalar) == [
        ("dst", E), ("data", E), ("op0", E), ("operand0", E), ("reverse0", False), ("op1", None),
        ("operand1", None), ("reverse1", False), ("engine", nisa.engine.unknown), ("name", None)]


def test_activation_signature():
    assert _params(nisa.activation) == [
        ("dst", E), ("op", E), ("data", E), ("bias", None), ("scale", 1.0), ("reduce_op", None),
        ("reduce_res", None), ("reduce_cmd", nisa.reduce_cmd.idle), ("engine", nisa.engine.scalar), ("name", None)]


def test_iota_signature():
    assert _params(nisa.iota) == [("dst", E), ("pattern", E), ("offset", 0), ("channel_multiplier", 0),
                                  ("name", None)]


def test_more_isa_signatures():
    assert _params(nisa.affine_select)[5] == ("cmp_op", nl.equal)
    assert dict(_params(nisa.select_reduce))["reduce_op"] is nl.maximum
    assert dict(_params(nisa.range_select))["on_false_value"] == -3.4028235e38
    assert _params(nisa.sendrecv)[:5] == [("src", E), ("dst", E), ("send_to_rank", E), ("recv_from_rank", E),
                                          ("pipe_id", E)]
    assert dict(_params(nisa.core_barrier))["engine"] is nisa.engine.gpsimd
    assert _params(nisa.register_alloc) == [("x", None)]
    assert [n for n, _ in _params(nisa.dma_compute)] == ["dst", "srcs", "reduce_op", "scales", "unique_indices",
                                                         "oob_mode", "name"]  # oob_mode: NKI 0.4.0
    # every instruction except the register calls takes name=None last
    for fname in ISA_FUNCS:
        params = _params(getattr(nisa, fname))
        if not fname.startswith("register_"):
            assert params[-1] == ("name", None), fname
    # isa functions are real functions and help() shows their parameters
    assert inspect.isfunction(nisa.nc_matmul)
    import pydoc
    assert "stationary, moving" in pydoc.render_doc(nisa.nc_matmul, renderer=pydoc.plaintext)


def test_enum_values():
    assert {m.name: m.value for m in nisa.engine} == {
        "unknown": 0, "tensor": 1, "scalar": 2, "gpsimd": 3, "dma": 4, "vector": 5, "sync": 6}
    assert {m.name: m.value for m in nisa.dge_mode} == {"unknown": 0, "swdge": 1, "hwdge": 2, "none": 3}
    assert {m.name: m.value for m in nisa.oob_mode} == {"error": 0, "skip": 1}
    assert {m.name: m.value for m in nisa.reduce_cmd} == {
        "idle": 0, "reset": 1, "reduce": 2, "reset_reduce": 3, "load_reduce": 4}
    assert {m.name: m.value for m in nisa.matmul_perf_mode} == {"none": "none", "double_row": "double_row"}
    assert {m.name: m.value for m in nisa.nc_version} == {"gen2": 2, "gen3": 3, "gen4": 4}
    assert {m.name: m.value for m in nisa.dma_engine} == {"dma": 1, "gpsimd_dma": 2}
    for enum_cls in (nisa.engine, nisa.dge_mode, nisa.oob_mode, nisa.reduce_cmd, nisa.matmul_perf_mode,
                     nisa.nc_version, nisa.dma_engine):
        assert issubclass(enum_cls, enum.Enum)
    assert nisa.tensor_engine is nisa.engine.tensor
    assert nisa.scalar_engine is nisa.engine.scalar
    assert nisa.gpsimd_engine is nisa.engine.gpsimd
    assert nisa.vector_engine is nisa.engine.vector
    assert nisa.unknown_engine is nisa.engine.unknown
    assert nisa.engine.unknown != 0  # raw ints are not enum members


def test_isa_classes():
    assert nisa.NKIObject is nl.NKIObject is ncc.NKIObject
    assert nisa.NkiValidationError is errors.NkiValidationError
    assert issubclass(nisa.VirtualRegister, nl.NKIObject)
    reg = nisa.VirtualRegister(state=5)
    assert reg.state == 5 and reg.frozen is False


@pytest.mark.parametrize("value, expected", [
    (None, "gen3"), ("trn1", "gen2"), ("inf2", "gen2"), ("gen2", "gen2"), ("trn2", "gen3"), ("gen3", "gen3"),
    ("trn3", "gen4"), ("gen4", "gen4")])
def test_get_nc_version(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("NEURON_PLATFORM_TARGET_OVERRIDE", raising=False)
    else:
        monkeypatch.setenv("NEURON_PLATFORM_TARGET_OVERRIDE", value)
    assert nisa.get_nc_version() is nisa.nc_version[expected]


def test_get_nc_version_rejects_unknown_target(monkeypatch):
    monkeypatch.setenv("NEURON_PLATFORM_TARGET_OVERRIDE", "trn9")
    with pytest.raises(errors.NkiError, match="NEURON_PLATFORM_TARGET_OVERRIDE"):
        nisa.get_nc_version()


# ------------------------------------------------------------------------------------------------
# Host-side calls
# ------------------------------------------------------------------------------------------------
def test_isa_call_outside_kernel_raises_nkierror():
    with pytest.raises(errors.NkiError) as info:
        nisa.tensor_tensor(dst=None, data1=None, data2=None, op=nl.add)
    msg = str(info.value)
    assert "nki.isa.tensor_tensor" in msg and "inside a kernel" in msg and "nki.jit" in msg


@pytest.mark.parametrize("call", [
    lambda: nl.add(1, 2), lambda: nl.exp(1), lambda: nl.sum(1, axis=1), lambda: nl.ndarray((1, 1), nl.float32),
    lambda: nl.program_id(0), lambda: nisa.dma_copy(dst=1, src=2), lambda: nisa.register_alloc(),
    lambda: ncc.all_reduce([], [], ncc.ReplicaGroup([[0, 1]]), nl.add), lambda: ncc.rank_id(),
], ids=["nl.add", "nl.exp", "nl.sum", "nl.ndarray", "nl.program_id", "dma_copy", "register_alloc",
        "all_reduce", "rank_id"])
def test_kernel_only_calls_raise(call):
    with pytest.raises(errors.NkiError, match="can only be called inside a kernel compiled by nki.jit"):
        call()


def test_bad_arguments_raise_typeerror_first():
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        nisa.dma_copy(dst=1, src=2, dst_rmw_op=None)
    with pytest.raises(TypeError):
        nisa.nc_matmul(1)
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        nl.add(1, 2, mask=None)


# ------------------------------------------------------------------------------------------------
# nki.language
# ------------------------------------------------------------------------------------------------
NUMPY_OF = {
    "bool_": np.bool_, "int8": np.int8, "uint8": np.uint8, "int16": np.int16, "uint16": np.uint16,
    "int32": np.int32, "uint32": np.uint32, "float16": np.float16, "bfloat16": ml_dtypes.bfloat16,
    "tfloat32": np.float32, "float32": np.float32, "float8_e4m3": ml_dtypes.float8_e4m3,
    "float8_e4m3fn": ml_dtypes.float8_e4m3fn, "float8_e5m2": ml_dtypes.float8_e5m2,
    "float8_e5m2_x4": np.uint32, "float8_e4m3fn_x4": np.uint32, "float4_e2m1fn_x4": np.uint16,
}


@pytest.mark.parametrize("name", DTYPES)
def test_dtype_is_its_name_and_a_numpy_dtype(name):
    dt = getattr(nl, name)
    text = "bool" if name == "bool_" else name
    assert dt == text and isinstance(dt, str) and hash(dt) == hash(text)
    assert dt.name == text
    assert np.dtype(dt) == np.dtype(NUMPY_OF[name])
    assert np.zeros(2, dtype=dt).dtype == np.dtype(NUMPY_OF[name])
    assert dt.itemsize == np.dtype(NUMPY_OF[name]).itemsize
    assert pickle.loads(pickle.dumps(dt)) == dt


def test_dtype_examples():
    assert nl.float32 == "float32"
    assert np.zeros(2, dtype=nl.bfloat16).dtype == ml_dtypes.bfloat16
    assert np.dtype(nl.float8_e4m3fn) == np.dtype(ml_dtypes.float8_e4m3fn)
    assert nl.bfloat16.itemsize == 2 and nl.float8_e5m2.itemsize == 1 and nl.float32.itemsize == 4
    assert nl.float8_e4m3fn_x4.itemsize == 4 and nl.float4_e2m1fn_x4.itemsize == 2
    assert len({getattr(nl, n) for n in DTYPES}) == len(DTYPES)


def test_buffers():
    assert nl.sbuf == "sbuf" and nl.psum == "psum"
    assert nl.private_hbm == "private_hbm" and nl.shared_hbm == "shared_hbm"
    assert nl.hbm is nl.private_hbm
    assert isinstance(nl.sbuf, nl.MemoryRegion) and issubclass(nl.MemoryRegion, enum.Enum)
    assert {m.value for m in nl.MemoryRegion} == {"sbuf", "psum", "private_hbm", "shared_hbm"}
    assert nl.is_hbm(nl.hbm) and nl.is_hbm(nl.shared_hbm) and not nl.is_hbm(nl.sbuf)
    assert nl.is_on_chip(nl.sbuf) and nl.is_on_chip(nl.psum) and not nl.is_on_chip(nl.shared_hbm)
    assert nl.is_psum(nl.psum) and not nl.is_psum(nl.sbuf)
    assert nl.is_sbuf(nl.sbuf) and not nl.is_sbuf(nl.psum)
    assert dict(_params(nl.ndarray))["buffer"] is nl.sbuf


def test_tile_size():
    for name, value in TILE_SIZES.items():
        got = getattr(nl.tile_size, name)
        assert got == value and type(got) is int, name
    assert nl.tile_size.pmax == 128


def test_operators_are_distinct_callables_with_signatures():
    ops = [getattr(nl, n) for n in OPS]
    assert len({id(o) for o in ops}) == len(ops)
    for name in OPS:
        op = getattr(nl, name)
        assert callable(op) and op.__name__ == name and name in repr(op)
        assert pickle.loads(pickle.dumps(op)) is op
    for name in BINARY_OPS:
        assert _params(getattr(nl, name)) == [("x", E), ("y", E), ("dtype", None)], name
    for name in UNARY_OPS:
        assert _params(getattr(nl, name)) == [("x", E), ("dtype", None)], name
    for name in REDUCTIONS:
        assert _params(getattr(nl, name)) == [("x", E), ("axis", E), ("dtype", None), ("keepdims", False)], name
    assert _params(nl.all) == [("x", E), ("axis", E), ("dtype", None)]
    assert nl.max is not nl.maximum and nl.add != nl.subtract
    import pydoc
    assert "add(x, y, dtype=None)" in pydoc.render_doc(nl.add, renderer=pydoc.plaintext)


def test_language_signatures():
    assert _params(nl.ndarray) == [("shape", E), ("dtype", E), ("buffer", nl.sbuf), ("name", ""),
                                   ("address", None)]
    assert _params(nl.full) == [("shape", E), ("fill_value", E), ("dtype", E), ("buffer", nl.sbuf), ("name", "")]
    assert _params(nl.matmul) == [("x", E), ("y", E), ("transpose_x", False)]
    assert _params(nl.softmax) == [("x", E), ("axis", -1), ("dtype", None)]
    assert _params(nl.rms_norm) == [("x", E), ("w", E), ("axis", E), ("n", E), ("epsilon", 1e-6), ("dtype", None),
                                    ("compute_dtype", None)]
    assert _params(nl.device_print) == [("print_prefix", E), ("tensor", E)]


def test_iteration_helpers_host_side():
    for it in (nl.affine_range, nl.sequential_range, nl.static_range, nl.range, nl.dynamic_range):
        assert list(it(3)) == [0, 1, 2]
        assert list(it(1, 7, 2)) == [1, 3, 5]
    assert nl.ds(4, 8) == slice(4, 12)
    assert np.arange(20)[nl.ds(4, 3)].tolist() == [4, 5, 6]
    with nl.no_reorder():
        pass
    with pytest.raises(errors.NkiError):
        nl.dynamic_range(nisa.VirtualRegister())


def test_nkiobject_subclassing():
    @dataclasses.dataclass
    class Cfg(nl.NKIObject):
        tile: int = 128
        dtype: str = nl.bfloat16

    cfg = Cfg(tile=64)
    assert isinstance(cfg, nl.NKIObject) and cfg.tile == 64 and cfg.dtype == "bfloat16"
    assert cfg == Cfg(64) and dataclasses.asdict(cfg) == {"tile": 64, "dtype": "bfloat16"}

    class Plain(nl.NKIObject):
        pass

    p = Plain(a=1, b=2)
    assert (p.a, p.b) == (1, 2)

    @dataclasses.dataclass(frozen=True)
    class Frozen(nl.NKIObject):
        n: int = 1

    assert Frozen(3).n == 3


def test_nkitensor_is_annotation_only():
    with pytest.raises(errors.NkiError):
        nl.NkiTensor((1, 1), nl.float32)


# ------------------------------------------------------------------------------------------------
# nki.typing
# ------------------------------------------------------------------------------------------------
def test_typing_tensor():
    t = nt.tensor[128, 512]
    assert t.shape == (128, 512) and t.dtype is None
    t2 = nt.tensor[[128, 512], nl.float32]
    assert t2.shape == (128, 512) and t2.dtype == "float32"
    assert nt.tensor[128, 512, nl.bfloat16].dtype == nl.bfloat16
    assert nt.tensor[64].shape == (64,)
    assert nt.tensor[128, 512] == nt.tensor[(128, 512)]
    assert "128, 512" in repr(t)
    assert t.matches(np.zeros((128, 512))) and not t.matches(np.zeros((128, 256)))
    assert t2.matches(np.zeros((128, 512), np.float32)) and not t2.matches(np.zeros((128, 512), np.float16))

    def kernel(a: nt.tensor[128, 512], b: nt.tensor[[128, 512], nl.float32]):
        pass

    assert inspect.signature(kernel).parameters["b"].annotation.dtype == nl.float32


# ------------------------------------------------------------------------------------------------
# nki.collectives
# ------------------------------------------------------------------------------------------------
def test_collectives_signatures():
    # Every collective ends with priority=None (NKI 0.4.0) and name=None (NKI 0.5.0).
    tail = ["priority", "name"]
    assert [n for n, _ in _params(ncc.all_reduce)] == ["srcs", "dsts", "replica_group", "op"] + tail
    assert [n for n, _ in _params(ncc.all_gather)] == ["srcs", "dsts", "replica_group", "collective_dim"] + tail
    assert [n for n, _ in _params(ncc.reduce_scatter)] == ["srcs", "dsts", "replica_group", "collective_dim", "op"] + tail
    assert [n for n, _ in _params(ncc.all_to_all)] == ["srcs", "dsts", "replica_group", "collective_dim"] + tail
    assert _params(ncc.all_to_all_v) == [("srcs", E), ("dsts", E), ("replica_group", E), ("metadata_tensor", E),
                                         ("recv_counts_known", False), ("has_rdispls", False), ("priority", None),
                                         ("name", None)]
    assert [n for n, _ in _params(ncc.collective_permute)] == ["srcs", "dsts", "source_target_pairs"] + tail
    assert _params(ncc.collective_permute_implicit)[-3] == ("channel_ids", [0])
    assert [n for n, _ in _params(ncc.collective_permute_implicit_reduce)] == [
        "srcs0_by_channel", "srcs1_by_channel", "dsts_by_channel", "replica_group", "op", "channel_ids"] + tail
    assert _params(ncc.collective_permute_implicit_current_processing_rank_id) == [
        ("iteration_id", E), ("replica_group", E), ("channel_id", 0)]
    assert _params(ncc.rank_id) == []


def test_replica_group():
    rg = ncc.ReplicaGroup([[0, 1, 2, 3], [4, 5, 6, 7]])
    assert isinstance(rg, nl.NKIObject) and dataclasses.is_dataclass(rg)
    assert rg.groups == [[0, 1, 2, 3], [4, 5, 6, 7]] and len(rg) == 2
    assert ncc.ReplicaGroup(((0, 1),)).groups == [[0, 1]]
    with pytest.raises(ValueError):
        ncc.ReplicaGroup([[0, 1], [1, 2]])


def test_nki_dtype_module_gives_host_types():
    import ml_dtypes
    import numpy as np

    import nki.dtype as nt  # nki-library's tests build inputs with it
    assert nt.float8_e4m3 is ml_dtypes.float8_e4m3 and nt.bfloat16 is ml_dtypes.bfloat16
    assert np.zeros(3, dtype=nt.float32).dtype == np.float32
