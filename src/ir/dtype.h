// The NKI element types: one table row per dtype (name, size, class).
// Used by the IR (tensor and access-pattern types) and the simulator (numerics).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace nkic {

// X(enumerator, nki name, bytes per element, is_float, is_signed_int)
#define NKIC_DTYPES(X)                                                                             \
  X(Bool, "bool", 1, false, false)                                                                 \
  X(Int8, "int8", 1, false, true)                                                                  \
  X(UInt8, "uint8", 1, false, false)                                                               \
  X(Int16, "int16", 2, false, true)                                                                \
  X(UInt16, "uint16", 2, false, false)                                                             \
  X(Int32, "int32", 4, false, true)                                                                \
  X(UInt32, "uint32", 4, false, false)                                                             \
  X(Float16, "float16", 2, true, false)                                                            \
  X(BFloat16, "bfloat16", 2, true, false)                                                          \
  X(TFloat32, "tfloat32", 4, true, false)                                                          \
  X(Float32, "float32", 4, true, false)                                                            \
  X(Float8E4M3, "float8_e4m3", 1, true, false)                                                     \
  X(Float8E4M3FN, "float8_e4m3fn", 1, true, false)                                                 \
  X(Float8E5M2, "float8_e5m2", 1, true, false)                                                     \
  X(Float8E5M2x4, "float8_e5m2_x4", 4, true, false)                                                \
  X(Float8E4M3FNx4, "float8_e4m3fn_x4", 4, true, false)                                            \
  X(Float4E2M1FNx4, "float4_e2m1fn_x4", 2, true, false)                                            \
  X(Float8E8M0FNU, "float8_e8m0fnu", 1, true, false) /* NKI 0.5.0: the MX scale type, 2^(e-127) */ \
  X(Int64, "int64", 8, false, true) /* NKI 0.7.0: (1, 1) NkiScalar tiles only (DMA, memset, scalar_load) */

enum class DType : uint8_t {
#define X(e, n, b, f, s) e,
  NKIC_DTYPES(X)
#undef X
};

struct DTypeInfo {
  std::string_view name;
  int bytes;
  bool is_float;
  bool is_signed_int;
};

inline const DTypeInfo& info(DType t) {
  static constexpr DTypeInfo table[] = {
#define X(e, n, b, f, s) {n, b, f, s},
      NKIC_DTYPES(X)
#undef X
  };
  return table[static_cast<int>(t)];
}

inline int size_of(DType t) { return info(t).bytes; }
inline std::string_view name_of(DType t) { return info(t).name; }
inline bool is_float(DType t) { return info(t).is_float; }
inline bool is_int(DType t) { return !info(t).is_float && t != DType::Bool; }
// Packed MX storage types (several values per element).
inline bool is_packed(DType t) {
  return t == DType::Float8E5M2x4 || t == DType::Float8E4M3FNx4 || t == DType::Float4E2M1FNx4;
}

inline std::optional<DType> dtype_from_name(std::string_view n) {
#define X(e, nm, b, f, s) \
  if (n == nm) return DType::e;
  NKIC_DTYPES(X)
#undef X
  if (n == "bool_") return DType::Bool;
  return std::nullopt;
}

}  // namespace nkic
