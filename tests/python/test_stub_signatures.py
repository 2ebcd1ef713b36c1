"""The Python stubs of nki.isa / nki.language / nki.collectives have the signatures the compiler binds
kernel calls with: nki._core.builtin_signatures() exports the C++ parameter tables (names, order,
which are required, defaults as Python source). The C++ table is the truth: a kernel is checked
against it, while the stub is what help(), IDEs and host-side calls see."""
import inspect

import numpy as np
import pytest

import nki
import nki._core as core
import nki.collectives as ncc
import nki.isa as nisa
import nki.language as nl
from nki._hostside import NkiOp

MODULES = {"nki.isa": nisa, "nki.language": nl, "nki.collectives": ncc}

# Public stub functions with no compiler builtin: host-side helpers that kernels never call.
PYTHON_ONLY = {
    # Buffer predicates for host code (nkic resolves buffers itself; kernels compare t.buffer).
    "nki.language.is_hbm", "nki.language.is_on_chip", "nki.language.is_psum", "nki.language.is_sbuf",
}

# Builtins that record no parameter table: they take any arguments.
UNRECORDED = {
    # get_nc_version() rejects any argument by hand; the two deprecated copies are a migration error
    # whatever they are given (all three are made in builtins_isa.cpp's make_isa_module).
    "nki.isa.get_nc_version", "nki.isa.tensor_copy_dynamic_src", "nki.isa.tensor_copy_dynamic_dst",
}


def cpp_signatures():
    """{"module.name": (recorded, [(param, required, default source or None), ...])}."""
    return {f"{m}.{n}": (recorded, params) for m, n, recorded, params in core.builtin_signatures()}


def stub_functions():
    """{"module.name": stub} for the public functions (and operator functions) of the stub modules."""
    out = {}
    for mname, module in MODULES.items():
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj) or isinstance(obj, NkiOp):
                out[f"{mname}.{name}"] = obj
    return out


def _same(a, b):
    # Strict: 1 is not 1.0 and False is not 0 (a kernel sees the type of the default).
    return a is b or (type(a) is type(b) and a == b)


def signature_mismatches(stub, params, module):
    """How the stub's signature differs from the C++ table `params` [(name, required, default source)];
    defaults are evaluated in the stub's module. Empty when they agree."""
    sig = inspect.signature(stub)
    names = list(sig.parameters)
    expected = [p[0] for p in params]
    if names != expected:
        return [f"parameters ({', '.join(names)}) should be ({', '.join(expected)})"]
    problems = []
    for p, (name, required, default) in zip(sig.parameters.values(), params):
        if p.kind is not inspect.Parameter.POSITIONAL_OR_KEYWORD:
            problems.append(f"{name} is {p.kind.description}; the compiler binds it by position or keyword")
        has_default = p.default is not inspect.Parameter.empty
        if required and has_default:
            problems.append(f"{name} has the default {p.default!r}; the compiler requires it")
        elif not required and not has_default:
            problems.append(f"{name} has no default; the compiler's is {default}")
        elif not required:
            try:
                want = eval(default, vars(module))  # noqa: S307  (a default rendered by nkic)
            except Exception as e:  # noqa: BLE001
                problems.append(f"{name}: the compiler's default {default} is not valid in {module.__name__} ({e})")
                continue
            if not _same(p.default, want):
                problems.append(f"{name}={p.default!r}; the compiler's default is {default}")
    return problems


def test_every_stub_matches_the_compiler():
    cpp, stubs = cpp_signatures(), stub_functions()
    problems = []
    for qual, stub in sorted(stubs.items()):
        if qual not in cpp or not cpp[qual][0]:
            continue
        module = MODULES[qual.rsplit(".", 1)[0]]
        problems += [f"{qual}: {p}" for p in signature_mismatches(stub, cpp[qual][1], module)]
    assert not problems, "stubs disagree with the compiler's signatures:\n" + "\n".join(problems)


