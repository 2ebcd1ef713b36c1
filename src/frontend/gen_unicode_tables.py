#!/usr/bin/env python3
"""Generates the Unicode and codec tables of the Python front end (run by CMake at build time).

Usage: gen_unicode_tables.py OUT.cpp

Everything comes from the running interpreter (its `unicodedata` and `codecs`), so the tables match
the CPython whose `ast` the front end imitates (3.11 -> Unicode 14.0.0):

- identifier classes: XID_Start / XID_Continue exactly as `str.isidentifier()`, and the code points
  `str.isprintable()` rejects (for "invalid non-printable character" errors);
- NFKC (PEP 3131 identifiers): the full compatibility decomposition of every code point, canonical
  combining classes and the primary composition pairs (Hangul is algorithmic, in unicode.cpp);
- `\\N{...}` names: every named code point plus the formal name aliases, as a word phrasebook with
  front coding, sorted for binary search (Hangul syllables and CJK unified ideographs are
  algorithmic; "CJK COMPATIBILITY IDEOGRAPH-F900"-style names are stored as ranges);
- PEP 263 source encodings: decode tables of every single-byte codec, the codec aliases, and how
  the other codecs are handled (see docs/subset.md).

The output is declared in src/frontend/unicode_tables.h.
"""
import codecs
import encodings
import encodings.aliases
import pkgutil
import sys
import unicodedata

MAX = 0x110000

