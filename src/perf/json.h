// Small JSON writing helpers shared by the summary, the Perfetto trace and the HTML report's data.
#pragma once

#include <string>
#include <string_view>

namespace nkic::perf {

// Appends s as a JSON string literal (quotes included). Control characters, quotes and backslashes are
// escaped; '<' too (as \u003c), so the text can sit inside an HTML <script> element.
void append_json_string(std::string& out, std::string_view s);
// Appends v as a JSON number with up to `digits` significant digits; non-finite values become null.
void append_json_number(std::string& out, double v, int digits = 12);

}  // namespace nkic::perf
