"""Front-end corpus tests.

test_ast_matches_cpython: nkic's AST dump must equal CPython's (normalized by tests/frontend/ast_dump.py)
for every file of CPython's standard library, every .py under tests/ and examples/, and
tests/frontend/corpus/*.py.

Our dump comes from `nkic parse --dump-ast FILE...` (nkic as found by conftest.py), or from the command in the
environment variable NKIC_AST_DUMP (e.g. the stand-alone driver built from tests/frontend/dump_main.cpp),
which must accept several files, print `# file: PATH` before each file's dump, and render the
diagnostics of files with syntax errors on stderr (exit status 1).

test_error_line_matches_cpython: for each snippet CPython rejects, our first diagnostic must be on
the line CPython reports, with the same message.
"""
import concurrent.futures
import os
import shlex
import subprocess
import sys
import sysconfig
import warnings
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "frontend"))
import ast_dump  # noqa: E402

CHUNK = 200


@pytest.fixture(scope="session")
def dump_command(request):
    """The AST dump driver: NKIC_AST_DUMP if set, else `nkic parse --dump-ast` (nkic must be found)."""
    env = os.environ.get("NKIC_AST_DUMP")
    if env:
        return shlex.split(env)
    return [request.getfixturevalue("nkic_path"), "parse", "--dump-ast"]


def _stdlib_files():
    root = Path(sysconfig.get_paths()["stdlib"])
    out = []
    for p in sorted(root.rglob("*.py")):
        rel = p.relative_to(root).as_posix()
        if rel.startswith(("test/", "site-packages/", "dist-packages/")) or "/tests/data/" in rel:
            continue
        out.append(p)
    return out


def _repo_files():
    out = []
    for sub in ("tests", "examples"):
        d = REPO / sub
        if d.is_dir():
            out.extend(sorted(p for p in d.rglob("*.py") if "__pycache__" not in p.parts))
    return out


def _corpus():
    seen, files = set(), []
    for p in _repo_files() + _stdlib_files():
        if p not in seen:
            seen.add(p)
            files.append(p)
    return files


def _cpython_dump(path):
    data = Path(path).read_bytes()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning/DeprecationWarning for odd literals
            return ast_dump.dump_source(data)
    except (SyntaxError, ValueError):
        return None  # CPython itself cannot parse it: not part of the corpus


FILES = _corpus()
_ours_cache = {}


def _run(cmd, files):
    proc = subprocess.run(cmd + [str(p) for p in files], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")


def _run_chunk(cmd, chunk):
    """Dumps of several files from one process: {path: dump}. A file with syntax errors maps to its
    rendered diagnostics (from a run of that file alone, since they go to stderr)."""
    rc, out, err = _run(cmd, chunk)
    if len(chunk) == 1:
        return {str(chunk[0]): out + err}
    result, current, lines = {}, None, []
    for line in out.splitlines(keepends=True):
        header = None
        if line.startswith("# file: "):
            header = line[len("# file: "):].rstrip("\n")
        elif line.startswith("==> ") and line.rstrip("\n").endswith(" <=="):
            header = line[4:].rstrip("\n")[:-4]
        if header is not None:
            if current is not None:
                result[current] = "".join(lines)
            current, lines = header, []
        else:
            lines.append(line)
    if current is not None:
        result[current] = "".join(lines)
    for p in chunk:
        if not result.get(str(p)):
            if rc not in (0, 1):
                result[str(p)] = "<dump driver failed with status %d>\n%s" % (rc, err)
            else:
                _, o, e = _run(cmd, [p])
                result[str(p)] = o + e
    return result


def _ours(cmd, path):
    if not _ours_cache:
        chunks = [FILES[i:i + CHUNK] for i in range(0, len(FILES), CHUNK)]
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 4) as pool:
            for res in pool.map(lambda c: _run_chunk(cmd, c), chunks):
                _ours_cache.update(res)
    return _ours_cache.get(str(path))


def _first_difference(a, b):
    al, bl = a.splitlines(), b.splitlines()
    for i, (x, y) in enumerate(zip(al, bl)):
        if x != y:
            ctx = "\n".join("    " + l for l in bl[max(0, i - 6):i])
            return "first difference at dump line %d:\n%s\n  nkic:    %s\n  cpython: %s" % (i + 1, ctx, x, y)
    return "dumps differ in length: nkic %d lines, cpython %d lines" % (len(al), len(bl))


