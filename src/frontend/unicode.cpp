#include "frontend/unicode.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <vector>

#include "frontend/unicode_tables.h"

namespace nkic::unicode {

namespace t = tables;

namespace {

bool in_ranges(const t::Range* r, size_t n, uint32_t cp) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (r[mid].hi < cp)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < n && r[lo].lo <= cp;
}

std::string base64_decode(const char* s, size_t size) {
  static const auto value = [] {
    std::vector<int> v(256, -1);
    const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; ++i) v[static_cast<unsigned char>(a[i])] = i;
    return v;
  }();
  std::string out;
  out.reserve(size);
  uint32_t acc = 0;
  int bits = 0;
  for (; *s; ++s) {
    int d = value[static_cast<unsigned char>(*s)];
    if (d < 0) continue;  // '=' padding
    acc = (acc << 6) | static_cast<uint32_t>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  out.resize(size);
  return out;
}

// ---- UTF-8 ----

std::vector<uint32_t> to_u32(std::string_view s) {
  std::vector<uint32_t> out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp;
    int len;
    if (c < 0x80)
      cp = c, len = 1;
    else if ((c & 0xE0) == 0xC0)
      cp = c & 0x1F, len = 2;
    else if ((c & 0xF0) == 0xE0)
      cp = c & 0x0F, len = 3;
    else
      cp = c & 0x07, len = 4;
    for (int k = 1; k < len && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += len;
  }
  return out;
}

// ---- normalisation data ----

constexpr uint32_t SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7;
constexpr uint32_t LCount = 19, VCount = 21, TCount = 28, NCount = VCount * TCount, SCount = LCount * NCount;

int ccc(uint32_t cp) {
  if (cp < 0x300) return 0;
  size_t lo = 0, hi = t::kCccCount;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (t::kCcc[mid].hi < cp)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < t::kCccCount && t::kCcc[lo].lo <= cp ? t::kCcc[lo].ccc : 0;
}

const t::Decomposition* decomposition(uint32_t cp) {
  const t::Decomposition* b = t::kDecomp;
  const t::Decomposition* e = t::kDecomp + t::kDecompCount;
  auto it = std::lower_bound(b, e, cp, [](const t::Decomposition& d, uint32_t c) { return d.cp < c; });
  return it != e && it->cp == cp ? it : nullptr;
}

bool is_composition_first(uint32_t cp) {
  const t::Composition* b = t::kCompose;
  const t::Composition* e = t::kCompose + t::kComposeCount;
  auto it = std::lower_bound(b, e, cp, [](const t::Composition& c, uint32_t v) { return c.first < v; });
  return it != e && it->first == cp;
}

// The primary composite of (a, b), or 0.
uint32_t compose(uint32_t a, uint32_t b) {
  const t::Composition* lo = t::kCompose;
  const t::Composition* hi = t::kCompose + t::kComposeCount;
  auto it =
      std::lower_bound(lo, hi, std::make_pair(a, b), [](const t::Composition& c, std::pair<uint32_t, uint32_t> v) {
        return c.first < v.first || (c.first == v.first && c.second < v.second);
      });
  return it != hi && it->first == a && it->second == b ? it->composite : 0;
}

}  // namespace

const char* unicode_version() { return t::kUnicodeVersion; }

bool is_xid_start(uint32_t cp) { return in_ranges(t::kXidStart, t::kXidStartCount, cp); }
bool is_xid_continue(uint32_t cp) { return in_ranges(t::kXidContinue, t::kXidContinueCount, cp); }
bool is_printable(uint32_t cp) { return !in_ranges(t::kNonPrintable, t::kNonPrintableCount, cp); }

