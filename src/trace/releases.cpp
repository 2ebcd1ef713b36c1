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
    // Constructs, not names (checked where the interpreter meets them).
    {"`while` on a register", R::V0_3, R::V0_7, "nl.while_loop(init, body)"},
    {"nki.collectives.all_gather_v", R::V0_6, std::nullopt, ""},
    // NKI 0.6.0-0.7.0: scalars, prepare/trigger collectives, instruction handles (engineer R4).
    {"nki.collectives.all_gather_v_prepare", R::V0_7, std::nullopt, ""},
    {"nki.collectives.all_gather_v_trigger", R::V0_7, std::nullopt, ""},
    {"nki.collectives.all_to_all_v_prepare", R::V0_7, std::nullopt, ""},
    {"nki.collectives.all_to_all_v_trigger", R::V0_7, std::nullopt, ""},
    {"nki.isa.NkiInstruction", R::V0_6, std::nullopt, ""},
    {"nki.isa.NkiScalar", R::V0_7, std::nullopt, ""},
    {"nki.isa.activate2", R::V0_4, std::nullopt, ""},
    {"nki.isa.get_nc_sub_version", R::V0_5, std::nullopt, ""},
    {"nki.isa.scalar_load", R::V0_7, std::nullopt, ""},
    {"nki.isa.scalar_store", R::V0_7, std::nullopt, ""},
    {"nki.isa.tensor_copy_dynamic_dst", R::V0_3, R::V0_4, "nisa.tensor_copy with .ap(scalar_offset=...)"},
    {"nki.isa.tensor_copy_dynamic_src", R::V0_3, R::V0_4, "nisa.tensor_copy with .ap(scalar_offset=...)"},
    {"nki.isa.topk", R::V0_6, std::nullopt, ""},
    {"nki.language.NkiBlockGrid", R::V0_7, std::nullopt, ""},
    {"nki.language.NkiGrid", R::V0_7, std::nullopt, ""},
    {"nki.language.NkiTileGrid", R::V0_7, std::nullopt, ""},
    {"nki.language.abs_max", R::V0_4, std::nullopt, ""},
    {"nki.language.abs_min", R::V0_4, std::nullopt, ""},
    {"nki.language.alloc_blocks", R::V0_7, std::nullopt, ""},
    {"nki.language.alloc_tiles", R::V0_7, std::nullopt, ""},
    {"nki.language.blocks", R::V0_7, std::nullopt, ""},
    {"nki.language.bypass", R::V0_4, std::nullopt, ""},
    {"nki.language.dynamic_range", R::V0_3, R::V0_7, "nl.fori_loop(lower, upper, body)"},
    {"nki.language.float8_e8m0fnu", R::V0_5, std::nullopt, ""},
    {"nki.language.fori_loop", R::V0_6, std::nullopt, ""},
    {"nki.language.int64", R::V0_7, std::nullopt, ""},  // NkiScalar tiles (engineer R2, issue #15 small items)
    {"nki.language.prelu", R::V0_4, std::nullopt, ""},
    {"nki.language.tile_size.psum_bank_fmax", R::V0_4, std::nullopt, ""},
    {"nki.language.tile_size.psum_bank_fmax_bytes", R::V0_4, std::nullopt, ""},
    {"nki.language.tile_size.psum_num_banks", R::V0_5, std::nullopt, ""},
    {"nki.language.tile_size.sbuf_fmax", R::V0_4, std::nullopt, ""},
    {"nki.language.tile_size.sbuf_fmax_bytes", R::V0_4, std::nullopt, ""},
    {"nki.language.tile_size.sbuf_size_bytes", R::V0_4, std::nullopt, ""},
    {"nki.language.tiles", R::V0_7, std::nullopt, ""},
    {"nki.language.while_loop", R::V0_6, std::nullopt, ""},
};
// clang-format on

