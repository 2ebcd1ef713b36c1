"""How the nl.* convenience APIs lower (docs/semantics.md, "How nl.* APIs lower"): the engines and the
instruction counts each API emits for a [128, F] tile, read from the compiled program's listing (the
nl.load / nl.store DMAs around them are not counted); then the results of the lowerings pinned here vs
NumPy: broadcasts, shuffles, casts and copies exact, variance 1e-5 relative (fp32 statistics), bf16
results 1 bf16 ulp (2^-8 relative), rand's range and moments (sigma of the mean 0.0011 for 65536 draws).
"""
import collections
import re

import ml_dtypes
import numpy as np
import pytest

import nki
import nki.isa as nisa
import nki.language as nl

rng = np.random.default_rng(13)
f32, bf16 = np.float32, ml_dtypes.bfloat16

BINARY = {"add": nl.add, "multiply": nl.multiply, "divide": nl.divide, "power": nl.power, "equal": nl.equal,
          "bitwise_and": nl.bitwise_and, "left_shift": nl.left_shift}
UNARY = {"exp": nl.exp, "rsqrt": nl.rsqrt, "reciprocal": nl.reciprocal, "abs": nl.abs, "gelu": nl.gelu,
         "sign": nl.sign, "square": nl.square, "copy": nl.copy, "negative": nl.negative,
         "logical_not": nl.logical_not, "invert": nl.invert}
REDUCE = {"sum": nl.sum, "max": nl.max, "min": nl.min, "prod": nl.prod, "all": nl.all, "mean": nl.mean,
          "var": nl.var}


@nki.jit
def binary_k(a, b, op):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    x = nl.load(a)
    y = nl.load(b) if b is not None else 3
    nl.store(out, BINARY[op](x, y))
    return out


@nki.jit
def unary_k(a, op):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    nl.store(out, UNARY[op](nl.load(a)))
    return out


@nki.jit
def reduce_k(a, op, dtype=None):
    r = REDUCE[op](nl.load(a), axis=tuple(range(1, len(a.shape))), dtype=dtype)
    out = nl.ndarray(r.shape, dtype=r.dtype, buffer=nl.shared_hbm)
    nl.store(out, r)
    return out


