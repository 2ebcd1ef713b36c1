// The release table (see releases.h). Sources: nki-spec.md §11 (release notes RN4-RN7, the migration
// guide, the API stubs of each SDK).
#include "trace/releases.h"

#include <algorithm>
#include <iterator>

#include "trace/interpreter.h"

namespace nkic::trace {

namespace {

using R = Release;

// One row per name some release added or removed, sorted by name (checked below).
// clang-format off
constexpr ApiRelease kApis[] = {
    {"nki.isa.tensor_copy_dynamic_dst", R::V0_3, R::V0_4, "nisa.tensor_copy with .ap(scalar_offset=...)"},
    {"nki.isa.tensor_copy_dynamic_src", R::V0_3, R::V0_4, "nisa.tensor_copy with .ap(scalar_offset=...)"},
};
// clang-format on

constexpr bool sorted() {
  for (size_t i = 1; i < std::size(kApis); ++i)
    if (!(kApis[i - 1].name < kApis[i].name)) return false;
  return true;
}
static_assert(sorted(), "release rows are sorted by name");

}  // namespace

std::string_view name_of(Release r) {
  switch (r) {
    case R::V0_3: return "0.3.0";
    case R::V0_4: return "0.4.0";
    case R::V0_5: return "0.5.0";
    case R::V0_6: return "0.6.0";
    case R::V0_7: return "0.7.0";
  }
  return "?";
}

std::optional<Release> parse_release(std::string_view s) {
  if (!s.empty() && (s[0] == 'v' || s[0] == 'V')) s.remove_prefix(1);
  for (R r : {R::V0_3, R::V0_4, R::V0_5, R::V0_6, R::V0_7}) {
    std::string_view full = name_of(r);
    if (s == full || s == full.substr(0, 3)) return r;
  }
  return std::nullopt;
}

const ApiRelease* api_release(std::string_view name) {
  auto it = std::lower_bound(std::begin(kApis), std::end(kApis), name,
                             [](const ApiRelease& a, std::string_view n) { return a.name < n; });
  return it != std::end(kApis) && it->name == name ? &*it : nullptr;
}

void check_release(Interpreter& in, const std::string& name, Span s) {
  const ApiRelease* a = api_release(name);
  if (!a) return;
  std::optional<Release> sel = in.launch.release;
  if (!sel) {  // the default: the newest API, and removed names with a warning
    if (a->removed && in.warn_removed_once(name))
      in.warning(s, "'" + name + "' was removed in NKI " + std::string(name_of(*a->removed)),
                 a->replacement.empty() ? "" : "use " + std::string(a->replacement));
    return;
  }
  if (*sel < a->added)
    in.error(s, "'" + name + "' is not in NKI " + std::string(name_of(*sel)) + ": it was added in NKI " +
                    std::string(name_of(a->added)),
             "select NKI " + std::string(name_of(a->added)) + " or later (NKIC_NKI_RELEASE, nkic --nki)");
  if (a->removed && *sel >= *a->removed)
    in.error(s, "'" + name + "' is not in NKI " + std::string(name_of(*sel)) + ": it was removed in NKI " +
                    std::string(name_of(*a->removed)),
             a->replacement.empty() ? "" : "use " + std::string(a->replacement));
}

}  // namespace nkic::trace
