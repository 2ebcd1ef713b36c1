// The target table (values from nki-spec.md §4.3 and §9.2).
#include "target/target.h"

namespace nkic {

namespace {
constexpr Target kTargets[] = {
    // kind, name, ncv, P, sbuf phys, sbuf usable, psum, bank, banks, stat, mov, psum_fmax, bn, psum align, sbuf align
    {TargetKind::Trn1, "trn1", 2, 128, 196608, 180224, 16384, 2048, 8, 128, 512, 512, 512, 4, 1},
    {TargetKind::Trn2, "trn2", 3, 128, 229376, 212984, 16384, 2048, 8, 128, 512, 512, 512, 4, 1},
    {TargetKind::Trn3, "trn3", 4, 128, 262144, 245752, 16384, 2048, 8, 128, 512, 512, 512, 4, 1},
};
}  // namespace

const Target& target(TargetKind k) { return kTargets[static_cast<int>(k)]; }

std::optional<TargetKind> parse_target(std::string_view n) {
  if (n == "trn1" || n == "inf2" || n == "gen2") return TargetKind::Trn1;
  if (n == "trn2" || n == "gen3") return TargetKind::Trn2;
  if (n == "trn3" || n == "gen4") return TargetKind::Trn3;
  return std::nullopt;
}

}  // namespace nkic