# Formal name aliases (NameAliases.txt, Unicode 14.0) that `"\N{...}"` accepts, except VS1..VS256
# which are generated below. Entries the running interpreter does not know are dropped.
ALIASES = """
0000;NULL 0000;NUL 0001;START OF HEADING 0001;SOH 0002;START OF TEXT 0002;STX 0003;END OF TEXT
0003;ETX 0004;END OF TRANSMISSION 0004;EOT 0005;ENQUIRY 0005;ENQ 0006;ACKNOWLEDGE 0006;ACK
0007;ALERT 0007;BEL 0008;BACKSPACE 0008;BS 0009;CHARACTER TABULATION 0009;HORIZONTAL TABULATION
0009;HT 0009;TAB 000A;LINE FEED 000A;NEW LINE 000A;END OF LINE 000A;EOL 000A;LF 000A;NL
000B;LINE TABULATION 000B;VERTICAL TABULATION 000B;VT 000C;FORM FEED 000C;FF 000D;CARRIAGE RETURN
000D;CR 000E;SHIFT OUT 000E;LOCKING-SHIFT ONE 000E;SO 000F;SHIFT IN 000F;LOCKING-SHIFT ZERO 000F;SI
0010;DATA LINK ESCAPE 0010;DLE 0011;DEVICE CONTROL ONE 0011;DC1 0012;DEVICE CONTROL TWO 0012;DC2
0013;DEVICE CONTROL THREE 0013;DC3 0014;DEVICE CONTROL FOUR 0014;DC4 0015;NEGATIVE ACKNOWLEDGE
0015;NAK 0016;SYNCHRONOUS IDLE 0016;SYN 0017;END OF TRANSMISSION BLOCK 0017;ETB 0018;CANCEL 0018;CAN
0019;END OF MEDIUM 0019;EOM 001A;SUBSTITUTE 001A;SUB 001B;ESCAPE 001B;ESC
001C;INFORMATION SEPARATOR FOUR 001C;FILE SEPARATOR 001C;FS 001D;INFORMATION SEPARATOR THREE
001D;GROUP SEPARATOR 001D;GS 001E;INFORMATION SEPARATOR TWO 001E;RECORD SEPARATOR 001E;RS
001F;INFORMATION SEPARATOR ONE 001F;UNIT SEPARATOR 001F;US 0020;SP 007F;DELETE 007F;DEL
0080;PADDING CHARACTER 0080;PAD 0081;HIGH OCTET PRESET 0081;HOP 0082;BREAK PERMITTED HERE 0082;BPH
0083;NO BREAK HERE 0083;NBH 0084;INDEX 0084;IND 0085;NEXT LINE 0085;NEL 0086;START OF SELECTED AREA
0086;SSA 0087;END OF SELECTED AREA 0087;ESA 0088;CHARACTER TABULATION SET
0088;HORIZONTAL TABULATION SET 0088;HTS 0089;CHARACTER TABULATION WITH JUSTIFICATION
0089;HORIZONTAL TABULATION WITH JUSTIFICATION 0089;HTJ 008A;LINE TABULATION SET
008A;VERTICAL TABULATION SET 008A;VTS 008B;PARTIAL LINE FORWARD 008B;PARTIAL LINE DOWN 008B;PLD
008C;PARTIAL LINE BACKWARD 008C;PARTIAL LINE UP 008C;PLU 008D;REVERSE LINE FEED 008D;REVERSE INDEX
008D;RI 008E;SINGLE SHIFT TWO 008E;SINGLE-SHIFT-2 008E;SS2 008F;SINGLE SHIFT THREE
008F;SINGLE-SHIFT-3 008F;SS3 0090;DEVICE CONTROL STRING 0090;DCS 0091;PRIVATE USE ONE
0091;PRIVATE USE-1 0091;PU1 0092;PRIVATE USE TWO 0092;PRIVATE USE-2 0092;PU2 0093;SET TRANSMIT STATE
0093;STS 0094;CANCEL CHARACTER 0094;CCH 0095;MESSAGE WAITING 0095;MW 0096;START OF GUARDED AREA
0096;START OF PROTECTED AREA 0096;SPA 0097;END OF GUARDED AREA 0097;END OF PROTECTED AREA 0097;EPA
0098;START OF STRING 0098;SOS 0099;SINGLE GRAPHIC CHARACTER INTRODUCER 0099;SGC
009A;SINGLE CHARACTER INTRODUCER 009A;SCI 009B;CONTROL SEQUENCE INTRODUCER 009B;CSI
009C;STRING TERMINATOR 009C;ST 009D;OPERATING SYSTEM COMMAND 009D;OSC 009E;PRIVACY MESSAGE 009E;PM
009F;APPLICATION PROGRAM COMMAND 009F;APC 00A0;NBSP 00AD;SHY 01A2;LATIN CAPITAL LETTER GHA
01A3;LATIN SMALL LETTER GHA 034F;CGJ 061C;ALM 0709;SYRIAC SUBLINEAR COLON SKEWED LEFT
0CDE;KANNADA LETTER LLLA 0E9D;LAO LETTER FO FON 0E9F;LAO LETTER FO FAY 0EA3;LAO LETTER RO
0EA5;LAO LETTER LO 0FD0;TIBETAN MARK BKA- SHOG GI MGO RGYAN 11EC;HANGUL JONGSEONG YESIEUNG-KIYEOK
11ED;HANGUL JONGSEONG YESIEUNG-SSANGKIYEOK 11EE;HANGUL JONGSEONG SSANGYESIEUNG
11EF;HANGUL JONGSEONG YESIEUNG-KHIEUKH 180B;FVS1 180C;FVS2 180D;FVS3 180E;MVS 180F;FVS4 200B;ZWSP
200C;ZWNJ 200D;ZWJ 200E;LRM 200F;RLM 202A;LRE 202B;RLE 202C;PDF 202D;LRO 202E;RLO 202F;NNBSP
205F;MMSP 2060;WJ 2066;LRI 2067;RLI 2068;FSI 2069;PDI 2118;WEIERSTRASS ELLIPTIC FUNCTION
2448;MICR ON US SYMBOL 2449;MICR DASH SYMBOL
2B7A;LEFTWARDS TRIANGLE-HEADED ARROW WITH DOUBLE VERTICAL STROKE
2B7C;RIGHTWARDS TRIANGLE-HEADED ARROW WITH DOUBLE VERTICAL STROKE A015;YI SYLLABLE ITERATION MARK
AA6E;MYANMAR LETTER KHAMTI LLA FE18;PRESENTATION FORM FOR VERTICAL RIGHT WHITE LENTICULAR BRACKET
FEFF;BYTE ORDER MARK FEFF;BOM FEFF;ZWNBSP 122D4;CUNEIFORM SIGN NU11 TENU
122D5;CUNEIFORM SIGN NU11 OVER NU11 BUR OVER BUR 16E56;MEDEFAIDRIN CAPITAL LETTER H
16E57;MEDEFAIDRIN CAPITAL LETTER NG 16E76;MEDEFAIDRIN SMALL LETTER H
16E77;MEDEFAIDRIN SMALL LETTER NG 1B001;HENTAIGANA LETTER E-1
1D0C5;BYZANTINE MUSICAL SYMBOL FTHORA SKLIRON CHROMA VASIS
"""


