"""Compile-time `os.environ` / `os.getenv` (read-only, recorded for the compile cache) and absolute imports
resolved the way Python resolves them: the caller's sys.modules (source files, never live objects),
sys.path (regular and namespace packages), and from the CLI the kernel's folder, --path and PYTHONPATH.
Every package here is our own, written into a tmp dir by the test. Results are exact vs NumPy (the
kernels multiply and add small exact floats)."""
import importlib
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import nki


KERNEL = '''
import nki
import nki.isa as nisa
import nki.language as nl
{imports}


@nki.jit
def kern(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    x = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=x, src=a)
    nisa.tensor_scalar(dst=x, data=x, op0=nl.multiply, operand0={scale}, op1=nl.add, operand1={bias})
    nisa.dma_copy(dst=out, src=x)
    return out
'''


def write(root, files):
    for rel, text in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(textwrap.dedent(text))


def kernel_source(imports, scale, bias):
    return KERNEL.format(imports=textwrap.dedent(imports).strip(), scale=scale, bias=bias)


@pytest.fixture
def clean_imports():
    """Our modules and the sys.path entries a test adds are removed afterwards (their names repeat across
    tests). Other modules the test imported (torch) stay: they cannot be imported twice."""
    path, mods = list(sys.path), set(sys.modules)
    yield
    sys.path[:] = path
    for name in set(sys.modules) - mods:
        if name.startswith(("h5", "env", "tryprobe")):
            del sys.modules[name]


def load(tmp_path, name, source):
    write(tmp_path, {f"{name}.py": source})
    sys.path.insert(0, str(tmp_path))
    return importlib.import_module(name)


A = np.arange(128 * 8, dtype=np.float32).reshape(128, 8) % 7


def check(kernel, scale, bias):
    np.testing.assert_array_equal(kernel(A), A * np.float32(scale) + np.float32(bias))


# ---------------------------------------------------------------- os.environ at compile time

ENV_HELPERS = '''
import os
from os import environ, getenv


def scale():
    s = float(os.environ.get("NKIC_T_SCALE", "2"))
    if "NKIC_T_DOUBLE" in os.environ:
        s = s * 2
    if getenv("NKIC_T_NEG") == "1":
        s = -s
    s = s + float(getenv("NKIC_T_ADD", "0"))
    if "NKIC_T_EXTRA" in environ:
        s = s + float(environ["NKIC_T_EXTRA"])
    return s
'''


