"""Our own kernels through the tracing front door (NKI_COMPILER_FRONTEND=trace, NKI 0.7.0's specialization
by running the kernel in Python), each against a NumPy reference. They use what only tracing has: real
Python at trace time (generators, class hierarchies, comprehensions, dataclasses, functools, itertools,
NumPy), Python's `==` on user classes (nki-spec.md §11.4), NkiScalar loops; and the compile cache and the
deprecation warnings of the tracing path.

Tolerances: the kernels only copy, add and multiply by small exact constants in float32, so every result
is compared exactly (np.testing.assert_array_equal) unless a test says otherwise."""
import dataclasses
import functools
import itertools
import warnings

import numpy as np
import pytest

import nki
import nki.isa as nisa
import nki.language as nl

rng = np.random.default_rng(16)


@pytest.fixture(autouse=True)
def trace(monkeypatch):
    monkeypatch.setenv("NKI_COMPILER_FRONTEND", "trace")
    monkeypatch.delenv("NKIC_NKI_RELEASE", raising=False)
    monkeypatch.delenv("NKIC_COMPARE_FRONT_DOORS", raising=False)


def f32(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def count(ir, opcode):
    return sum(1 for line in ir.splitlines() if line.strip().split(" ", 2)[1:2] == [opcode])


# ---- the tracing-only kernel: a class hierarchy and a generator choose the tiles, a comprehension
# builds the list of tiles ----
class TilePlan:
    """Tiles of a (rows, cols) tensor: `partitions` rows by `free(cols)` columns, edge tiles clamped."""
    partitions = 128

    def free(self, cols):
        raise NotImplementedError

    def tiles(self, rows, cols):
        f = self.free(cols)
        for r in range(0, rows, self.partitions):
            for c in range(0, cols, f):
                yield r, c, min(self.partitions, rows - r), min(f, cols - c)


class WidePlan(TilePlan):
    def free(self, cols):
        return min(cols, 512)


class NarrowPlan(WidePlan):
    partitions = 64

    def free(self, cols):
        return super().free(cols) // 4


@nki.jit
def plan_sum(inputs, wide):
    """out = sum(inputs), tile by tile; the plan's class decides the tile sizes."""
    plan = WidePlan() if wide else NarrowPlan()
    rows, cols = inputs[0].shape
    out = nl.ndarray((rows, cols), dtype=nl.float32, buffer=nl.shared_hbm)
    for r, c, p, f in plan.tiles(rows, cols):
        tiles = [nl.ndarray((p, f), dtype=nl.float32, buffer=nl.sbuf) for _ in inputs]
        for t, src in zip(tiles, inputs):
            nisa.dma_copy(dst=t, src=src[r:r + p, c:c + f])
        for t in tiles[1:]:
            nisa.tensor_tensor(dst=tiles[0], data1=tiles[0], data2=t, op=nl.add)
        nisa.dma_copy(dst=out[r:r + p, c:c + f], src=tiles[0])
    return out


@pytest.mark.parametrize("wide,tiles", [(True, 3 * 2), (False, 5 * 5)])
def test_tracing_only_kernel(wide, tiles):
    xs = tuple(f32(300, 600) for _ in range(3))
    want = (xs[0] + xs[1]) + xs[2]
    np.testing.assert_array_equal(plan_sum(xs, wide), want)
    ir = plan_sum.compile(xs, wide).ir()
    assert count(ir, "tensor_tensor") == 2 * tiles  # one add per extra input per tile
    assert count(ir, "dma_copy") == 4 * tiles


# ---- a dataclass config ----
@dataclasses.dataclass(frozen=True)
class Config:
    scale: float
    bias: float = 1.0
    rows_per_tile: int = 64

    @property
    def steps(self):
        return ("mul", "add")


@nki.jit
def affine(x, cfg):
    """out = x * cfg.scale + cfg.bias, cfg.rows_per_tile rows at a time."""
    P, F = x.shape
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    for r in range(0, P, cfg.rows_per_tile):
        t = nl.ndarray((cfg.rows_per_tile, F), dtype=x.dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=t, src=x[r:r + cfg.rows_per_tile, :])
        ops = {"mul": (nl.multiply, cfg.scale), "add": (nl.add, cfg.bias)}
        for step in cfg.steps:
            op, v = ops[step]
            nisa.tensor_scalar(dst=t, data=t, op0=op, operand0=v)
        nisa.dma_copy(dst=out[r:r + cfg.rows_per_tile, :], src=t)
    return out


def test_dataclass_config():
    x = f32(128, 64)
    cfg = dataclasses.replace(Config(scale=2.0), bias=-3.0, rows_per_tile=32)
    np.testing.assert_array_equal(affine(x, cfg), x * np.float32(2) + np.float32(-3))
    assert count(affine.compile(x, cfg).ir(), "tensor_scalar") == 2 * 4


# ---- functools and itertools at trace time ----
@functools.lru_cache(maxsize=None)
def tile_starts(n, step):
    return tuple(range(0, n, step))


@nki.jit
def grid_product(a, b, c):
    """out = a * b * c over a 2x2 grid of tiles (itertools.product), the product folded with
    functools.reduce, each multiply a functools.partial of nisa.tensor_tensor."""
    P, F = a.shape
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    mul = functools.partial(nisa.tensor_tensor, op=nl.multiply)
    for r, col in itertools.product(tile_starts(P, P // 2), tile_starts(F, F // 2)):
        tiles = []
        for src in (a, b, c):
            t = nl.ndarray((P // 2, F // 2), dtype=a.dtype, buffer=nl.sbuf)
            nisa.dma_copy(dst=t, src=src[r:r + P // 2, col:col + F // 2])
            tiles.append(t)

        def step(acc, t):
            mul(dst=acc, data1=acc, data2=t)
            return acc

        acc = functools.reduce(step, tiles[1:], tiles[0])
        nisa.dma_copy(dst=out[r:r + P // 2, col:col + F // 2], src=acc)
    return out


def test_functools_itertools():
    a, b, c = f32(128, 64), f32(128, 64), f32(128, 64)
    np.testing.assert_array_equal(grid_product(a, b, c), (a * b) * c)
    assert count(grid_product.compile(a, b, c).ir(), "tensor_tensor") == 2 * 4


# ---- NumPy at trace time: nl.shared_constant of an array computed by NumPy ----
@nki.jit
def add_ramp(x):
    """out = x + ramp, ramp[p, f] = p * F + f built with NumPy while tracing."""
    P, F = x.shape
    ramp = np.add.outer(np.arange(P) * F, np.arange(F)).astype(np.float32)
    c = nl.shared_constant(ramp)
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    u = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    nisa.dma_copy(dst=u, src=c)
    nisa.tensor_tensor(dst=t, data1=t, data2=u, op=nl.add)
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=t)
    return out


def test_numpy_constant():
    x = f32(32, 16)
    want = x + np.arange(32 * 16, dtype=np.float32).reshape(32, 16)
    np.testing.assert_array_equal(add_ramp(x), want)


# ---- a kernel calling another @nki.jit kernel: inlined into the caller's Program ----
@nki.jit
def scale_tile(t, factor):
    nisa.tensor_scalar(dst=t, data=t, op0=nl.multiply, operand0=factor)
    return t


@nki.jit
def calls_kernel(x):
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    t = scale_tile(scale_tile(t, 2.0), 3.0)
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=t)
    return out


def test_inlined_kernel():
    x = f32(64, 32)
    np.testing.assert_array_equal(calls_kernel(x), (x * np.float32(2)) * np.float32(3))
    ir = calls_kernel.compile(x).ir()
    assert ir.startswith("kernel calls_kernel:") and count(ir, "tensor_scalar") == 2


# ---- LNC2: kernel[2], each core traced with its own nl.program_id ----
@nki.jit
def halves(x):
    """Core i handles rows [i*P/2, (i+1)*P/2) and multiplies them by i + 2."""
    P, F = x.shape
    pid = nl.program_id(0)
    half = P // nl.num_programs()
    rows = slice(pid * half, (pid + 1) * half)
    t = nl.ndarray((half, F), dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x[rows, :])
    nisa.tensor_scalar(dst=t, data=t, op0=nl.multiply, operand0=float(pid + 2))
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out[rows, :], src=t)
    return out


def test_lnc2_program_id():
    x = f32(128, 32)
    want = np.concatenate([x[:64] * np.float32(2), x[64:] * np.float32(3)])
    np.testing.assert_array_equal(halves[2](x), want)


# ---- nl.fori_loop: one hardware loop, its induction value an NkiScalar (0.7.0) ----
fori_seen = []


@nki.jit
def rows_times_three(a):
    """a: (R, P, F) in HBM; out[i] = a[i] * 3 for i in a hardware loop over R."""
    R, P, F = a.shape
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)

    def body(i):
        fori_seen.append(isinstance(i, nisa.NkiScalar))
        t = nl.ndarray((P, F), dtype=a.dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=t, src=a.ap(pattern=[[F, P], [1, F]], offset=0, scalar_offset=i, indirect_dim=0))
        nisa.tensor_scalar(dst=t, data=t, op0=nl.multiply, operand0=3.0)
        nisa.dma_copy(dst=out.ap(pattern=[[F, P], [1, F]], offset=0, scalar_offset=i, indirect_dim=0), src=t)

    nl.fori_loop(0, R, body)
    return out


def test_fori_loop_nkiscalar():
    fori_seen.clear()
    a = f32(5, 16, 8)
    np.testing.assert_array_equal(rows_times_three(a), a * np.float32(3))
    assert fori_seen == [True]  # the body is traced once, with an NkiScalar
    assert count(rows_times_three.compile(a).ir(), "tensor_scalar") == 1


# ---- scalar_load / scalar_store and NkiScalar arithmetic ----
@nki.jit
def scalar_math(n):
    """n: (1, 1) int32. out = [[3 * n - 1, -n]]."""
    s = nisa.scalar_load(n)
    out_sb = nl.ndarray((1, 2), dtype=nl.int32, buffer=nl.sbuf)
    nisa.scalar_store(out_sb[:, 0:1], s * 3 - 1)
    nisa.scalar_store(out_sb[:, 1:2], -s)
    out = nl.ndarray((1, 2), dtype=nl.int32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=out_sb)
    return out


@pytest.mark.parametrize("v", [0, 7, -5, 2**31 - 1])
def test_scalar_load_store(v):
    with np.errstate(over="ignore"):
        want = np.array([[np.int32(v) * np.int32(3) - np.int32(1), -np.int32(v)]], np.int32)  # int32 wraps
    np.testing.assert_array_equal(scalar_math(np.array([[v]], np.int32)), want)


# ---- isinstance on handles ----
kinds_seen = []


@nki.jit
def copy_and_look(x):
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    h = nisa.dma_copy(dst=t, src=x)
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=t)
    kinds_seen.append({
        "x tensor": isinstance(x, nl.NkiTensor), "t tensor": isinstance(t, nl.NkiTensor),
        "view tensor": isinstance(t[0:4, :], nl.NkiTensor), "h instruction": isinstance(h, nisa.NkiInstruction),
        "h tensor": isinstance(h, nl.NkiTensor), "t instruction": isinstance(t, nisa.NkiInstruction),
    })
    return out


def test_isinstance_handles():
    kinds_seen.clear()
    x = f32(8, 8)
    np.testing.assert_array_equal(copy_and_look(x), x)
    assert kinds_seen == [{"x tensor": True, "t tensor": True, "view tensor": True, "h instruction": True,
                           "h tensor": False, "t instruction": False}]


# ---- `==` on user classes follows Python (§11.4): identity unless __eq__ or a dataclass ----
class Plain(nl.NKIObject):
    def __init__(self, scale):
        self.scale = scale


@dataclasses.dataclass
class Data:
    scale: float


class WithEq(Plain):
    def __eq__(self, other):
        return isinstance(other, WithEq) and self.scale == other.scale


@nki.jit
def branch_on_eq(x, kind):
    """out = x * 2 when two equal-looking configs compare equal, else x * 5."""
    cls = {"plain": Plain, "data": Data, "eq": WithEq}[kind]
    a, b = cls(2.0), cls(2.0)
    factor = 2.0 if a == b else 5.0
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    nisa.tensor_scalar(dst=t, data=t, op0=nl.multiply, operand0=factor)
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=t)
    return out


@pytest.mark.parametrize("kind,factor", [("plain", 5.0), ("data", 2.0), ("eq", 2.0)])
def test_eq_follows_python(kind, factor):
    cls = {"plain": Plain, "data": Data, "eq": WithEq}[kind]
    assert (cls(2.0) == cls(2.0)) == (factor == 2.0)  # what the host's Python says
    x = f32(16, 8)
    np.testing.assert_array_equal(branch_on_eq(x, kind), x * np.float32(factor))


# ---- the compile cache: a second call does not retrace; a changed global array does ----
traces = []
TABLE = np.ones((16, 8), np.float32)


@nki.jit
def add_table(x):
    traces.append(1)  # a side effect: runs once per trace
    c = nl.shared_constant(TABLE)
    t = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    u = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    nisa.dma_copy(dst=u, src=c)
    nisa.tensor_tensor(dst=t, data1=t, data2=u, op=nl.add)
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=t)
    return out


def test_compile_cache(monkeypatch):
    traces.clear()
    k = nki.jit(add_table.func)
    x = f32(16, 8)
    np.testing.assert_array_equal(k(x), x + np.float32(1))
    np.testing.assert_array_equal(k(f32(16, 8) * 0 + x), x + np.float32(1))  # same shape: cached
    assert len(traces) == 1
    monkeypatch.setitem(add_table.func.__globals__, "TABLE", np.full((16, 8), 4.0, np.float32))
    np.testing.assert_array_equal(k(x), x + np.float32(4))  # the global changed: traced again
    assert len(traces) == 2
    np.testing.assert_array_equal(k(x), x + np.float32(4))
    assert len(traces) == 2


# ---- warnings: affine_range is deprecated in 0.7.0 and warned about once ----
@nki.jit
def two_loops(x):
    P, F = x.shape
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
    for _ in range(2):
        for i in nl.affine_range(P // 32):
            t = nl.ndarray((32, F), dtype=x.dtype, buffer=nl.sbuf)
            nisa.dma_copy(dst=t, src=x[i * 32:(i + 1) * 32, :])
            nisa.dma_copy(dst=out[i * 32:(i + 1) * 32, :], src=t)
    return out


def test_affine_range_warns_once(monkeypatch):
    monkeypatch.delenv("NKI_COMPILER_FRONTEND")
    monkeypatch.setenv("NKIC_NKI_RELEASE", "0.7")  # tracing, as AWS's 0.7.0
    x = f32(64, 8)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        np.testing.assert_array_equal(nki.jit(two_loops.func)(x), x)
    msgs = [str(m.message) for m in w if "affine_range" in str(m.message)]
    assert len(msgs) == 1, msgs
    assert "'nki.language.affine_range' is deprecated since NKI 0.7.0" in msgs[0]


def test_affine_range_silent_by_default():
    """The default release (no NKIC_NKI_RELEASE) does not warn about affine_range, in tracing mode too."""
    x = f32(64, 8)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        np.testing.assert_array_equal(nki.jit(two_loops.func)(x), x)
    assert not [m for m in w if "affine_range" in str(m.message)]
