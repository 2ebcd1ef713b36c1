"""Helpers of the release tests: compile our kernels under a selected NKI release (NKIC_NKI_RELEASE, or
the default when None) and find the line an error should point at (`# ERROR-LINE name` markers)."""
import contextlib
import os

import pytest

import nki


@contextlib.contextmanager
def release(ver):
    """NKIC_NKI_RELEASE=ver for the block (None: unset, the default release)."""
    old = os.environ.get("NKIC_NKI_RELEASE")
    if ver is None:
        os.environ.pop("NKIC_NKI_RELEASE", None)
    else:
        os.environ["NKIC_NKI_RELEASE"] = ver
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("NKIC_NKI_RELEASE", None)
        else:
            os.environ["NKIC_NKI_RELEASE"] = old


def run(fn, *args, ver=None, **kw):
    """fn, a plain kernel function, jitted afresh and simulated under release `ver`."""
    with release(ver):
        return nki.jit(fn)(*args, **kw)


def error_line(path, name):
    with open(path) as f:
        for i, line in enumerate(f, 1):
            if line.rstrip().endswith(f"# ERROR-LINE {name}"):
                return i
    raise AssertionError(f"no ERROR-LINE {name} in {path}")


_selection = None


def needs_release_selection(probe_fn, probe_args, older):
    """Skips the test unless selecting a release is wired up (NKIC_NKI_RELEASE reaches the compiler):
    `probe_fn` uses a name `older` lacks, so under `older` it must fail."""
    global _selection
    if _selection is None:
        try:
            run(probe_fn, *probe_args, ver=older)
            _selection = False
        except Exception:  # noqa: BLE001  (any compile error means the selection reached the compiler)
            _selection = True
    if not _selection:
        pytest.skip("release selection (NKIC_NKI_RELEASE) is not wired to the compiler yet")