def alias_list():
    text = ALIASES.strip().replace("\n", " ")
    items = []
    # Entries are "HEX;NAME" separated by spaces; a new entry starts at a hex code point and ';'.
    import re
    for m in re.finditer(r"([0-9A-F]{4,5});(.*?)(?= [0-9A-F]{4,5};|$)", text):
        items.append((int(m.group(1), 16), m.group(2)))
    items += [(0xFE00 + i, "VS%d" % (i + 1)) for i in range(16)]
    items += [(0xE0100 + i, "VS%d" % (i + 17)) for i in range(240)]
    out = []
    for cp, name in items:
        try:
            ok = unicodedata.lookup(name) == chr(cp)
        except KeyError:
            ok = False
        if ok and unicodedata.name(chr(cp), "") != name:
            out.append((cp, name))
    return out


def ranges(pred, lo=0x80):
    out, start = [], None
    for cp in range(lo, MAX + 1):
        ok = cp < MAX and pred(cp)
        if ok and start is None:
            start = cp
        elif not ok and start is not None:
            out.append((start, cp - 1))
            start = None
    return out


class Out:
    def __init__(self):
        self.parts = []

    def w(self, s):
        self.parts.append(s)

    def ranges(self, name, rs):
        self.w("const Range %s[] = {\n" % name)
        self.nums(["{0x%X, 0x%X}" % r for r in rs])
        self.w("};\nconst size_t %sCount = %d;\n\n" % (name, len(rs)))

    def nums(self, items, per=8):
        for i in range(0, len(items), per):
            self.w("    " + ", ".join(items[i:i + per]) + ",\n")

    def base64(self, name, data):
        """A byte blob as base64 text (decoded at first use by unicode.cpp)."""
        import base64
        text = base64.b64encode(data).decode("ascii")
        self.w("const char %s[] =\n" % name)
        for i in range(0, len(text), 120):
            self.w('    "%s"\n' % text[i:i + 120])
        self.w(";\nconst size_t %sSize = %d;  // decoded bytes\n\n" % (name, len(data)))

    def blob(self, name, data):
        """A byte blob as a string literal (printable ASCII kept, octal escapes otherwise)."""
        self.w("const char %s[] =\n" % name)
        line = []
        n = 0
        for b in data:
            if 0x20 <= b < 0x7F and b not in (0x22, 0x5C, 0x3F):
                line.append(chr(b))
                n += 1
            else:
                line.append("\\%o" % b if b < 8 else "\\%03o" % b)
                n += 4
            if n >= 100:
                self.w('    "' + "".join(line) + '"\n')
                line, n = [], 0
        self.w('    "' + "".join(line) + '";\n')
        self.w("const size_t %sSize = %d;\n\n" % (name, len(data)))


def gen_identifiers(o):
    o.ranges("kXidStart", ranges(lambda c: chr(c).isidentifier()))
    o.ranges("kXidContinue", ranges(lambda c: ("a" + chr(c)).isidentifier()))
    o.ranges("kNonPrintable", ranges(lambda c: not chr(c).isprintable(), lo=0))


