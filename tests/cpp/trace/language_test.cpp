// Compile-time Python of the specializer: classes, dataclasses, enums, views, builtins, annotations.
#include <gtest/gtest.h>

#include "api/nkic.h"

using namespace nkic;

namespace {

const char* kHeader = R"(import nki
import nki.isa as nisa
import nki.language as nl
import nki.typing as nt
from dataclasses import dataclass, field
from enum import Enum
import functools
import math
import numpy as np
)";

KernelArg tensor(std::vector<int64_t> shape, DType dt = DType::Float32) {
  return {"", ArgValue::tensor(std::move(shape), dt)};
}

std::shared_ptr<api::Kernel> compile_src(const std::string& body, std::vector<KernelArg> args) {
  return api::compile("k.py", std::string(kHeader) + body, "kern", args);
}

std::string error_of(const std::string& body, std::vector<KernelArg> args) {
  try {
    compile_src(body, args);
  } catch (const UserError& e) {
    return e.what();
  }
  return "(no error)";
}

// The kernel below emits one memset per element of `counts`: a compact way to observe compile-time values.
size_t count(const std::string& body) { return compile_src(body, {tensor({4, 4})})->num_instructions(); }

}  // namespace

TEST(Language, DataclassEnumAndMethods) {
  EXPECT_EQ(count(R"(
class Mode(Enum):
    SMALL = 1
    LARGE = 3

@dataclass(frozen=True)
class Cfg(nl.NKIObject):
    reps: int
    mode: Mode = Mode.LARGE
    extra: tuple = field(default=(1, 2))

    def __post_init__(self):
        assert self.reps > 0

    def total(self):
        return self.reps * self.mode.value + len(self.extra)

def kern(a):
    cfg = Cfg(2)
    assert Mode(3) == Mode.LARGE and cfg.mode == Mode.LARGE and cfg.mode.name == "LARGE"
    assert isinstance(cfg, Cfg) and isinstance(cfg, nl.NKIObject)
    t = nl.ndarray((1, 1), dtype=nl.float32)
    for _ in range(cfg.total()):
        nisa.memset(t, 0.0)
)"),
            8u);
}

TEST(Language, PlainClassesWithInitAndCall) {
  EXPECT_EQ(count(R"(
class Acc(nl.NKIObject):
    def __init__(self, start):
        self.n = start
        self.items = []

    def add(self, x):
        self.n += x
        self.items.append(x)
        return self

    def __call__(self, k):
        return self.n * k

def kern(a):
    acc = Acc(1)
    acc.add(2).add(3)
    bound = acc.add
    bound(-1)
    t = nl.ndarray((1, 1), dtype=nl.float32)
    for _ in range(acc(2) + len(acc.items) - 10):
        nisa.memset(t, 0.0)
)"),
            3u);
}

TEST(Language, BuiltinsAndPythonSemantics) {
  EXPECT_EQ(count(R"(
def kern(a):
    assert -7 // 2 == -4 and -7 % 2 == 1 and 2 ** 10 == 1024 and 7 / 2 == 3.5
    assert (1 < 2 < 3) and not (1 < 3 < 2) and (0 or 5) == 5 and (0 and 5) == 0
    assert divmod(-7, 2) == (-4, 1) and abs(-3) == 3 and round(2.5) == 2 and round(3.5) == 4
    assert functools.reduce(lambda_free_mul, (1, 2, 3, 4)) == 24
    assert math.ceil(7 / 2) == 4 and math.prod((2, 3)) == 6 and math.gcd(12, 18) == 6
    assert sorted((3, 1, 2)) == [1, 2, 3] and list(reversed((1, 2))) == [2, 1]
    assert max((1, 5, 3)) == 5 and min(4, 2) == 2 and sum((1, 2, 3)) == 6
    d = {"a": 1}
    d.setdefault("b", 2)
    d.update({"c": 3})
    assert list(d.keys()) == ["a", "b", "c"] and d.get("z", 9) == 9 and "a" in d
    assert f"{3.14159:.2f}|{7:>3}|{5:03d}|{'x'}" == "3.14|  7|005|x"
    assert getattr(a, "shape") == (4, 4) and hasattr(a, "dtype") and not hasattr(a, "nope")
    assert np.float32(2) == 2.0 and np.finfo(nl.bfloat16).max > 3e38 and a.dtype == nl.float32
    assert a.dtype == "float32" and isinstance(3, int) and not isinstance(3.0, int)
    xs = [1, 2]
    xs += [3]
    xs.insert(0, 0)
    assert xs == [0, 1, 2, 3] and xs.pop() == 3 and xs.index(2) == 2
    d = {"k": 1}
    xs.clear()
    d.clear()
    assert xs == [] and len(d) == 0
    t = nl.ndarray((1, 1), dtype=nl.float32)
    nisa.memset(t, 0.0)

def lambda_free_mul(x, y):
    return x * y
)"),
            1u);
}