@nki.jit
def softmax_k(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    nl.store(out, nl.softmax(nl.load(a), axis=1))
    return out


@nki.jit
def rms_norm_k(a, w):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    nl.store(out, nl.rms_norm(nl.load(a), nl.load(w), axis=1, n=a.shape[1], epsilon=1e-6))
    return out


@nki.jit
def broadcast_k(a, shape, dtype=None):
    r = nl.broadcast_to(nl.load(a), shape, dtype=dtype)
    out = nl.ndarray(shape, dtype=r.dtype, buffer=nl.shared_hbm)
    nl.store(out, r)
    return out


@nki.jit
def broadcast_psum_k(a, P):
    # A (1, F) row in PSUM (a transpose of a column) broadcast to P partitions.
    col = nl.load(a)
    row = nl.transpose(col)
    r = nl.broadcast_to(row, (P, a.shape[0]))
    out = nl.ndarray(r.shape, dtype=r.dtype, buffer=nl.shared_hbm)
    nl.store(out, r)
    return out


@nki.jit
def where_k(c, a, b):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    nl.store(out, nl.where(nl.load(c), nl.load(a), nl.load(b)))
    return out


@nki.jit
def matmul_k(a, b):
    p = nl.matmul(nl.load(a), nl.load(b), transpose_x=True)
    return evict(p)


@nki.jit
def transpose_k(a):
    return evict(nl.transpose(nl.load(a)))


def evict(p):
    """nl.store takes no PSUM tile: one tensor_copy to SBUF (counted in the expectations below)."""
    t = nl.ndarray(p.shape, dtype=p.dtype, buffer=nl.sbuf)
    nisa.tensor_copy(dst=t, src=p)
    out = nl.ndarray(p.shape, dtype=p.dtype, buffer=nl.shared_hbm)
    nl.store(out, t)
    return out


@nki.jit
def create_k(shape, op):
    if op == "zeros":
        t = nl.zeros(shape, dtype=nl.float32)
    elif op == "full":
        t = nl.full(shape, 2.0, dtype=nl.float32)
    elif op == "zeros_like":
        t = nl.zeros_like(nl.ndarray(shape, dtype=nl.float32))
    else:
        t = nl.rand(shape, dtype=nl.float32)
    out = nl.ndarray(shape, dtype=nl.float32, buffer=nl.shared_hbm)
    nl.store(out, t)
    return out


@nki.jit
def rand_k(shape, dtype):
    t = nl.rand(shape, dtype=dtype)
    out = nl.ndarray(shape, dtype=dtype, buffer=nl.shared_hbm)
    nl.store(out, t)
    return out


@nki.jit
def dropout_k(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    nl.store(out, nl.dropout(nl.load(a), 0.5))
    return out


@nki.jit
def expand_dims_k(a):
    e = nl.expand_dims(nl.load(a), 1)
    out = nl.ndarray(e.shape, dtype=e.dtype, buffer=nl.shared_hbm)
    nl.store(out, e)
    return out


@nki.jit
def load_transpose2d_k(a):
    out = nl.ndarray((a.shape[1], a.shape[0]), dtype=a.dtype, buffer=nl.shared_hbm)
    nl.store(out, nl.load_transpose2d(a))
    return out


def lowering(kernel, *args, **kwargs):
    """{'engine:opcode': count} of the compiled program, the loads' and stores' dma_copy left out."""
    c = collections.Counter()
    for line in kernel.compile(*args, **kwargs).ir().splitlines():
        m = re.match(r"\s+\d+: (\S+) engine=(\S+)", line)
        if m and m.group(1) != "dma_copy":
            c[f"{m.group(2)}:{m.group(1)}"] += 1
    return dict(c)


def full(*shape, dtype=f32):
    return np.ones(shape, dtype)


T = full(128, 512)
I32 = full(128, 512, dtype=np.int32)
V, S, G, PE = "vector", "scalar", "gpsimd", "tensor"

# (case, kernel, args, kwargs, {engine:opcode: count}) on the default target (trn2).
CASES = [
    # Element-wise: one instruction, on the engine the ALU / activation tables give.
    ("add tile-tile", binary_k, (T, T), {"op": "add"}, {f"{V}:tensor_tensor": 1}),
    ("add tile-scalar", binary_k, (T, None), {"op": "add"}, {f"{V}:tensor_scalar": 1}),
    ("divide tile-scalar", binary_k, (T, None), {"op": "divide"}, {f"{V}:tensor_scalar": 1}),
    ("equal tile-tile", binary_k, (T, T), {"op": "equal"}, {f"{V}:tensor_tensor": 1}),
    ("power tile-tile", binary_k, (T, T), {"op": "power"}, {f"{G}:tensor_tensor": 1}),
    ("power tile-scalar", binary_k, (T, None), {"op": "power"}, {f"{G}:tensor_scalar": 1}),
    ("int32 add tile-scalar", binary_k, (I32, None), {"op": "add"}, {f"{G}:tensor_scalar": 1}),
    ("int32 bitwise_and tile-tile", binary_k, (I32, I32), {"op": "bitwise_and"}, {f"{V}:tensor_tensor": 1}),
    ("int32 left_shift tile-scalar", binary_k, (I32, None), {"op": "left_shift"}, {f"{V}:tensor_scalar": 1}),
    *[(op, unary_k, (T,), {"op": op}, {f"{S}:activation": 1})
      for op in ["exp", "reciprocal", "abs", "gelu", "sign", "square"]],
    ("rsqrt", unary_k, (T,), {"op": "rsqrt"}, {f"{G}:tensor_scalar": 1}),  # GpSimd since NKI 0.5.0 (the default)
    ("copy", unary_k, (T,), {"op": "copy"}, {f"{V}:tensor_copy": 1}),  # VectorE since NKI 0.6.0 (the default)
    ("negative", unary_k, (T,), {"op": "negative"}, {f"{V}:tensor_scalar": 1}),
    ("logical_not", unary_k, (T,), {"op": "logical_not"}, {f"{V}:tensor_scalar": 1}),
    ("invert", unary_k, (I32,), {"op": "invert"}, {f"{V}:tensor_scalar": 1}),
    # Reductions: one tensor_reduce; mean scales the fp32 sum; var is VectorE's batch-norm statistics.
    *[(op, reduce_k, (T,), {"op": op}, {f"{V}:tensor_reduce": 1}) for op in ["sum", "max", "min", "prod", "all"]],
    ("mean", reduce_k, (T,), {"op": "mean"}, {f"{V}:tensor_reduce": 1, f"{V}:tensor_scalar": 1}),
    ("var F=512", reduce_k, (T,), {"op": "var"}, {f"{V}:bn_stats": 1, f"{V}:bn_aggr": 1}),
    ("var F=2048", reduce_k, (full(128, 2048),), {"op": "var"}, {f"{V}:bn_stats": 4, f"{V}:bn_aggr": 1}),
    ("var (4, 200)", reduce_k, (full(128, 4, 200),), {"op": "var"}, {f"{V}:bn_stats": 4, f"{V}:bn_aggr": 1}),
    ("softmax", softmax_k, (T,), {},
     {f"{V}:tensor_reduce": 1, f"{S}:activation": 1, f"{V}:reciprocal": 1, f"{V}:tensor_scalar": 1}),
    ("rms_norm w (P, F)", rms_norm_k, (T, T), {}, {f"{S}:activation": 2, f"{V}:scalar_tensor_tensor": 1}),
    ("rms_norm w (1, F)", rms_norm_k, (T, full(1, 512)), {},
     {f"{V}:nc_stream_shuffle": 4, f"{S}:activation": 2, f"{V}:scalar_tensor_tensor": 1}),
    # broadcast_to: one shuffle per 32-partition quadrant; x itself when nothing broadcasts.
    ("broadcast (1, 512) -> (128, 512)", broadcast_k, (full(1, 512),), {"shape": (128, 512)},
     {f"{V}:nc_stream_shuffle": 4}),
    ("broadcast (1, 1) -> (128, 512)", broadcast_k, (full(1, 1),), {"shape": (128, 512)},
     {f"{V}:nc_stream_shuffle": 4}),
    ("broadcast (1, 512) -> (40, 512)", broadcast_k, (full(1, 512),), {"shape": (40, 512)},
     {f"{V}:nc_stream_shuffle": 2}),
    ("broadcast (1, 512) -> (128, 512) bf16", broadcast_k, (full(1, 512),), {"shape": (128, 512), "dtype": nl.bfloat16},
     {f"{V}:tensor_copy": 1, f"{V}:nc_stream_shuffle": 4}),
    ("broadcast (128, 1) -> (128, 512)", broadcast_k, (full(128, 1),), {"shape": (128, 512)}, {f"{V}:tensor_copy": 1}),
    ("broadcast same shape", broadcast_k, (T,), {"shape": (128, 512)}, {}),
    ("broadcast same shape bf16", broadcast_k, (T,), {"shape": (128, 512), "dtype": nl.bfloat16},
     {f"{V}:tensor_copy": 1}),
    # The rest.
    ("where", where_k, (T, T, T), {},
     {f"{V}:tensor_scalar": 1, f"{V}:tensor_copy": 1, f"{V}:tensor_copy_predicated": 1}),
    ("matmul (+ the kernel's eviction)", matmul_k, (full(128, 128), T), {},
     {f"{PE}:nc_matmul": 1, f"{V}:tensor_copy": 1}),
    ("transpose (+ the kernel's eviction)", transpose_k, (full(128, 128),), {},
     {f"{PE}:nc_transpose": 1, f"{V}:tensor_copy": 1}),
    ("zeros", create_k, ((128, 512),), {"op": "zeros"}, {f"{V}:memset": 1}),
    ("full", create_k, ((128, 512),), {"op": "full"}, {f"{V}:memset": 1}),
    ("zeros_like", create_k, ((128, 512),), {"op": "zeros_like"}, {f"{V}:memset": 1}),
    ("rand", create_k, ((128, 512),), {"op": "rand"}, {f"{V}:rng": 1, f"{V}:tensor_scalar": 2}),
    ("dropout", dropout_k, (T,), {}, {f"{V}:dropout": 1}),
    ("expand_dims", expand_dims_k, (T,), {}, {}),
    ("load_transpose2d", load_transpose2d_k, (full(128, 128),), {}, {"dma:dma_transpose": 1}),
]


@pytest.mark.parametrize("case,kernel,args,kwargs,expected", CASES, ids=[c[0] for c in CASES])
def test_lowering(case, kernel, args, kwargs, expected):
    assert lowering(kernel, *args, **kwargs) == expected


@pytest.fixture
def target(monkeypatch):
    return lambda name: monkeypatch.setenv("NEURON_PLATFORM_TARGET_OVERRIDE", name)


def test_rms_norm_bias_tile_on_trn1(target):
    target("trn1")  # NeuronCore-v2's activation takes no scalar bias: epsilon is memset into a (P, 1) tile
    assert lowering(rms_norm_k, T, T) == {f"{V}:memset": 1, f"{S}:activation": 2, f"{V}:scalar_tensor_tensor": 1}


def test_rand_is_one_rand2_on_trn3(target):
    target("trn3")
    assert lowering(create_k, (128, 512), op="rand") == {f"{V}:rand2": 1}


# ---- the results of these lowerings vs NumPy


@pytest.mark.parametrize("P", [128, 100, 32, 7])
def test_partition_broadcast_exact(P):
    x = rng.standard_normal((1, 300), dtype=f32)
    np.testing.assert_array_equal(broadcast_k(x, shape=(P, 300)), np.repeat(x, P, 0))


def test_partition_and_free_broadcast_exact():
    x = rng.standard_normal((1, 1), dtype=f32)
    np.testing.assert_array_equal(broadcast_k(x, shape=(128, 64)), np.full((128, 64), x[0, 0]))
    y = rng.standard_normal((1, 1, 5), dtype=f32)
    np.testing.assert_array_equal(broadcast_k(y, shape=(64, 3, 5)), np.broadcast_to(y, (64, 3, 5)))


def test_broadcast_with_cast():
    x = rng.standard_normal((1, 200), dtype=f32)
    out = broadcast_k(x, shape=(96, 200), dtype=nl.bfloat16)
    assert out.dtype == bf16
    np.testing.assert_array_equal(out, np.repeat(x.astype(bf16), 96, 0))
    same = broadcast_k(np.repeat(x, 8, 0), shape=(8, 200), dtype=nl.bfloat16)
    np.testing.assert_array_equal(same, np.repeat(x, 8, 0).astype(bf16))


def test_broadcast_same_shape_is_x():
    x = rng.standard_normal((16, 24), dtype=f32)
    np.testing.assert_array_equal(broadcast_k(x, shape=(16, 24)), x)


def test_broadcast_from_psum():
    a = rng.standard_normal((48, 1), dtype=f32)
    np.testing.assert_array_equal(broadcast_psum_k(a, P=64), np.repeat(a.T, 64, 0))


def test_var_chunks_and_dtypes():
    x = rng.standard_normal((64, 3, 300), dtype=f32) + f32(2)
    ref = x.astype(np.float64).var(axis=(1, 2))
    out = reduce_k(x, op="var")
    assert out.shape == (64, 1, 1) and out.dtype == f32
    np.testing.assert_allclose(out[:, 0, 0], ref, rtol=1e-5)
    wide = rng.standard_normal((32, 1500), dtype=f32)
    np.testing.assert_allclose(reduce_k(wide, op="var")[:, 0], wide.astype(np.float64).var(1), rtol=1e-5)
    b = reduce_k(wide, op="var", dtype=nl.bfloat16)
    assert b.dtype == bf16
    np.testing.assert_allclose(b[:, 0].astype(np.float64), wide.astype(np.float64).var(1), rtol=2 ** -8)


def test_mean_bf16_input():
    x = rng.standard_normal((64, 100), dtype=f32).astype(bf16)
    out = reduce_k(x, op="mean")
    assert out.dtype == bf16  # the sum stays fp32; one rounding to bf16 at the end
    np.testing.assert_allclose(out[:, 0].astype(np.float64), x.astype(np.float64).mean(1), rtol=2 ** -8, atol=1e-6)


def test_rms_norm_trn1(target):
    target("trn1")
    x, w = rng.standard_normal((128, 256), dtype=f32), rng.standard_normal((1, 256), dtype=f32)
    x64 = x.astype(np.float64)
    ref = x64 / np.sqrt((x64 ** 2).mean(1, keepdims=True) + 1e-6) * w
    np.testing.assert_allclose(rms_norm_k(x, w), ref, rtol=2e-6, atol=1e-6)


def test_power_tile_scalar_on_gpsimd_values():
    x = rng.uniform(0.5, 2.0, (32, 16)).astype(f32)
    np.testing.assert_allclose(binary_k(x, None, op="power"), x.astype(np.float64) ** 3, rtol=1e-6)


def test_int32_bitwise_on_vector_exact():
    x = rng.integers(-2 ** 30, 2 ** 30, (16, 8)).astype(np.int32)
    y = rng.integers(-2 ** 30, 2 ** 30, (16, 8)).astype(np.int32)
    np.testing.assert_array_equal(binary_k(x, y, op="bitwise_and"), x & y)
    np.testing.assert_array_equal(binary_k(x, None, op="left_shift"), x << 3)


@pytest.mark.parametrize("dt", ["float32", "bfloat16"])
def test_rand_trn3_range_and_moments(target, dt):
    target("trn3")
    out = rand_k((128, 512), dtype=dt).astype(f32)
    assert out.min() >= 0 and out.max() < 1
    assert abs(out.mean() - 0.5) < 0.01
    assert abs(out.std() - 1 / np.sqrt(12)) < 0.01