def gen_nfkc(o):
    ccc = []
    for cp in range(MAX):
        c = unicodedata.combining(chr(cp))
        if c:
            if ccc and ccc[-1][1] == cp - 1 and ccc[-1][2] == c:
                ccc[-1][1] = cp
            else:
                ccc.append([cp, cp, c])
    o.w("const CccRange kCcc[] = {\n")
    o.nums(["{0x%X, 0x%X, %d}" % tuple(r) for r in ccc], per=6)
    o.w("};\nconst size_t kCccCount = %d;\n\n" % len(ccc))

    decomp, pool = [], []
    for cp in range(MAX):
        if 0xAC00 <= cp <= 0xD7A3:
            continue  # Hangul syllables: algorithmic
        d = unicodedata.normalize("NFKD", chr(cp))
        if d != chr(cp):
            decomp.append((cp, len(pool), len(d)))
            pool.extend(ord(x) for x in d)
    o.w("const Decomposition kDecomp[] = {\n")
    o.nums(["{0x%X, %d, %d}" % d for d in decomp], per=6)
    o.w("};\nconst size_t kDecompCount = %d;\n" % len(decomp))
    o.w("const uint32_t kDecompPool[] = {\n")
    o.nums(["0x%X" % x for x in pool], per=12)
    o.w("};\n\n")

    pairs = []
    for cp in range(MAX):
        d = unicodedata.decomposition(chr(cp))
        if not d or d.startswith("<"):
            continue
        parts = [int(x, 16) for x in d.split()]
        if len(parts) == 2 and unicodedata.normalize("NFC", chr(cp)) == chr(cp):
            pairs.append((parts[0], parts[1], cp))
    pairs.sort()
    o.w("const Composition kCompose[] = {\n")
    o.nums(["{0x%X, 0x%X, 0x%X}" % p for p in pairs], per=5)
    o.w("};\nconst size_t kComposeCount = %d;\n\n" % len(pairs))


def gen_names(o):
    hangul = lambda cp: 0xAC00 <= cp <= 0xD7A3
    names = {}
    hexnames = {}  # prefix -> list of code points named PREFIX-%04X
    cjk = []
    for cp in range(MAX):
        if hangul(cp):
            continue
        n = unicodedata.name(chr(cp), None)
        if n is None:
            continue
        if n == "CJK UNIFIED IDEOGRAPH-%X" % cp:
            cjk.append(cp)
            continue
        prefix, _, tail = n.rpartition("-")
        if prefix and tail == "%04X" % cp:
            hexnames.setdefault(prefix, []).append(cp)
            continue
        names[n] = cp
    for cp, n in alias_list():
        names.setdefault(n, cp)

    def to_ranges(cps):
        rs = []
        for cp in cps:
            if rs and rs[-1][1] == cp - 1:
                rs[-1][1] = cp
            else:
                rs.append([cp, cp])
        return rs

    o.ranges("kCjkUnified", [tuple(r) for r in to_ranges(cjk)])
    hx = []
    for prefix in sorted(hexnames):
        for lo, hi in to_ranges(hexnames[prefix]):
            hx.append('{"%s", 0x%X, 0x%X}' % (prefix, lo, hi))
    o.w("const HexNameRange kHexNames[] = {\n")
    o.nums(hx, per=3)
    o.w("};\nconst size_t kHexNamesCount = %d;\n\n" % len(hx))

    # Phrasebook: a name is a sequence of tokens, each a word with its following separator.
    import re
    def tokens(n):
        return re.findall(r"[^ -]*[ -]|[^ -]+$", n)
    freq = {}
    for n in names:
        for t in tokens(n):
            freq[t] = freq.get(t, 0) + 1
    words = sorted(freq, key=lambda t: (-freq[t], t))
    assert len(words) < 0x8000
    wid = {t: i for i, t in enumerate(words)}
    lex = "".join(t + "\n" for t in words).encode("ascii")
    o.blob("kNameWords", lex)
    o.w("const size_t kNameWordCount = %d;\n\n" % len(words))

    data = bytearray()
    block_offs = []
    prev = []
    for i, n in enumerate(sorted(names)):
        toks = [wid[t] for t in tokens(n)]
        if i % NAME_BLOCK == 0:
            block_offs.append(len(data))
            prev = []
        shared = 0
        while shared < min(len(prev), len(toks), 255) and prev[shared] == toks[shared]:
            shared += 1
        rest = toks[shared:]
        assert len(rest) < 256
        data += bytes([shared, len(rest)])
        for t in rest:
            data += bytes([t]) if t < 0x80 else bytes([0x80 | (t >> 8), t & 0xFF])
        cp = names[n]
        data += bytes([cp >> 16, (cp >> 8) & 0xFF, cp & 0xFF])
        prev = toks
    o.base64("kNameData", bytes(data))
    o.w("const uint32_t kNameBlockOffsets[] = {\n")
    o.nums([str(x) for x in block_offs], per=12)
    o.w("};\nconst size_t kNameCount = %d;\n\n" % len(names))
    return len(lex) + len(data) + 4 * len(block_offs)