def _ident(p):
    try:
        return p.relative_to(REPO).as_posix()
    except ValueError:
        return "stdlib/" + p.relative_to(Path(sysconfig.get_paths()["stdlib"])).as_posix()


@pytest.mark.parametrize("path", FILES, ids=[_ident(p) for p in FILES])
def test_ast_matches_cpython(path, dump_command):
    expected = _cpython_dump(path)
    if expected is None:
        pytest.skip("CPython cannot parse this file")
    ours = _ours(dump_command, path)
    assert ours is not None, "%s: no output from the dump driver" % path
    if ours != expected:
        pytest.fail("%s: %s" % (path, _first_difference(ours, expected)), pytrace=False)


# Invalid (and a few valid) programs: our first diagnostic must match CPython's line and message.
ERROR_SNIPPETS = [
    'f(**x, *y)', 'x + = 1', '1 = x', 'return', 'break', 'f() = 1', 'del f()', 'del *a', '(a, b): int', 'a, b: int',
    '[a]: int', 'x = yield = 3', 'f(a for a in b, c)', 'f(a=1, b)', 'f(**k, b)', 'f(a+1=2)', 'f(True=1)',
    'def f(a=1, b): pass', 'def f(*): pass', 'def f(*, **k): pass', 'def f(**k, a): pass', 'def f(a, a): pass',
    'x = 1 if y', 'import a.b as c.d', 'from x import a,', 'try:\n  pass\n',
    'try:\n  pass\nexcept* E:\n pass\nexcept F:\n pass', 'try:\n pass\nexcept*:\n pass', 'if x\n  pass',
    'if x:\npass', '  x = 1', 'if x:\n  a\n b', 'x = (1,\n2', 'x = )', 'x = [1, 2)', 'x = (1\n+\n', "'abc",
    "'''abc\n\n", 'x = 0777', 'x = 1__0', 'x = 0b12', 'x = 1e', 'x = $', 'x = a ? b : c', 'x = 1 +',
    'def f(:\n pass', 'class A(:\n pass', 'for x in:\n pass', 'for f() in x: pass', 'with a as f(): pass',
    'lambda x=1, y: 0', 'a := 1', '(a.b := 1)', 'x = *a', "print 'x'", "f'{a!x}'", "f'{}'", "f'{a'", "f'}'",
    "f'{a:{b:{c}}}'", "f'{#}'", "f'{a\\n}'", "b'é'", "'a' b'x'", 'x = \'a\'\ny = "b\nz = 1',
    'if x:\n    pass\n  else: pass', '\tif x:\n        pass', 'if x:\n\tpass\n        pass', 'a b', 'f(a b)',
    '[a b]', 'f(\n a\n b)', 'x = {a: b c}', 'def f():\n    return\n  x', 'async = 1', 'await = 1', 'x = not', 'x.1',
    'x = 1.a', '@\ndef f(): pass', '@x\nclass', 'def f[T](): pass', 'x = a if b else', 'nonlocal', 'global x,',
    'del', 'x = [i for i in]', 'x = {**a: b}', 'x = {a: *b}', 'f(*)', 'f(**)', 'x[]', 'x[1:2:3:4]', '(*a)',
    '[*a for a in b]', '{**a for a in b}', 'def f(a, /, /): pass', 'def f(*, /): pass', 'def f(/): pass',
    "x = '\\N{foo}'", "x = '\\x4'", "x = b'\\x4'", "x = '\\U00110000'", 'class A:\n', 'def f():\n',
    'if x:\n  pass\nelif:\n  pass', 'while x\n  pass', 'else: pass', 'except: pass', 'finally: pass',
    'elif x: pass', 'x = (yield) = 1', 'a, b += 1', '[a, b] += 1', 'f() += 1', 'x = lambda: (yield)',
    'x = (a for a in b) = 1', 'x = a.b.c = 1 = 2', 'match x:\n    case 1:\n        pass\n    case 2\n        pass',
    'match x:\n  pass', 'from . import *, a', 'import *', 'x = 1 if 2 else 3 else 4', 'assert', 'raise from e',
    'x = [1, 2', 'x = {1: 2, 3}', 'for x in range(3):\npass', 'f(x for x in y)(1)', 'f(1, x for x in y)',
    'with (a as b):\n pass', 'def f(a=1, /, b): pass', "x = 'a' 'b' f'{c' ", 'def f(**k=1): pass',
    'def f(*a=1): pass', 'x = 1_000_', 'x = 0x', 'x = 0o8', 'x = 09', 'x = 1.2.3', 'if 1:\n    x\n   y',
    'a = 1 = 2', 'x = [1, 2] = 3', '[x for x in y] = 1', '{a: b} = 1', 'a + 1 = 2', '-a = 1', 'not a = 1',
    'a < b = 1', 'a if b else c = 1', 'lambda: 1 = 1', "f'{x}' = 1", '... = 1', 'None = 1', 'True = 1', 'x, 1 = y',
    '(x, f()) = y', 'for 1 in x: pass', 'for x, f() in y: pass', 'with a as 1: pass', '[x for 1 in y]', 'del 1',
    'del (a, 1)', 'del a + b', 'x += yield', '(a, b) += 1', 'x: int, = 1', 'import', 'from', 'from x',
    'from x import', 'import a as', 'import a.', 'from x import (a', 'from x import (a,)b', 'def', 'def f',
    'def f(', 'def f()', 'def f():', 'class', 'class A(', 'class A', 'if', 'if x', 'elif', 'while', 'for', 'for x',
    'for x in', 'try', 'with', 'with a as', 'raise x from', 'return x y', 'x = (', 'x = [', 'x = {', 'x = {1:',
    'x = {1: 2', 'f(', 'f(a,', 'f(a=', 'f(*', 'f(**', 'a[', 'a[1', 'a[1:', 'a.', 'lambda', 'lambda x', 'lambda x:',
    'x if', 'x if y', 'x if y else', 'x =', 'x ==', 'not', 'a and', 'a or', '-', 'await', 'yield from', '*', '**a',
    'a**', '@', '@x', '@x\n', '@x\nx = 1', 'async', 'async x', 'async def', 'global', 'nonlocal x, ', 'assert x,',
    'x = 1 +* 2', 'x = a b c', 'x = a.b c', 'f(a)(b c)', 'f(a, b c)', '[a, b c]', '{a, b c}', '{a: b, c d}',
    '(a, b c)', 'x[a b]', 'if x:\n  pass\n  else:\n    pass', 'def f():\n  pass\n    x', 'x = 1\n  y = 2',
    'if x:\n\n\n', 'class A:\n  def f(self):\n  pass', 'for x in y:\n  pass\nelse\n  pass',
    'try:\n  x\nexcept E as f():\n  pass', 'try:\n  x\nexcept E, F:\n  pass', 'try:\n  x\nelse:\n  pass',
    'try:\n  x\nfinally:\n  pass\nexcept:\n  pass', 'match x:\n  case:\n    pass', 'match x:\n  case 1\n    pass',
    'f(x for x in y, )', 'f(x for x in y)(x for x in y, 1)', 'f(*a=1)', 'f(**a=1)', 'f(a, *b, c, **d, e)',
    "x = 'a' 'b' b'c'", "x = f'{a}' b'c'", "x = f'{a!r=}'", "x = f'{a=!x}'", "x = f'{a:{b:{c}}}'", "x = f'{a}}'",
    "x = f'{{a}'", "x = f'{a b}'", "x = f'{a)}'", "x = f'{(a}'", "x = f'{a:{b}'", "x = f'{!r}'", "x = f'{:x}'",
    "x = f'{=}'", "x = f'{a!}'", "x = f'{a!r x}'", "x = f'''{a\n#}'''", 'x = f\'{"a"}{\'', 'x = 1.e', 'x = 0b',
    'x = 0o', 'x = 1_e5', 'x = 1e5_', 'x = 1j2', 'x = 0_b1', 'x = 00x1', 'x = 0.0.0', 'x = ..1', 'x = @', 'x = a @',
    'a := b', '(a := b) := c', '[a := 1 for b in c]', 'def f(a := 1): pass', 'f(a := 1 = 2)', 'x = {**a: 1}',
    'x = {*a: 1}', 'x = [**a]', 'x = (**a)', 'print(**)', 'x = *a, **b', 'for *x in y: pass',
    'def f(a, *, b, *c): pass', 'def f(**a, **b): pass', 'def f(*a, /): pass', 'def f(a=1, /, b, c=2): pass',
    'lambda a=1, b: 0', 'lambda *: 0', 'lambda **a, b: 0', 'def f(a: int = 1, b: int): pass',
    'def f(*a: int = 1): pass', 'class A(x for x in y): pass', 'class A(a=1, b): pass', '@x y\ndef f(): pass',
    'x = yield from', 'x = yield from a, b', 'return *a', 'del *a, b', 'x = (*a)', 'x = [*]', 'print(*)', 'a[*]',
    'x = a if b', 'x = a if b else c if d', '\\\n', 'x = \\', 'x = 1 \\ 2', 'if x:\n        pass\n\tpass',
    '  \n  x', 'x\n  ', '#!/usr/bin/env python\n  x = 1', "'''", '"""\n', "'a\\", "b'\\xz'", "u'\\N{}'",
    "'\\N{EM DASH'", "x = 'a\\\n", "f'{x!r:{'", "f'{x:{{}}}'", 'f(m b)', 'f(x y)', '[m b]', 'f(mm b)', 'f(_ b)',
    'f(case b)', 'f(m.x b)', 'f(m 1)', 'f(1 m)', 'f(ma b)', 'class A(m b): pass', 'x = f(m b, c)',
    'x = [i for i in di\nr(x)]', "d = {'a':\n , 'b': 1}", 'f(a=1, lambda x=1, )', 'f(a, "x"\n := "y")',
    'x = (\n 1 + 0x2g)', 'x = {0x002é5}', 'if x:\n    a = 1\n  \\\n    b = 2\n',
    'if x:\n    a = 1\n\\\n    b = 2\n', 'x = [a\n  for base, d\rirs in y]', 'def f(a: lis\rt[int]): pass',
    '1, x = y', '(1, x) = y', 'f(), x = y', 'x, f() = y', 'x = f() = y', 'f() = x = y', 'a, f(), b = y',
    'f() = 1, 2', 'f() = not x', 'f() = (yield)', 'f() = a, *b', 'a, f() = *b, c', 'x = (\n  1,\n  2\ny = 3 +\n',
    'x = 1 if y\nz = 2', 'print "hello"', 'exec "code"', 'x = {**a for a in b}',
    # Unicode: \N{...} names (error positions count non-ASCII characters as CPython's \U escapes),
    # identifier classes and NFKC.
    "x = '\\N{DAGGER}\\N{bom}\\N{HANGUL SYLLABLE GAG}'", "x = '\u00e9\\N{foo}'", "x = '\\N{\u00e9}'",
    "x = '\\N{hangul syllable ga}'", "x = '\\N{CJK UNIFIED IDEOGRAPH-4e00}'", "x = f'{a}\\N{nope}'",
    "x = '\\N{LATIN CAPITAL LETTER A WITH MACRON AND GRAVE}'", "x = '\\N{TANGUT IDEOGRAPH-17000}'",
    'x\u00a0= 1', '\u0301a = 1', 'a\u20ac = 1', 'x = \u200b', '\ufb01 = \uff21 = e\u0301 = 1', 'a\u00b7\u0660 = 1',
]