// Names a release deprecated and still has (a warning from that release on, and in the default), sorted.
// `explicit_only`: warned only when that release is selected explicitly (the default accepts every 0.3.0
// kernel silently, and nearly all of them loop with affine_range).
struct Deprecation {
  std::string_view name;
  Release since;
  std::string_view replacement;
  bool explicit_only;
};
// clang-format off
constexpr Deprecation kDeprecated[] = {
    {"`while` on a register", R::V0_6, "nl.while_loop(init, body)", false},
    {"nki.language.affine_range", R::V0_7, "range(...) (it acts as Python's range from NKI 0.7.0)", true},
    {"nki.language.dynamic_range", R::V0_6, "nl.fori_loop(lower, upper, body)", false},
    {"nki.language.sequential_range", R::V0_7, "range(...) (it acts as Python's range from NKI 0.7.0)", true},
    {"nki.language.static_range", R::V0_7, "range(...) (it acts as Python's range from NKI 0.7.0)", true},
    {"nki.language.tile_size.total_available_sbuf_size", R::V0_4, "nl.tile_size.sbuf_fmax_bytes (same value)", false},
};
// clang-format on

template <class Row, size_t N>
constexpr bool sorted(const Row (&rows)[N]) {
  for (size_t i = 1; i < N; ++i)
    if (!(rows[i - 1].name < rows[i].name)) return false;
  return true;
}
static_assert(sorted(kApis), "release rows are sorted by name");
static_assert(sorted(kDeprecated), "deprecation rows are sorted by name");

template <class Row, size_t N>
const Row* find_row(const Row (&rows)[N], std::string_view name) {
  auto it = std::lower_bound(std::begin(rows), std::end(rows), name,
                             [](const Row& a, std::string_view n) { return a.name < n; });
  return it != std::end(rows) && it->name == name ? &*it : nullptr;
}

// A qualified name quoted ('nki.language.dynamic_range'); a construct as written ("`while` on a register").
std::string shown(std::string_view name) {
  return name.rfind("nki", 0) == 0 ? "'" + std::string(name) + "'" : std::string(name);
}
std::string use(std::string_view replacement) { return replacement.empty() ? "" : "use " + std::string(replacement); }

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

const ApiRelease* api_release(std::string_view name) { return find_row(kApis, name); }

void check_release(Interpreter& in, const std::string& name, Span s) {
  if (in.launch.legacy) return;  // a Beta 1 launch: the legacy language, no NKI release
  const ApiRelease* a = api_release(name);
  const Deprecation* d = find_row(kDeprecated, name);
  if (!a && !d) return;
  std::optional<Release> sel = in.launch.release;
  if (a && sel && *sel < a->added)
    in.error(s,
             shown(name) + " is not in NKI " + std::string(name_of(*sel)) + ": it was added in NKI " +
                 std::string(name_of(a->added)),
             "select NKI " + std::string(name_of(a->added)) + " or later (NKIC_NKI_RELEASE, nkic --nki)");
  if (a && a->removed && sel && *sel >= *a->removed)
    in.error(s,
             shown(name) + " is not in NKI " + std::string(name_of(*sel)) + ": it was removed in NKI " +
                 std::string(name_of(*a->removed)),
             use(a->replacement));
  if (a && a->removed && !sel) {  // the default: the newest API, and removed names with a warning
    if (in.warn_removed_once(name))
      in.warning(s, shown(name) + " was removed in NKI " + std::string(name_of(*a->removed)), use(a->replacement));
    return;
  }
  if (d && (sel ? *sel >= d->since : !d->explicit_only) && in.warn_removed_once(name))
    in.warning(s, shown(name) + " is deprecated since NKI " + std::string(name_of(d->since)), use(d->replacement));
}

void check_legacy_namespace(Interpreter& in, const std::string& dotted, Span s) {
  if (in.launch.legacy) return;  // a Beta 1 launcher expects it
  std::string modern = "nki" + dotted.substr(std::string("neuronxcc.nki").size());
  std::optional<Release> sel = in.launch.release;
  if (sel && *sel >= R::V0_4)
    in.error(s,
             "'" + dotted + "' (the legacy NKI namespace) is not in NKI " + std::string(name_of(*sel)) +
                 ": kernels cannot use it since NKI 0.4.0",
             "use '" + modern + "'");
  // 0.3.0 and the default: a warning (the default accepts constructs later releases removed).
  in.warning(s, "'" + dotted + "' is the legacy NKI namespace", "use '" + modern + "' (NKI 0.3.0)");
}

}  // namespace nkic::trace