NAME_BLOCK = 32

# How a codec is handled (mirrors CodecKind in unicode_tables.h).
K_UTF8, K_SINGLE, K_ASCII_SUPERSET, K_OTHER_TEXT, K_NOT_TEXT, K_UNDEFINED = range(6)


def gen_codecs(o):
    modules = []
    for m in sorted(x.name for x in pkgutil.iter_modules(encodings.__path__)):
        if m == "aliases":
            continue
        try:
            info = codecs.lookup(m)
        except LookupError:
            continue  # mbcs, oem: Windows only
        modules.append((m, info))
    tables, errs, entries = [], [], []
    for m, info in modules:
        mod = __import__("encodings." + m, fromlist=["_"])
        table, err = -1, ""
        if not getattr(info, "_is_text_encoding", True):
            kind = K_NOT_TEXT
        elif m == "undefined":
            kind = K_UNDEFINED
        elif m in ("utf_8", "utf_8_sig"):
            kind = K_UTF8
        elif hasattr(mod, "decoding_table") or m in ("latin_1", "ascii", "charmap"):
            kind = K_SINGLE
            row = []
            for b in range(256):
                try:
                    s = bytes([b]).decode(m)
                    assert len(s) == 1 and ord(s) < 0xFFFF
                    row.append(ord(s))
                except UnicodeDecodeError as e:
                    row.append(0xFFFF)
                    err = "'%s' codec can't decode byte 0x%%02x in position %%zu: %s" % (e.encoding, e.reason)
            table = len(tables)
            tables.append(row)
        else:
            probe = bytes(range(128)) + b"".join(bytes([p, c]) for p in b"\\+~\x1b" for c in range(128))
            try:
                same = probe.decode(m) == probe.decode("latin-1")
            except UnicodeError:
                same = False
            kind = K_ASCII_SUPERSET if same else K_OTHER_TEXT
        entries.append('{"%s", %d, %d, "%s"}' % (m, kind, table, err))
    o.base64("kSingleByteTables", b"".join(x.to_bytes(2, "little") for row in tables for x in row))
    o.w("const CodecInfo kCodecs[] = {\n")
    o.nums(entries, per=2)
    o.w("};\nconst size_t kCodecsCount = %d;\n\n" % len(entries))
    known = {m for m, _ in modules}
    al = sorted((a, t) for a, t in encodings.aliases.aliases.items() if t in known)
    o.w("const CodecAlias kCodecAliases[] = {\n")
    o.nums(['{"%s", "%s"}' % x for x in al], per=4)
    o.w("};\nconst size_t kCodecAliasesCount = %d;\n\n" % len(al))


def main(argv):
    o = Out()
    o.w("// Generated by src/frontend/gen_unicode_tables.py from Python %s (Unicode %s). Do not edit.\n"
        % (sys.version.split()[0], unicodedata.unidata_version))
    o.w('#include "frontend/unicode_tables.h"\n\nnamespace nkic::unicode::tables {\n\n')
    o.w('const char kUnicodeVersion[] = "%s";\n' % unicodedata.unidata_version)
    o.w("const size_t kNameBlockSize = %d;\n\n" % NAME_BLOCK)
    gen_identifiers(o)
    gen_nfkc(o)
    gen_names(o)
    gen_codecs(o)
    o.w("}  // namespace nkic::unicode::tables\n")
    with open(argv[1], "w") as f:
        f.write("".join(o.parts))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
