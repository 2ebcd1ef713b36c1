# \N{...} escapes: names, case-insensitivity, formal aliases, algorithmic names (nkic must resolve
# them exactly as CPython 3.11 does; tests/python/test_frontend_corpus.py compares the ASTs).
plain = "\N{LATIN SMALL LETTER E WITH ACUTE}\N{EM DASH}\N{DAGGER}\N{GREEK PI SYMBOL}\N{SNOWMAN}"
lower = "\N{latin capital letter a with ring above}\N{Black Star}\N{bullet}"
aliases = "\N{BYTE ORDER MARK}\N{nbsp}\N{LF}\N{NUL}\N{VS16}\N{ZWJ}\N{LATIN CAPITAL LETTER GHA}"
hangul = "\N{HANGUL SYLLABLE GA}\N{HANGUL SYLLABLE GAG}\N{HANGUL SYLLABLE HIH}\N{HANGUL SYLLABLE A}"
cjk = "\N{CJK UNIFIED IDEOGRAPH-4E00}\N{CJK UNIFIED IDEOGRAPH-20000}\N{CJK UNIFIED IDEOGRAPH-09FFF}"
compat = "\N{CJK COMPATIBILITY IDEOGRAPH-F900}\N{cjk compatibility ideograph-2f800}\N{NUSHU CHARACTER-1B170}"
astral = "\N{GRINNING FACE}\N{MATHEMATICAL BOLD CAPITAL A}\N{TANGUT COMPONENT-001}"
mixed = "é\N{EM DASH}ü\N{DAGGER}"
fstr = f"{plain!r:>10}\N{RIGHTWARDS ARROW}{lower}\N{LEFT CURLY BRACKET}"
not_in_bytes = b"\N{DAGGER}"
not_in_raw = r"\N{DAGGER}"