// CPython's unicodedata.normalize("NFKC"): full compatibility decomposition, canonical ordering,
// then canonical composition (a port of nfd_nfkd + nfc_nfkc in Modules/unicodedata.c).
std::string nfkc(std::string_view utf8) {
  std::vector<uint32_t> in = to_u32(utf8);
  std::vector<uint32_t> d;
  d.reserve(in.size() * 2);
  for (uint32_t cp : in) {
    if (cp >= SBase && cp < SBase + SCount) {
      uint32_t s = cp - SBase;
      d.push_back(LBase + s / NCount);
      d.push_back(VBase + (s % NCount) / TCount);
      if (s % TCount) d.push_back(TBase + s % TCount);
    } else if (const t::Decomposition* dec = cp >= 0xA0 ? decomposition(cp) : nullptr) {
      d.insert(d.end(), t::kDecompPool + dec->offset, t::kDecompPool + dec->offset + dec->length);
    } else {
      d.push_back(cp);
    }
  }
  // Canonical ordering: stable insertion sort of each run of non-starters by combining class.
  std::vector<int> cc(d.size());
  for (size_t i = 0; i < d.size(); ++i) cc[i] = ccc(d[i]);
  for (size_t i = 1; i < d.size(); ++i) {
    if (cc[i] == 0) continue;
    for (size_t j = i; j > 0 && cc[j - 1] > cc[j] && cc[j] != 0; --j) {
      std::swap(d[j - 1], d[j]);
      std::swap(cc[j - 1], cc[j]);
    }
  }
  // Composition.
  std::vector<uint32_t> out;
  out.reserve(d.size());
  std::vector<size_t> skipped;
  const size_t len = d.size();
  size_t i = 0;
  while (i < len) {
    auto sk = std::find(skipped.begin(), skipped.end(), i);
    if (sk != skipped.end()) {
      skipped.erase(sk);
      ++i;
      continue;
    }
    uint32_t code = d[i];
    if (code >= LBase && code < LBase + LCount && i + 1 < len && d[i + 1] >= VBase && d[i + 1] < VBase + VCount) {
      code = SBase + ((code - LBase) * VCount + (d[i + 1] - VBase)) * TCount;
      i += 2;
      if (i < len && d[i] > TBase && d[i] < TBase + TCount) code += d[i++] - TBase;
      out.push_back(code);
      continue;
    }
    if (!is_composition_first(code)) {
      out.push_back(code);
      ++i;
      continue;
    }
    size_t i1 = i + 1;
    int comb = 0;
    out.push_back(code);
    ++i;
    while (i1 < len) {
      uint32_t code1 = d[i1];
      int comb1 = cc[i1];
      if (comb) {
        if (comb1 == 0) break;
        if (comb >= comb1) {  // blocked
          ++i1;
          continue;
        }
      }
      uint32_t c = compose(out.back(), code1);
      if (c == 0) {
        if (comb1 == 0) break;
        comb = comb1;
        ++i1;
        continue;
      }
      out.back() = c;
      skipped.push_back(i1);
      ++i1;
      if (!is_composition_first(c)) break;
    }
  }
  std::string r;
  r.reserve(utf8.size());
  for (uint32_t cp : out) append_utf8(r, cp);
  return r;
}

// ---------------------------------------------------------------------------------------------
// Character names.

