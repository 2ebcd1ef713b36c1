// Unicode services of the Python front end, matching the CPython that built us (3.11: Unicode 14.0):
// identifier classes (PEP 3131), NFKC normalisation of identifiers, `\N{...}` name lookup, and the
// PEP 263 source codecs. The data is generated at build time (gen_unicode_tables.py).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace nkic::unicode {

const char* unicode_version();  // "14.0.0"

// XID_Start / XID_Continue as CPython's str.isidentifier() sees them (for non-ASCII code points;
// ASCII callers should use their own fast path).
bool is_xid_start(uint32_t cp);
bool is_xid_continue(uint32_t cp);
bool is_printable(uint32_t cp);  // str.isprintable() of one character

// NFKC of valid UTF-8 text (unicodedata.normalize("NFKC", s)).
std::string nfkc(std::string_view utf8);

// The code point of a `\N{name}` escape, as CPython's string literals resolve it: names and formal
// aliases case-insensitively, Hangul syllables and CJK unified ideographs algorithmically; no named
// sequences.
bool lookup_name(std::string_view name, uint32_t& cp);

// Appends code point `cp` as UTF-8 (surrogates encoded as 3 bytes).
void append_utf8(std::string& out, uint32_t cp);

// ---- source codecs (PEP 263) ----

enum class CodecKind { Utf8, SingleByte, AsciiSuperset, OtherText, NotText, Undefined };

struct Codec {
  const char* module = nullptr;  // Python's module name, e.g. "cp1252"
  CodecKind kind = CodecKind::Utf8;
  int table = -1;
  const char* error = nullptr;  // printf format of a decode error: byte, position
};

// Resolves an encoding name the way codecs.lookup() does (normalisation and aliases). False if
// Python would report "unknown encoding".
bool find_codec(std::string_view name, Codec& codec);

// Decodes `text` with a single-byte codec, appending UTF-8 to `out`. Returns false at the first
// undefined byte (its offset in `bad`).
bool decode_single_byte(const Codec& codec, std::string_view text, std::string& out, size_t& bad);

}  // namespace nkic::unicode
