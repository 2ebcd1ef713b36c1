"""Helpers of the checker tests: golden renderings."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def golden(name, text):
    """Compares a rendered finding (paths made relative to the repository) with golden/<name>.txt;
    NKIC_REGEN_GOLDEN=1 rewrites it."""
    text = text.replace(ROOT + os.sep, "")
    path = os.path.join(HERE, "golden", name + ".txt")
    if os.environ.get("NKIC_REGEN_GOLDEN"):
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    with open(path, encoding="utf-8") as f:
        assert text == f.read()