def _cpython_error(src):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast_dump.ast.parse(src)
    except SyntaxError as e:
        return e.lineno, e.msg
    except ValueError as e:
        return None, str(e)
    return None


_errors_cache = {}


def _our_errors(cmd, tmp_root):
    if not _errors_cache:
        paths = []
        for i, src in enumerate(ERROR_SNIPPETS):
            path = tmp_root / ("snippet_%03d.py" % i)
            path.write_text(src, encoding="utf-8")
            paths.append(path)
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 4) as pool:
            for i, (_, out, err) in enumerate(pool.map(lambda p: _run(cmd, [p]), paths)):
                _errors_cache[i] = out + err
    return _errors_cache


@pytest.fixture(scope="module")
def snippet_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("snippets")


@pytest.mark.parametrize("index", range(len(ERROR_SNIPPETS)), ids=[repr(s)[:40] for s in ERROR_SNIPPETS])
def test_error_line_matches_cpython(index, snippet_dir, dump_command):
    src = ERROR_SNIPPETS[index]
    expected = _cpython_error(src)
    ours = _our_errors(dump_command, snippet_dir)[index]
    if expected is None:
        assert ours.startswith("Module"), "CPython accepts %r but nkic reports:\n%s" % (src, ours)
        return
    line, msg = expected
    import re
    m = re.search(r"line (\d+), col", ours)
    got_line = int(m.group(1)) if m else None
    m = re.search(r"^error: (.*)$", ours, re.M)
    got_msg = m.group(1) if m else None
    assert got_msg is not None, "CPython rejects %r (%s) but nkic accepts it" % (src, msg)
    assert (got_line, got_msg) == (line, msg), "%r:\n  cpython: line %s: %s\n  nkic:    line %s: %s" % (
        src, line, msg, got_line, got_msg)
