// The checkers (issue #17, docs/checks.md): bugs a sequential simulator would hide and hardware would
// show. Each has a name users select it by (`nkic.check(..., checks="a,b")`, `nkic run --checks=`);
// a finding is a Diagnostic whose `code` is that name, with the other side of a race as a note.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nkic {

enum class Check : uint8_t {
  AffineDependence,  // static: an affine_range iteration depends on another one
  PsumGroup,         // static: PSUM accumulation-group misuse
  LncRace,           // static: the two LNC2 cores touch one shared_hbm range unordered
  UninitRead,        // dynamic: a read of on-chip memory never written since allocation
  Shuffle,           // dynamic: affine_range iterations run in a seeded random order, outputs compared
  NonFinite,         // dynamic: the first instruction making NaN/Inf from finite inputs
  kCount
};

// Their names, in enum order.
inline constexpr std::string_view kCheckNames[] = {"affine-dependence", "psum-group", "lnc-race",
                                                   "uninit-read",       "shuffle",    "nonfinite"};
static_assert(std::size(kCheckNames) == static_cast<size_t>(Check::kCount));

struct CheckSet {
  uint32_t bits = 0;
  bool has(Check c) const { return bits >> static_cast<unsigned>(c) & 1; }
  CheckSet& add(Check c) {
    bits |= 1u << static_cast<unsigned>(c);
    return *this;
  }
  bool empty() const { return bits == 0; }
  static CheckSet all() { return {(1u << static_cast<unsigned>(Check::kCount)) - 1}; }
};

inline std::optional<Check> check_named(std::string_view name) {
  for (size_t i = 0; i < std::size(kCheckNames); ++i)
    if (kCheckNames[i] == name) return static_cast<Check>(i);
  return std::nullopt;
}
inline std::string_view name_of(Check c) { return kCheckNames[static_cast<size_t>(c)]; }

}  // namespace nkic
