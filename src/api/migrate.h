// `nkic migrate`: finds, in a Beta 1 (neuronxcc.nki) kernel file, every construct that must change for NKI
// 0.3.0 (legacy-spec.md §8), and rewrites the mechanical ones. The rewrite works on the front end's AST
// spans: text outside the changed spans is kept byte for byte.
#pragma once

#include <string>
#include <vector>

namespace nkic::api {

struct MigrateFinding {
  unsigned line = 0, col = 0;  // 1-based line, 1-based column
  std::string construct;       // the Beta 1 form found
  std::string replacement;     // its 0.3.0 replacement
  bool fixed = false;          // --fix rewrites it (else a `# nkic migrate:` comment is left above its line)
};

struct MigrateResult {
  std::vector<MigrateFinding> findings;  // in source order
  std::string fixed_source;              // the file with the fixes applied and comments added
};

// Parses `source` (throws UserError on a syntax error) and migrates it.
MigrateResult migrate(const std::string& path, const std::string& source);

// "PATH:LINE:COL: construct -> replacement [fixed]" lines, one per finding.
std::string render_findings(const std::string& path, const std::vector<MigrateFinding>& findings);

}  // namespace nkic::api
