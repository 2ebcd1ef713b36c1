"""The checker tests choose their checks themselves."""
import pytest


@pytest.fixture(autouse=True)
def _no_env_checks(monkeypatch):
    """A clean NKIC_CHECKS (the suite may run under NKIC_CHECKS=all)."""
    monkeypatch.delenv("NKIC_CHECKS", raising=False)
