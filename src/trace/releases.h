// The NKI releases nkic speaks (0.3.0 to 0.7.0, nki-spec.md §11) and which of them has each API name.
// A compile either selects a release (CompileOptions::release: NKIC_NKI_RELEASE / `nkic --nki`) or
// takes the default: 0.7.0's API plus every name a later release removed, accepted with a warning that
// names the replacement. Under a selected release, a name it does not have is an error naming the
// release that added or removed it. One table row per name that some release added or removed
// (releases.cpp); names not in the table exist in every release.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "support/source.h"

namespace nkic::trace {

class Interpreter;

enum class Release : uint8_t { V0_3, V0_4, V0_5, V0_6, V0_7 };
constexpr Release kNewestRelease = Release::V0_7;

std::string_view name_of(Release r);                       // "0.3.0" ... "0.7.0"
std::optional<Release> parse_release(std::string_view s);  // "0.5", "0.5.0", "v0.5" (not "0.8")

struct ApiRelease {
  std::string_view name;           // qualified: "nki.isa.activate2", "nki.language.dynamic_range"
  Release added;                   // the first release that has it (V0_3: in 0.3.0 already)
  std::optional<Release> removed;  // the first release that no longer has it
  std::string_view replacement;    // what to use instead (for removed names), or ""
};
// The row of a qualified name, or nullptr (a name every release has).
const ApiRelease* api_release(std::string_view qualified_name);

// Checks `qualified_name`, used at `s`, against the compile's release: an error when the selected
// release lacks it, a warning (once per name) when the default accepts a removed name.
// Also names a release deprecated (a warning under that release and later; in the default unless the
// deprecation is explicit-only) and constructs that are not names ("`while` on a register"). A Beta 1
// launch (Launch::legacy) is never checked.
void check_release(Interpreter& in, const std::string& qualified_name, Span s);

// `import neuronxcc.nki...` in an nki kernel: a warning in 0.3.0 and the default, an error from 0.4.0
// (not checked for a Beta 1 launch).
void check_legacy_namespace(Interpreter& in, const std::string& dotted, Span s);

}  // namespace nkic::trace