namespace {

const char* const kJamoL[] = {"G",  "GG", "N", "D",  "DD", "R", "M", "B", "BB", "S",
                              "SS", "",   "J", "JJ", "C",  "K", "T", "P", "H"};
const char* const kJamoV[] = {"A",  "AE", "YA", "YAE", "EO", "E",  "YEO", "YE", "O",  "WA", "WAE",
                              "OE", "YO", "U",  "WEO", "WE", "WI", "YU",  "EU", "YI", "I"};
const char* const kJamoT[] = {"",   "G",  "GG", "GS", "N",  "NJ", "NH", "D",  "L", "LG", "LM", "LB", "LS", "LT",
                              "LP", "LH", "M",  "B",  "BS", "S",  "SS", "NG", "J", "C",  "K",  "T",  "P",  "H"};

// tokenizer's find_syllable: the longest jamo short name at the start of `s` (case-sensitive).
int find_syllable(std::string_view s, size_t& len, const char* const* names, int count) {
  int pos = -1;
  long best = -1;
  for (int i = 0; i < count; ++i) {
    long l = static_cast<long>(std::strlen(names[i]));
    if (l <= best) continue;
    if (static_cast<size_t>(l) <= s.size() && s.compare(0, l, names[i]) == 0) {
      best = l;
      pos = i;
    }
  }
  len = best < 0 ? 0 : static_cast<size_t>(best);
  return pos;
}

struct NameTable {
  std::string data;
  std::vector<uint32_t> word_off;  // word i is kNameWords[word_off[i], word_off[i + 1] - 1)
  std::string_view word(uint32_t i) const {
    return std::string_view(t::kNameWords + word_off[i], word_off[i + 1] - word_off[i] - 1);
  }
};

const NameTable& name_table() {
  static const NameTable table = [] {
    NameTable nt;
    nt.data = base64_decode(t::kNameData, t::kNameDataSize);
    nt.word_off.push_back(0);
    for (size_t i = 0; i < t::kNameWordsSize; ++i)
      if (t::kNameWords[i] == '\n') nt.word_off.push_back(static_cast<uint32_t>(i + 1));
    return nt;
  }();
  return table;
}

// Decodes the entry at `p`, updating `words` (the previous entry's word ids) and `name`.
size_t decode_entry(const NameTable& nt, size_t p, std::vector<uint32_t>& words, std::string& name, uint32_t& cp) {
  const unsigned char* d = reinterpret_cast<const unsigned char*>(nt.data.data());
  size_t shared = d[p], fresh = d[p + 1];
  p += 2;
  words.resize(shared);
  for (size_t k = 0; k < fresh; ++k) {
    uint32_t id = d[p++];
    if (id & 0x80) id = ((id & 0x7F) << 8) | d[p++];
    words.push_back(id);
  }
  cp = (static_cast<uint32_t>(d[p]) << 16) | (static_cast<uint32_t>(d[p + 1]) << 8) | d[p + 2];
  p += 3;
  name.clear();
  for (uint32_t w : words) name += nt.word(w);
  return p;
}

bool lookup_table(std::string_view upper, uint32_t& cp) {
  const NameTable& nt = name_table();
  const size_t nblocks = (t::kNameCount + t::kNameBlockSize - 1) / t::kNameBlockSize;
  std::vector<uint32_t> words;
  std::string name;
  // The last block whose first name is <= the query.
  size_t lo = 0, hi = nblocks;
  while (hi - lo > 1) {
    size_t mid = (lo + hi) / 2;
    uint32_t c;
    words.clear();
    decode_entry(nt, t::kNameBlockOffsets[mid], words, name, c);
    if (std::string_view(name) <= upper)
      lo = mid;
    else
      hi = mid;
  }
  size_t p = t::kNameBlockOffsets[lo];
  words.clear();
  for (size_t k = 0; k < t::kNameBlockSize && lo * t::kNameBlockSize + k < t::kNameCount; ++k) {
    uint32_t c;
    p = decode_entry(nt, p, words, name, c);
    if (name == upper) {
      cp = c;
      return true;
    }
    if (std::string_view(name) > upper) break;
  }
  return false;
}

}  // namespace

bool lookup_name(std::string_view name, uint32_t& cp) {
  // Modules/unicodedata.c _getcode, as used by the unicode-escape decoder. The algorithmic names
  // match case-sensitively (strncmp); the others case-insensitively.
  if (name.substr(0, 16) == "HANGUL SYLLABLE ") {
    std::string_view s = name.substr(16);
    size_t l1, l2, l3;
    int L = find_syllable(s, l1, kJamoL, LCount);
    s.remove_prefix(l1);
    int V = find_syllable(s, l2, kJamoV, VCount);
    s.remove_prefix(l2);
    int T = find_syllable(s, l3, kJamoT, TCount);
    s.remove_prefix(l3);
    if (L < 0 || V < 0 || T < 0 || !s.empty()) return false;
    cp = SBase + (static_cast<uint32_t>(L) * VCount + static_cast<uint32_t>(V)) * TCount + static_cast<uint32_t>(T);
    return true;
  }
  if (name.substr(0, 22) == "CJK UNIFIED IDEOGRAPH-") {
    std::string_view hex = name.substr(22);
    if (hex.size() != 4 && hex.size() != 5) return false;
    uint32_t v = 0;
    for (char c : hex) {
      if (c >= '0' && c <= '9')
        v = v * 16 + static_cast<uint32_t>(c - '0');
      else if (c >= 'A' && c <= 'F')
        v = v * 16 + static_cast<uint32_t>(c - 'A' + 10);
      else
        return false;
    }
    if (!in_ranges(t::kCjkUnified, t::kCjkUnifiedCount, v)) return false;
    cp = v;
    return true;
  }
  std::string upper(name);
  for (char& c : upper)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  size_t dash = upper.rfind('-');
  if (dash != std::string::npos && upper.size() - dash - 1 >= 4 && upper.size() - dash - 1 <= 6) {
    std::string_view prefix(upper.data(), dash);
    for (size_t i = 0; i < t::kHexNamesCount; ++i) {
      const t::HexNameRange& r = t::kHexNames[i];
      if (prefix != r.prefix) continue;
      uint32_t v = 0;
      bool ok = true;
      for (size_t k = dash + 1; k < upper.size() && ok; ++k) {
        char c = upper[k];
        if (c >= '0' && c <= '9')
          v = v * 16 + static_cast<uint32_t>(c - '0');
        else if (c >= 'A' && c <= 'F')
          v = v * 16 + static_cast<uint32_t>(c - 'A' + 10);
        else
          ok = false;
      }
      char buf[16];
      std::snprintf(buf, sizeof buf, "%04X", v);
      if (ok && v >= r.lo && v <= r.hi && upper.compare(dash + 1, std::string::npos, buf) == 0) {
        cp = v;
        return true;
      }
    }
  }
  return lookup_table(upper, cp);
}

