"""Golden errors of the tracing front door: each tests/tracing/golden/<name>.py is a small kernel file whose
header says how to call it (`# call: PYTHON` run in the module's namespace with `np`; optional
`# env: NAME=VALUE ...`); the exception it raises, compiled with NKI_COMPILER_FRONTEND=trace, must match
<name>.expected: the exception's classes (its MRO, so NkiTypeError shows it is also an NkiCompileError and
a TypeError), `.filename:.lineno:.col`, and str(e), with paths relative to the repo root. Regenerate
after an intended change with NKIC_REGEN_GOLDEN=1 and read the diff."""
import glob
import importlib.util
import os
import shlex
import sys
import warnings

import numpy as np
import pytest

import nki

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GOLDEN = os.path.join(ROOT, "tests", "tracing", "golden")
CASES = sorted(glob.glob(os.path.join(GOLDEN, "*.py")))


def header(path):
    call, env = [], {}
    with open(path) as f:
        for line in f:
            if not line.startswith("#"):
                break
            if line.startswith("# call:"):
                call.append(line.split(":", 1)[1].strip())
            elif line.startswith("# env:"):
                env.update(kv.split("=", 1) for kv in shlex.split(line.split(":", 1)[1]))
    return "\n".join(c.replace("; ", "\n") for c in call), env


def relative(text):
    return text.replace(ROOT + os.sep, "")


def describe(e):
    classes = [c.__name__ for c in type(e).__mro__ if c not in (object, BaseException, Exception)]
    where = f"{relative(str(getattr(e, 'filename', None)))}:{getattr(e, 'lineno', None)}:{getattr(e, 'col', None)}"
    return f"{' '.join(classes)}\nat {where}\n{relative(str(e))}\n"


def run_case(path):
    call, env = header(path)
    assert call, f"{path}: no '# call:' header"
    name = "golden_" + os.path.basename(path)[:-3]
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    try:
        spec.loader.exec_module(mod)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(call, "<call>", "exec"), {**vars(mod), "np": np})
    except Exception as e:  # noqa: BLE001 - the exception is what is tested
        return e
    finally:
        sys.modules.pop(name, None)
    return None


@pytest.mark.parametrize("path", CASES, ids=[os.path.basename(c)[:-3] for c in CASES])
def test_golden_error(path, monkeypatch):
    for k in ("NKIC_NKI_RELEASE", "NKIC_COMPARE_FRONT_DOORS"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("NKI_COMPILER_FRONTEND", "trace")
    for k, v in header(path)[1].items():
        monkeypatch.setenv(k, v)
    e = run_case(path)
    assert e is not None, f"{os.path.basename(path)} raised no exception"
    text = describe(e)
    expected_path = path[:-3] + ".expected"
    if os.environ.get("NKIC_REGEN_GOLDEN"):
        with open(expected_path, "w") as f:
            f.write(text)
    with open(expected_path) as f:
        assert text == f.read()


def test_enough_cases():
    assert len(CASES) >= 12


def test_error_classes(monkeypatch):
    """The classes the issue names: a type error in a kernel is both an NkiCompileError and a TypeError,
    located at the kernel's line."""
    monkeypatch.setenv("NKI_COMPILER_FRONTEND", "trace")
    e = run_case(os.path.join(GOLDEN, "if_scalar.py"))
    assert isinstance(e, nki.NkiCompileError) and isinstance(e, TypeError)
    assert e.filename.endswith("if_scalar.py") and e.lineno == 12 and e.col == 5
