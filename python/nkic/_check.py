"""The checkers (issue #17, docs/checks.md): ``nkic.check`` and the default checks of every simulated run.

A finding is a ``Finding``: the check's name, the message, the location (``filename``, ``lineno``, ``col``,
1-based columns as in ``NkiError``), the related location (``other``: the other side of a race) and the house rendering as its
``str()``.
"""
import os
import warnings

from nki._errors import NkiError


class CheckWarning(UserWarning):
    """A finding of the default checks in a plain run (nki.simulate, kernel(...)): they warn, never raise."""


class Location:
    """A finding's related location (the other side of a race, the allocation of a tile read unwritten)."""

    def __init__(self, filename, lineno, col, message):
        self.filename, self.lineno, self.col, self.message = filename, lineno, col, message

    def __repr__(self):
        return f"Location({self.filename!r}, {self.lineno}, {self.col}, {self.message!r})"


class Finding:
    """One finding of one check."""

    def __init__(self, check, severity, message, filename, lineno, col, rendered, hint, other):
        self.check, self.severity, self.message, self.hint = check, severity, message, hint
        self.filename, self.lineno, self.col = filename or None, lineno or None, col or None
        self.other = Location(*other) if other else None
        self._rendered = rendered

    def __str__(self):
        return self._rendered

    def __repr__(self):
        return f"Finding({self.check!r}, {self.filename!r}, line {self.lineno}: {self.message!r})"


class CheckError(NkiError):
    """The checks found something: ``.findings`` lists every finding (the message renders them all)."""

    def __init__(self, findings):
        self.findings = list(findings)
        text = "\n".join(str(f) for f in self.findings)
        first = self.findings[0]
        super().__init__(text, first.filename, first.lineno, first.col)


def selection(checks):
    """Check names from ``checks``: "all", "none", "default", names separated by commas, or a list of names."""
    from nki import _core
    if isinstance(checks, str):
        return list(_core.parse_checks(checks))
    if isinstance(checks, (list, tuple, set, frozenset)) and all(isinstance(c, str) for c in checks):
        return list(_core.parse_checks(",".join(checks))) if checks else []
    raise ValueError(f"checks= takes 'all', a comma-separated string or a list of check names, not {checks!r} "
                     f"(checks: {', '.join(_core.check_names)})")


def environment_selection():
    """NKIC_CHECKS, when set: (names, True); else the default checks: (names, False). Explicit findings raise."""
    from nki import _core
    env = os.environ.get("NKIC_CHECKS")
    if env:
        return list(_core.parse_checks(env)), True
    return list(_core.parse_checks("default")), False


_static = {}  # id(compiled) -> (compiled, names, as_warnings, findings): the same every run


def _static_findings(compiled, names, as_warnings):
    hit = _static.get(id(compiled))
    if hit is None or hit[0] is not compiled or hit[1:3] != (names, as_warnings):
        hit = (compiled, names, as_warnings, [Finding(*f) for f in compiled.static_findings(names, as_warnings)])
        _static[id(compiled)] = hit
    return hit[3]


def run_checked(run, names, explicit, seed=0, stacklevel=3, uninit_is_error=None):
    """Runs a prepared kernel (nki._runtime._Run) with the checks `names`; the run's own warnings are
    warned. `explicit`: returns the error findings (uninit-read ones too, unless `uninit_is_error` is
    False) and warns the others as CheckWarning; else warns them all and returns []."""
    if uninit_is_error is None:
        uninit_is_error = explicit
    found = list(_static_findings(run.compiled, names, not explicit)) if names else []
    for f in run.compiled.run_checked(run.inputs, run.outputs, names, seed, uninit_is_error):
        if f[0]:
            found.append(Finding(*f))
        else:
            warnings.warn(f[6], stacklevel=stacklevel)
    errors = [f for f in found if explicit and f.severity == "error"]
    for f in found:
        if f not in errors:
            warnings.warn(str(f), CheckWarning, stacklevel=stacklevel)
    return errors


def check(kernel, *args, checks="all", seed=0, uninit="error", **kwargs):
    """Runs ``kernel(*args, **kwargs)`` with the selected checks and returns its outputs, or raises one
    ``CheckError`` listing every finding. ``checks``: "all" (default), a comma-separated string or a
    list of names (``nkic.CHECKS``); ``seed`` orders the shuffled iterations; ``uninit="warning"`` makes
    uninit-read findings ``CheckWarning``s instead of errors. ``kernel[2]`` works."""
    if uninit not in ("error", "warning"):
        raise ValueError(f"uninit= takes 'error' or 'warning', not {uninit!r}")
    from nki._runtime import JitKernel, _at_kernel_line
    import sys
    names = selection(checks)
    if not isinstance(kernel, JitKernel):
        kernel = JitKernel(kernel)
    run = kernel._prepare(0, 1, args, kwargs)
    sys.stdout.flush()
    try:
        found = run_checked(run, names, True, seed, uninit_is_error=uninit == "error")
    except NkiError as e:
        raise _at_kernel_line(e) from None
    if found:
        raise CheckError(found)
    return run.finish()
