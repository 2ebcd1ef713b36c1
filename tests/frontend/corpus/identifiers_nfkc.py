# Non-ASCII identifiers are NFKC-normalised (PEP 3131): CPython's AST holds the normalised names.
ﬁle = 1                 # U+FB01 LATIN SMALL LIGATURE FI -> "file"
print(file, ﬁle)
ｆｕｌｌ = 2 if Ｔrue else 3  # fullwidth letters -> "full", "True"
café = 1               # e + U+0301 COMBINING ACUTE ACCENT -> U+00E9
ậ = 2                 # a + U+0302 + U+0323, reordered then composed -> U+1EAD
각 = 3                   # Hangul jamo U+1100 U+1161 U+11A8 -> U+AC01
Å = µ = ℌ = 𝐀 = ª = 4    # U+212B, U+00B5, U+210C, U+1D400, U+00AA
x = ｉｆ = 5              # fullwidth "if" is a NAME, normalised to "if"
obj.ﬁeld = f(ﬂag=ℯ)
import ﬁ.ﬂ as ﬃ
from ｍodule import ｎame as ｏther
def ƒ(𝑥, *𝑦, 𝓏=1, **ᵏʷ): global Ⅸ; return 𝑥
class Ｃ(ｂase, ｍeta=ｍ): ａttr: ｉnt = 0
lambda ﬁ: ﬁ
match ｐ:
    case Ｐoint(ｘ=0, ｙ=ｙy) | [ℌ, *ｒest] | {"k": ｖ, **ｋw}:
        pass
日本語 = π·‿ = ᢅ = 1     # XID_Continue marks and other scripts
