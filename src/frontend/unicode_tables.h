// Tables generated at build time by src/frontend/gen_unicode_tables.py from the build's Python
// (its unicodedata and codecs: Python 3.11 -> Unicode 14.0.0). Used only by unicode.cpp.
#pragma once

#include <cstddef>
#include <cstdint>

namespace nkic::unicode::tables {

struct Range {
  uint32_t lo, hi;  // inclusive
};
struct CccRange {
  uint32_t lo, hi;
  uint8_t ccc;
};
struct Decomposition {
  uint32_t cp;
  uint32_t offset;  // into kDecompPool
  uint32_t length;
};
struct Composition {
  uint32_t first, second, composite;
};
struct HexNameRange {
  const char* prefix;  // the name is PREFIX-%04X of the code point
  uint32_t lo, hi;
};
// How a source encoding is handled (the generator's K_* constants).
enum CodecKind : uint8_t {
  kUtf8 = 0,           // utf_8, utf_8_sig: the text must be valid UTF-8
  kSingleByte = 1,     // a 256-entry decode table in kSingleByteTables
  kAsciiSuperset = 2,  // a multi-byte codec that decodes ASCII as ASCII (shift_jis, gbk, ...)
  kOtherText = 3,      // utf_16, utf_7, unicode_escape, ...
  kNotText = 4,        // hex, rot13, base64, ...: "is not a text encoding"
  kUndefined = 5,      // the 'undefined' codec
};
struct CodecInfo {
  const char* module;  // Python's encodings module name
  uint8_t kind;
  int16_t table;      // row of kSingleByteTables, or -1
  const char* error;  // printf format of the decode error (byte, position)
};
struct CodecAlias {
  const char* alias;
  const char* module;
};

extern const char kUnicodeVersion[];

extern const Range kXidStart[], kXidContinue[], kNonPrintable[];
extern const size_t kXidStartCount, kXidContinueCount, kNonPrintableCount;

extern const CccRange kCcc[];
extern const size_t kCccCount;
extern const Decomposition kDecomp[];
extern const size_t kDecompCount;
extern const uint32_t kDecompPool[];
extern const Composition kCompose[];  // sorted by (first, second)
extern const size_t kComposeCount;

extern const Range kCjkUnified[];
extern const size_t kCjkUnifiedCount;
extern const HexNameRange kHexNames[];
extern const size_t kHexNamesCount;
// Names: words (each ends with '\n'), then sorted names in blocks of kNameBlockSize, front coded:
// [shared word count][new word count][word ids: 1 byte < 0x80, else 2 bytes][code point: 3 bytes].
extern const char kNameWords[];
extern const size_t kNameWordsSize, kNameWordCount;
extern const char kNameData[];  // base64
extern const size_t kNameDataSize;
extern const uint32_t kNameBlockOffsets[];
extern const size_t kNameCount, kNameBlockSize;

extern const char kSingleByteTables[];  // base64 of uint16 little-endian rows of 256 (0xFFFF: undefined)
extern const size_t kSingleByteTablesSize;
extern const CodecInfo kCodecs[];  // sorted by module
extern const size_t kCodecsCount;
extern const CodecAlias kCodecAliases[];  // sorted by alias
extern const size_t kCodecAliasesCount;

}  // namespace nkic::unicode::tables