TEST(Language, ViewsCompose) {  // production kernels index on-chip views again (docs/semantics.md)
  std::string err = error_of(R"(
def kern(a):
    t = nl.ndarray((128, 64), dtype=nl.float32)
    u = t[0:64, :][0:32, 8:16]
    assert u.shape == (32, 8)
    v = t[0:64, :][0:32, 8:16][:, 0:4]
    assert v.shape == (32, 4)
    w = t[0:64, :][64:65, :]
)",
                             {tensor({4, 4})});
  EXPECT_NE(err.find("out of bounds for dimension 0 with size 64"), std::string::npos) << err;  // w only
}

TEST(Language, ViewAndAp) {
  auto k = compile_src(R"(
def kern(a):
    t = nl.ndarray((128, 64), dtype=nl.float32)
    b = t.view(nl.bfloat16)
    assert b.shape == (128, 128)
    u = nl.ndarray((128, 128), dtype=nl.bfloat16)
    nisa.tensor_copy(dst=u, src=b)
    w = t.ap([[64, 128], [2, 16], [1, 2]], offset=4)
    assert w.shape == (128, 16, 2)
    v = nl.ndarray((128, 32), dtype=nl.float32)
    nisa.tensor_copy(dst=v, src=w)
)",
                       {tensor({4, 4})});
  ASSERT_EQ(k->num_instructions(), 2u);
  APRef ap = k->program().op(k->program().instrs[1], 1);
  EXPECT_EQ(ap.offset, 4);
  ASSERT_EQ(ap.dims.size(), 3u);
  EXPECT_EQ(ap.dims[1].stride, 2);
  std::string err = error_of(R"(
def kern(a):
    t = nl.ndarray((128, 64), dtype=nl.float32)
    w = t.ap([[32, 128], [1, 64]])
)",
                             {tensor({4, 4})});
  EXPECT_NE(err.find("its step must be 64"), std::string::npos) << err;
}

TEST(Language, JitOnSubKernelIsAnError) {
  std::string err = error_of(R"(
@nki.jit
def helper(x):
    return x

def kern(a):
    helper(a)
)",
                             {tensor({4, 4})});
  EXPECT_NE(err.find("remove @nki.jit from 'helper'"), std::string::npos) << err;
}

TEST(Language, TensorAnnotationsAreChecked) {
  std::string body = R"(
def kern(a: nt.tensor[128, 64], b: nt.tensor[[128, 64], nl.float32]):
    pass
)";
  auto ok = api::compile("k.py", std::string(kHeader) + body, "kern", {tensor({128, 64}), tensor({128, 64})});
  EXPECT_EQ(ok->num_instructions(), 0u);
  try {
    api::compile("k.py", std::string(kHeader) + body, "kern", {tensor({128, 32}), tensor({128, 64})});
    FAIL();
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("has shape [128, 32] but its annotation declares [128, 64]"),
              std::string::npos)
        << e.what();
  }
  try {
    api::compile("k.py", std::string(kHeader) + body, "kern", {tensor({128, 64}), tensor({128, 64}, DType::BFloat16)});
    FAIL();
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("dtype bfloat16"), std::string::npos) << e.what();
  }
}

TEST(Language, UnavailableModuleErrorsOnlyWhenUsed) {
  EXPECT_EQ(count(R"(
import torch
from torch import nn

def kern(a):
    t = nl.ndarray((1, 1), dtype=nl.float32)
    nisa.memset(t, 0.0)
)"),
            1u);
  std::string err = error_of(R"(
import torch

def kern(a):
    x = torch.zeros(3)
)",
                             {tensor({4, 4})});
  EXPECT_NE(err.find("module 'torch' is not available to kernels"), std::string::npos) << err;
}

TEST(Language, NcVersionFollowsTarget) {
  std::string body = std::string(kHeader) + R"(
def kern(a):
    t = nl.ndarray((1, 1), dtype=nl.float32)
    if nisa.get_nc_version() == nisa.nc_version.gen4:
        nisa.memset(t, 0.0)
        nisa.memset(t, 0.0)
    else:
        nisa.memset(t, 0.0)
)";
  api::CompileOptions trn3, trn2;
  trn3.target = TargetKind::Trn3;
  EXPECT_EQ(api::compile("k.py", body, "kern", {tensor({4, 4})}, trn3)->num_instructions(), 2u);
  EXPECT_EQ(api::compile("k.py", body, "kern", {tensor({4, 4})}, trn2)->num_instructions(), 1u);
  std::string err = error_of("\ndef kern(a):\n    nisa.tensor_copy_dynamic_src(a, a)\n", {tensor({4, 4})});
  EXPECT_NE(err.find("nisa.tensor_copy_dynamic_src is deprecated in NKI 0.3.0"), std::string::npos) << err;
}