@pytest.mark.parametrize("env,scale", [
    ({}, 2.0),
    ({"NKIC_T_SCALE": "3"}, 3.0),
    ({"NKIC_T_SCALE": "3", "NKIC_T_DOUBLE": ""}, 6.0),
    ({"NKIC_T_NEG": "1", "NKIC_T_ADD": "0.5"}, -1.5),
    ({"NKIC_T_EXTRA": "4"}, 6.0),
])
def test_env_read_patterns(tmp_path, monkeypatch, clean_imports, env, scale):
    for k in ("NKIC_T_SCALE", "NKIC_T_DOUBLE", "NKIC_T_NEG", "NKIC_T_ADD", "NKIC_T_EXTRA"):
        monkeypatch.delenv(k, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    write(tmp_path, {"envhelp.py": ENV_HELPERS})
    mod = load(tmp_path, "envk", kernel_source("from envhelp import scale", "scale()", 1.0))
    check(mod.kern, scale, 1.0)
    reads = dict(mod.kern.compile(A).env_reads())
    assert reads["NKIC_T_SCALE"] == env.get("NKIC_T_SCALE")
    assert set(reads) <= {"NKIC_T_SCALE", "NKIC_T_DOUBLE", "NKIC_T_NEG", "NKIC_T_ADD", "NKIC_T_EXTRA"}


def test_env_cache_key_is_the_variables_read(tmp_path, monkeypatch, clean_imports):
    monkeypatch.delenv("NKIC_T_LOG_LEVEL", raising=False)
    mod = load(tmp_path, "envcache", kernel_source('''
        import os


        def level_bias():
            return 1.0 if os.environ.get("NKIC_T_LOG_LEVEL", "INFO") == "DEBUG" else 0.0
        ''', 2.0, "level_bias()"))
    plain = load(tmp_path, "envplain", kernel_source("", 2.0, 0.0))

    quiet = mod.kern.compile(A)
    untouched = plain.kern.compile(A)
    assert quiet.env_reads() == [("NKIC_T_LOG_LEVEL", None)] and not quiet.env_reads_all
    assert untouched.env_reads() == []
    check(mod.kern, 2, 0)

    monkeypatch.setenv("NKIC_T_UNRELATED", "x")  # read by neither kernel: no recompile
    assert mod.kern.compile(A) is quiet
    monkeypatch.setenv("NKIC_T_LOG_LEVEL", "DEBUG")  # read by one kernel: only that one recompiles
    assert plain.kern.compile(A) is untouched
    debug = mod.kern.compile(A)
    assert debug is not quiet and debug.env_reads() == [("NKIC_T_LOG_LEVEL", "DEBUG")]
    check(mod.kern, 2, 1)
    monkeypatch.delenv("NKIC_T_LOG_LEVEL")  # back to the first value: the first kernel is reused
    assert mod.kern.compile(A) is quiet
    check(mod.kern, 2, 0)
    assert len(mod.kern._cache) == 1


def test_env_items_reads_the_whole_environment(tmp_path, monkeypatch, clean_imports):
    for k in list(os.environ):
        if k.startswith("NKIC_T_ITEM_"):
            monkeypatch.delenv(k)
    mod = load(tmp_path, "envitems", kernel_source('''
        import os


        def count():
            n = 0
            for key, value in os.environ.items():
                if key.startswith("NKIC_T_ITEM_"):
                    n = n + int(value)
            return float(n + len(os.environ.keys()) - len(os.environ.values()))
        ''', 1.0, "count()"))
    first = mod.kern.compile(A)
    assert first.env_reads_all and dict(first.env_reads()) == dict(os.environ)
    check(mod.kern, 1, 0)
    monkeypatch.setenv("NKIC_T_ITEM_A", "3")  # a new variable: the listing changed
    check(mod.kern, 1, 3)
    assert mod.kern.compile(A) is not first


@pytest.mark.parametrize("body,message", [
    ('os.environ["NKIC_T_X"] = "1"', r"os.environ\[...\] cannot be assigned: the environment is read-only"),
    ('os.environ.update({"A": "1"})', r"os.environ.update\(\) is not supported"),
    ('os.putenv("NKIC_T_X", "1")', r"os.putenv is not available to kernels"),
    ('os.system("true")', r"os.system is not available to kernels"),
    ('os.environ["NKIC_T_SURELY_UNSET"]', r"environment variable 'NKIC_T_SURELY_UNSET' is not set"),
    ('os.getenv(1)', r"environment variable names are strings"),
])
def test_env_errors(tmp_path, clean_imports, body, message):
    mod = load(tmp_path, "enverr", kernel_source(f'''
        import os


        def helper():
            {body}
            return 1.0
        ''', "helper()", 0.0))
    with pytest.raises(nki.NkiCompileError, match=message) as e:
        mod.kern(A)
    with open(mod.__file__) as f:
        assert e.value.lineno == f.read().splitlines().index("    " + body) + 1  # at the helper's line


def test_env_missing_key_is_a_catchable_key_error(tmp_path, monkeypatch, clean_imports):
    sys.path.insert(0, str(tmp_path))
    monkeypatch.delenv("NKIC_T_UNSET", raising=False)
    mod = load(tmp_path, "envkey", kernel_source('''
        import os


        def bias():
            try:
                return float(os.environ["NKIC_T_UNSET"])
            except KeyError:
                return 4.0
        ''', 1.0, "bias()"))
    check(mod.kern, 1, 4)
    monkeypatch.setenv("NKIC_T_UNSET", "2")
    check(mod.kern, 1, 2)


# ---------------------------------------------------------------- imports resolved as Python does

LIBPKG = {
    "h5lib/__init__.py": "import torch  # host-only: the kernels never use it\nimport logging\n",
    "h5lib/core/__init__.py": "",
    "h5lib/core/ops.py": '''
        import torch
        from .consts import FACTOR


        def scale():
            return FACTOR * 1.5


        def host_only():
            return torch.float32
        ''',
    "h5lib/core/consts.py": "FACTOR = 2.0\n",
}


def test_package_outside_test_folder_on_sys_path(tmp_path, clean_imports):
    write(tmp_path / "lib", LIBPKG)
    sys.path.insert(0, str(tmp_path / "lib"))
    mod = load(tmp_path / "kern", "h5kern_path", kernel_source('''
        import h5lib.core.ops
        from h5lib.core.ops import scale
        from h5lib.core import consts
        ''', "scale()", "h5lib.core.ops.scale() + consts.FACTOR"))
    for name in [m for m in sys.modules if m.startswith("h5lib")]:
        del sys.modules[name]  # found through sys.path alone
    check(mod.kern, 3.0, 5.0)


def test_package_in_sys_modules_compiles_from_source(tmp_path, clean_imports):
    write(tmp_path / "lib", {"h5mod/__init__.py": "", "h5mod/helpers.py": "BIAS = 5.0\n\n\ndef scale():\n    return 0.5\n"})
    sys.path.insert(0, str(tmp_path / "lib"))
    mod = load(tmp_path / "kern", "h5kern_mods", kernel_source("from h5mod.helpers import BIAS, scale", "scale()", "BIAS"))
    sys.path.remove(str(tmp_path / "lib"))  # found through sys.modules alone
    import h5mod.helpers
    h5mod.helpers.BIAS = 100.0  # the live object is not what compiles: the module's source is
    check(mod.kern, 0.5, 5.0)


@pytest.mark.parametrize("keep_modules", [True, False])
def test_namespace_package(tmp_path, clean_imports, keep_modules):
    write(tmp_path / "ns", {"h5ns/sub/helpers.py": "BIAS = 1.5\n", "h5ns/sub/deeper/more.py": "SCALE = 4.0\n"})
    sys.path.insert(0, str(tmp_path / "ns"))
    mod = load(tmp_path / "kern", "h5kern_ns", kernel_source('''
        import h5ns.sub.helpers
        from h5ns.sub import helpers
        from h5ns.sub.deeper.more import SCALE
        ''', "SCALE", "helpers.BIAS + h5ns.sub.helpers.BIAS"))
    if not keep_modules:
        for name in [m for m in sys.modules if m.startswith("h5ns")]:
            del sys.modules[name]
    check(mod.kern, 4.0, 3.0)


@pytest.mark.parametrize("keep_modules", [True, False])
def test_library_layout_outer_namespace(tmp_path, clean_imports, keep_modules):
    # nki-library's tests import `nkilib_src.nkilib.core...` (nkilib_src has no __init__.py) from a test
    # file outside the package, while the library's own modules import `nkilib.core...` (absolute) and
    # `..utils` (relative).
    write(tmp_path / "src", {
        "h5src/h5nkilib/__init__.py": "",
        "h5src/h5nkilib/core/__init__.py": "",
        "h5src/h5nkilib/core/utils/__init__.py": "",
        "h5src/h5nkilib/core/utils/view.py": "SCALE = 2.5\nBIAS = 0.5\n",
        "h5src/h5nkilib/core/ops/__init__.py": "",
        "h5src/h5nkilib/core/ops/bias.py": """
            from h5nkilib.core.utils.view import BIAS
            from ..utils import view


            def bias():
                return BIAS + view.BIAS
            """,
    })
    sys.path[:0] = [str(tmp_path / "src"), str(tmp_path / "src" / "h5src")]
    mod = load(tmp_path / "test", "h5test_layout", kernel_source('''
        from h5src.h5nkilib.core.utils.view import SCALE
        from h5src.h5nkilib.core.ops.bias import bias
        ''', "SCALE", "bias()"))
    if not keep_modules:
        for name in [m for m in sys.modules if m.startswith(("h5src", "h5nkilib"))]:
            del sys.modules[name]
    check(mod.kern, 2.5, 1.0)


def test_host_only_modules_are_errors_only_when_used(tmp_path, clean_imports):
    write(tmp_path / "lib", LIBPKG)
    sys.path.insert(0, str(tmp_path / "lib"))
    uses = load(tmp_path / "kern", "h5kern_hostuse", kernel_source('''
        import logging
        import torch
        from h5lib.core.ops import host_only, scale
        ''', "scale()", 0.0))
    check(uses.kern, 3.0, 0.0)  # torch and logging imported, never used
    bad = load(tmp_path / "kern", "h5kern_hostbad", kernel_source("from h5lib.core.ops import host_only", 1.0, "host_only()"))
    with pytest.raises(nki.NkiCompileError, match=r"module 'torch' is not available to kernels \(the kernel uses 'torch.float32'\)") as e:
        bad.kern(A)
    assert e.value.filename.endswith(os.path.join("h5lib", "core", "ops.py"))
    log = load(tmp_path / "kern", "h5kern_hostlog", kernel_source("import logging", 1.0, "logging.DEBUG"))
    with pytest.raises(nki.NkiCompileError, match=r"module 'logging' is not available to kernels"):
        log.kern(A)


# ---------------------------------------------------------------- the CLI: --path and PYTHONPATH

def cli_setup(tmp_path, nkic):
    write(tmp_path / "lib", LIBPKG)
    write(tmp_path / "ns", {"h5ns/sub/helpers.py": "BIAS = 1.5\n"})
    write(tmp_path / "kern", {
        "clik.py": kernel_source('''
            from h5lib.core.ops import scale
            import h5ns.sub.helpers
            from sibling import EXTRA
            ''', "scale()", "h5ns.sub.helpers.BIAS + EXTRA"),
        "sibling.py": "EXTRA = 1.0\n",  # the kernel's own folder
    })
    np.save(tmp_path / "a.npy", A)
    return [nkic, "run", str(tmp_path / "kern" / "clik.py"), "--arg", f"a=128x8:float32={tmp_path / 'a.npy'}",
            "--out", str(tmp_path / "out"), "--quiet"]


def cli_env(**extra):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(extra)
    return env


@pytest.mark.parametrize("how", ["--path", "PYTHONPATH"])
def test_cli_search_path(tmp_path, how, nkic_path):
    cmd = cli_setup(tmp_path, nkic_path)
    dirs = [str(tmp_path / "lib"), str(tmp_path / "ns")]
    if how == "--path":
        cmd += ["--path", dirs[0], f"--path={dirs[1]}"]
        env = cli_env()
    else:
        env = cli_env(PYTHONPATH=os.pathsep.join(dirs))
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    np.testing.assert_array_equal(np.load(tmp_path / "out" / "out.npy"), A * np.float32(3.0) + np.float32(2.5))


def test_cli_search_path_errors(tmp_path, nkic_path):
    cmd = cli_setup(tmp_path, nkic_path)
    r = subprocess.run(cmd, capture_output=True, text=True, env=cli_env())
    assert r.returncode == 1 and "module 'h5lib.core.ops' is not available to kernels" in r.stderr
    r = subprocess.run(cmd + ["--path", str(tmp_path / "nowhere")], capture_output=True, text=True, env=cli_env())
    assert r.returncode == 2 and "not a directory" in r.stderr
    r = subprocess.run([nkic_path, "run", "--help"], capture_output=True, text=True)
    assert "--path DIR" in r.stdout


def test_notebook_kernel_uses_an_imported_package(tmp_path, clean_imports):
    # A kernel without a source file (a notebook cell) reaches the package through its live globals.
    import linecache
    write(tmp_path / "lib", {"h5cell/__init__.py": "", "h5cell/consts.py": "SCALE = 1.5\nBIAS = 2.0\n"})
    sys.path.insert(0, str(tmp_path / "lib"))
    import h5cell.consts
    source = kernel_source("", "h5cell.consts.SCALE", "h5cell.consts.BIAS")
    cell = source[source.index("@nki.jit"):]  # the kernel alone; nki, nl, nisa and h5cell are live globals
    name = "<ipython-input-h5cell>"
    linecache.cache[name] = (len(cell), None, cell.splitlines(True), name)
    g = {"nki": nki, "nl": importlib.import_module("nki.language"), "nisa": importlib.import_module("nki.isa"),
         "h5cell": h5cell}
    exec(compile(cell, name, "exec"), g)
    check(g["kern"], 1.5, 2.0)