def test_every_builtin_has_a_stub_and_every_stub_a_builtin():
    cpp, stubs = cpp_signatures(), stub_functions()
    # Stub classes the compiler implements as a builtin (ncc.ReplicaGroup) count as stubs too.
    missing = sorted(q for q in cpp if q not in stubs and not inspect.isclass(
        getattr(MODULES[q.rsplit(".", 1)[0]], q.rsplit(".", 1)[1], None)))
    extra = sorted(q for q in stubs if q not in cpp and q not in PYTHON_ONLY)
    assert not missing, f"compiler builtins with no Python stub: {missing}"
    assert not extra, f"Python stubs the compiler does not implement (add to PYTHON_ONLY if host-only): {extra}"
    assert PYTHON_ONLY <= set(stubs) and not PYTHON_ONLY & set(cpp), "PYTHON_ONLY is out of date"


def test_only_the_listed_builtins_take_any_arguments():
    unrecorded = {q for q, (recorded, _) in cpp_signatures().items() if not recorded}
    assert unrecorded == UNRECORDED


def test_classes_the_compiler_implements_match():
    # ncc.ReplicaGroup is a dataclass on the host and a builtin in kernels.
    cpp = cpp_signatures()
    assert signature_mismatches(ncc.ReplicaGroup, cpp["nki.collectives.ReplicaGroup"][1], ncc) == []


def test_the_comparison_detects_wrong_signatures():
    table = [("dst", True, None), ("data1", True, None), ("data2", True, None), ("op", True, None),
             ("engine", False, "engine.unknown"), ("name", False, "None")]
    assert cpp_signatures()["nki.isa.tensor_tensor"] == (True, table)
    assert signature_mismatches(nisa.tensor_tensor, table, nisa) == []

    def renamed(dst, data1, data2, operator, engine=nisa.engine.unknown, name=None): ...

    def reordered(dst, data2, data1, op, engine=nisa.engine.unknown, name=None): ...

    def wrong_default(dst, data1, data2, op, engine=nisa.engine.vector, name=None): ...

    def extra_default(dst, data1, data2, op=nl.add, engine=nisa.engine.unknown, name=None): ...

    def missing_default(dst, data1, data2, op, engine, name=None): ...

    def int_for_none(dst, data1, data2, op, engine=nisa.engine.unknown, name=0): ...

    def keyword_only(dst, data1, data2, op, *, engine=nisa.engine.unknown, name=None): ...

    for wrong in (renamed, reordered, wrong_default, extra_default, missing_default, int_for_none, keyword_only):
        assert signature_mismatches(wrong, table, nisa), wrong.__name__
    # Defaults compare by type too: 1 is not 1.0, False is not 0.
    assert signature_mismatches(lambda scale=1: None, [("scale", False, "1.0")], nisa)
    assert signature_mismatches(lambda flag=0: None, [("flag", False, "False")], nisa)
    assert signature_mismatches(lambda x=None: None, [("x", False, "no_such_name")], nisa)


@pytest.mark.parametrize("qual", sorted(UNRECORDED))
def test_unrecorded_builtins_have_stubs(qual):
    assert qual in stub_functions()


# The tables are what kernel calls are bound with, also for builtins that ignore their arguments.
@nki.jit
def _program_id_misspelt(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    nl.program_id(axes=0)
    nisa.dma_copy(dst=out, src=a)
    return out


@nki.jit
def _all_reduce_misspelt(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    ncc.all_reduce(srcs=[a], dsts=[out], replica_groups=None, op=nl.add)
    return out


@pytest.mark.parametrize("kernel, message", [
    (_program_id_misspelt, "program_id() got an unexpected keyword argument 'axes'"),
    (_all_reduce_misspelt, "all_reduce() got an unexpected keyword argument 'replica_groups'"),
])
def test_the_compiler_binds_by_its_table(kernel, message):
    with pytest.raises(nki.NkiCompileError) as e:
        kernel(np.zeros((4, 4), np.float32))
    assert message in str(e.value)
