// Compile-time integer overflow, 32-bit ISA immediates, and frozen dataclasses.
#include <gtest/gtest.h>

#include "api/nkic.h"

using namespace nkic;

namespace {

const char* kHeader = R"(import nki
import nki.isa as nisa
import nki.language as nl
from dataclasses import dataclass
import math
)";

KernelArg tensor(std::vector<int64_t> shape, DType dt = DType::Float32) {
  return {"", ArgValue::tensor(std::move(shape), dt)};
}

std::string error_of(const std::string& body, std::vector<KernelArg> args = {tensor({4, 4})}) {
  try {
    api::compile("k.py", std::string(kHeader) + body, "kern", args);
  } catch (const UserError& e) {
    return e.what();
  }
  return "(no error)";
}

bool compiles(const std::string& body) { return error_of(body) == "(no error)"; }

std::string overflow(const std::string& expr) { return error_of("def kern(a):\n    x = 5\n    y = " + expr + "\n"); }

const char* kOverflow = "exceeds the 64-bit range nkic supports for compile-time integers";

}  // namespace

TEST(CheckedInt, ArithmeticOverflowIsAnErrorAtTheExpression) {
  for (const char* e :
       {"2 ** 62 + 2 ** 62", "-(2 ** 62) - 2 ** 62 - 2 ** 62", "(2 ** 32) * (2 ** 32)", "3 ** 40", "1 << 63", "x << 62",
        "-(-(2 ** 62) * 2)", "abs(-(2 ** 62) * 2)", "sum([2 ** 62, 2 ** 62])", "math.prod([2 ** 40, 2 ** 40])",
        "(-(2 ** 62) * 2) // -1", "int(1e30)", "math.floor(-1e19)", "round(1e300)", "divmod(-(2 ** 62) * 2, -1)"}) {
    std::string err = overflow(e);
    EXPECT_NE(err.find(kOverflow), std::string::npos) << e << ": " << err;
    EXPECT_NE(err.find("line 8"), std::string::npos) << e << ": " << err;
  }
}

TEST(CheckedInt, InRangeResultsAreExact) {
  EXPECT_EQ(error_of(R"(
def kern(a):
    big = 2 ** 62
    assert big + (big - 1) == 9223372036854775807
    assert -big - big == -9223372036854775807 - 1
    assert (1 << 62) == big and (-1) ** 1000001 == -1 and 1 ** (10 ** 18) == 1 and 0 ** 0 == 1
    assert (big >> 100) == 0 and (-big >> 100) == -1 and (-big * 2) % -1 == 0
    assert abs(-big) == big and sum([big, big - 1]) == big - 1 + big and math.prod([2 ** 31, 2 ** 31]) == 2 ** 62
    assert int(-9.2e18) == -9200000000000000000
)"),
            "(no error)");
  EXPECT_NE(overflow("1 << -1").find("negative shift count"), std::string::npos);
  EXPECT_NE(overflow("0 ** -1").find("0 cannot be raised to a negative power"), std::string::npos);
  EXPECT_NE(error_of("def kern(a):\n    x = 99999999999999999999\n").find(kOverflow), std::string::npos);
}

TEST(CheckedInt, IsaIntegerImmediatesAre32Bit) {
  const char* pre = "def kern(a):\n    t = nl.ndarray((128, 4), dtype=nl.int32, buffer=nl.sbuf)\n";
  std::string err = error_of(std::string(pre) + "    nisa.iota(t, [[1, 4]], offset=2 ** 31)\n");
  EXPECT_NE(err.find("offset 2147483648 is outside the 32-bit range of ISA integer immediates"), std::string::npos)
      << err;
  err = error_of(std::string(pre) + "    nisa.iota(t, [[1, 4]], channel_multiplier=-(2 ** 31) - 1)\n");
  EXPECT_NE(err.find("channel_multiplier -2147483649 is outside"), std::string::npos) << err;
  err = error_of(std::string(pre) + "    nisa.iota(t, [[2 ** 33, 4]])\n");
  EXPECT_NE(err.find("pattern entry 8589934592 is outside"), std::string::npos) << err;
  err = error_of(std::string(pre) + "    nisa.tensor_scalar(t, t, nl.add, 2 ** 32)\n");
  EXPECT_NE(err.find("operand0 4294967296 is outside the 32-bit range"), std::string::npos) << err;
  err = error_of(std::string(pre) + "    nisa.memset(t, -(2 ** 40))\n");
  EXPECT_NE(err.find("value -1099511627776 is outside the 32-bit range"), std::string::npos) << err;
  // The edges of the ranges are fine; uint32 operands take up to 2^32 - 1; floats are not ints.
  EXPECT_TRUE(compiles(std::string(pre) +
                       "    nisa.iota(t, [[1, 4]], offset=2 ** 31 - 1, channel_multiplier=-(2 ** 31))\n" +
                       "    nisa.tensor_scalar(t, t, nl.bitwise_and, 2 ** 32 - 1)\n" +
                       "    f = nl.ndarray((128, 4), dtype=nl.float32, buffer=nl.sbuf)\n" +
                       "    nisa.tensor_scalar(f, f, nl.multiply, 2.0 ** 40)\n"));
  err = error_of("def kern(a):\n    t = nl.ndarray((2, 2 ** 31), dtype=nl.int8, buffer=nl.hbm)\n");
  EXPECT_NE(err.find("shape dimension 2147483648 exceeds the 32-bit range of NKI sizes"), std::string::npos) << err;
}

TEST(FrozenDataclass, AssignmentIsAnError) {
  std::string err = error_of(R"(
@dataclass(frozen=True)
class Cfg(nl.NKIObject):
    n: int = 1

def kern(a):
    c = Cfg(2)
    c.n = 3
)");
  EXPECT_NE(err.find("cannot assign to field 'n'"), std::string::npos) << err;
  EXPECT_NE(err.find("line 13"), std::string::npos) << err;
  // Also in __post_init__, and for subclasses of a frozen class.
  err = error_of(R"(
@dataclass(frozen=True)
class Cfg(nl.NKIObject):
    n: int = 1
    def __post_init__(self):
        self.m = self.n * 2

@dataclass(frozen=True)
class Sub(Cfg):
    k: int = 0

def kern(a):
    c = Sub(2)
)");
  EXPECT_NE(err.find("cannot assign to field 'm'"), std::string::npos) << err;
  EXPECT_NE(err.find("object.__setattr__(self, 'm', value)"), std::string::npos) << err;
}

TEST(FrozenDataclass, ObjectSetattrInPostInit) {
  EXPECT_TRUE(compiles(R"(
@dataclass(frozen=True)
class Cfg(nl.NKIObject):
    n: int = 1
    def __post_init__(self):
        object.__setattr__(self, 'm', self.n * 2)
        object.__setattr__(self, 'n', self.n + 1)

@dataclass
class Mutable(nl.NKIObject):
    n: int = 1

def kern(a):
    c = Cfg(2)
    assert c.m == 4 and c.n == 3
    d = Mutable()
    d.n = 5
    assert d.n == 5
)")) << "";
}
