# -*- coding: latin-1 -*-
# A latin-1 source file (PEP 263): the bytes below are latin-1, not UTF-8. Café, naïve, ½.
café = "Grüße, señor: ½ × ¾ ± µ"  # déjà vu
naïve = {"clé": café, 'ÿ': b"\xff"}
def façade(à, *ß, ñ=1, **Æ):
    return f"{à!r} ¿{ñ:>5}¡"
x = café; y = naïve["clé"]
