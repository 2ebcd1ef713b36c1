"""Fixtures shared by the Python tests."""
import os
import shutil

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def _nkic_candidates():
    yield shutil.which("nkic")
    # The build directory of the extension these tests import: its CLI is the matching build.
    try:
        import nki._core as core
        yield os.path.join(os.path.dirname(os.path.abspath(core.__file__)), "nkic")
    except ImportError:
        pass
    if os.environ.get("NKIC_CORE_DIR"):
        yield os.path.join(os.path.abspath(os.environ["NKIC_CORE_DIR"]), "nkic")
    yield os.path.join(ROOT, "build", "dev", "nkic")  # the editable install's build (./dev)


@pytest.fixture(scope="session")
def nkic_path():
    """The nkic command line tool: on PATH, else next to the loaded nki._core (NKIC_CORE_DIR), else
    build/dev. A missing tool fails the tests that need it: a skipped CLI test would hide a broken build."""
    for path in _nkic_candidates():
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    pytest.fail("the nkic command line tool was not found: it is not on PATH, not next to the loaded "
                "nki._core extension, and not in build/dev. Build it (./dev test, or "
                "`ninja -C build/NAME nkic` with NKIC_CORE_DIR=build/NAME) or put it on PATH.", pytrace=False)
