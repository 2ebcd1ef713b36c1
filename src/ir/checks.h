// The checkers (issue #17, docs/checks.md): bugs a sequential simulator would hide and hardware would
// show. Each has a name users select it by (`nkic.check(..., checks="a,b")`, `nkic run --checks=`);
// a finding is a Diagnostic whose `code` is that name, with the other side of a race as a note.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
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

// The cheap checks, on by default (as warnings in nki.simulate and `nkic run`; docs/checks.md has their
// cost): the static ones and uninit-read. shuffle (a second run) and nonfinite (a scan of every output)
// are asked for by name.
inline CheckSet default_checks() {
  return CheckSet{}.add(Check::AffineDependence).add(Check::PsumGroup).add(Check::LncRace).add(Check::UninitRead);
}

// A selection as users write it (NKIC_CHECKS, --checks=, checks=): "all", "none", "default" or names
// separated by commas. Throws std::invalid_argument naming the checks for an unknown name.
inline CheckSet parse_checks(std::string_view text) {
  if (text == "all") return CheckSet::all();
  if (text == "default") return default_checks();
  CheckSet s;
  if (text == "none" || text.empty()) return s;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view name = text.substr(0, comma);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (!name.empty()) {
      auto c = check_named(name);
      if (!c) {
        std::string list;
        for (std::string_view n : kCheckNames) list += (list.empty() ? "" : ", ") + std::string(n);
        throw std::invalid_argument("unknown check '" + std::string(name) + "' (checks: " + list +
                                    "; or all, none, default)");
      }
      s.add(*c);
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return s;
}

}  // namespace nkic