// ---------------------------------------------------------------------------------------------
// Codecs.

namespace {

// codecs.lookup's normalisation: lower case, and encodings.normalize_encoding (every run of
// characters other than alphanumerics and '.' becomes one '_', none at the ends).
std::string normalize_encoding(std::string_view name) {
  std::string out;
  bool punct = false;
  for (char ch : name) {
    unsigned char c = static_cast<unsigned char>(ch);
    bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (alnum || c == '.') {
      if (punct && !out.empty()) out.push_back('_');
      out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
      punct = false;
    } else {
      punct = true;
    }
  }
  return out;
}

const t::CodecInfo* find_module(std::string_view m) {
  const t::CodecInfo* b = t::kCodecs;
  const t::CodecInfo* e = t::kCodecs + t::kCodecsCount;
  auto it = std::lower_bound(b, e, m, [](const t::CodecInfo& c, std::string_view v) { return c.module < v; });
  return it != e && it->module == m ? it : nullptr;
}

const char* find_alias(std::string_view a) {
  const t::CodecAlias* b = t::kCodecAliases;
  const t::CodecAlias* e = t::kCodecAliases + t::kCodecAliasesCount;
  auto it = std::lower_bound(b, e, a, [](const t::CodecAlias& c, std::string_view v) { return c.alias < v; });
  return it != e && it->alias == a ? it->module : nullptr;
}

}  // namespace

bool find_codec(std::string_view name, Codec& codec) {
  std::string norm = normalize_encoding(name);
  const char* aliased = find_alias(norm);
  if (!aliased) {
    std::string dotless = norm;
    std::replace(dotless.begin(), dotless.end(), '.', '_');
    aliased = find_alias(dotless);
  }
  std::string candidates[2] = {aliased ? aliased : "", norm};
  for (const std::string& m : candidates) {
    if (m.empty() || m.find('.') != std::string::npos) continue;
    if (const t::CodecInfo* c = find_module(m)) {
      codec.module = c->module;
      codec.kind = static_cast<CodecKind>(c->kind);
      codec.table = c->table;
      codec.error = c->error;
      return true;
    }
  }
  return false;
}

bool decode_single_byte(const Codec& codec, std::string_view text, std::string& out, size_t& bad) {
  static const std::string tables = base64_decode(t::kSingleByteTables, t::kSingleByteTablesSize);
  const unsigned char* row = reinterpret_cast<const unsigned char*>(tables.data()) + 512 * codec.table;
  out.reserve(out.size() + text.size() + text.size() / 4);
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned c = static_cast<unsigned char>(text[i]);
    uint32_t cp = row[2 * c] | (static_cast<uint32_t>(row[2 * c + 1]) << 8);
    if (cp == 0xFFFF) {
      bad = i;
      return false;
    }
    append_utf8(out, cp);
  }
  return true;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace nkic::unicode
