"""A kernel file edited and re-imported in the same process (a notebook) is traced from its new text: the
tracer's per-file indexes (statements, call arguments) follow the file."""
import importlib
import os
import sys
import time

import numpy as np

import nki

SOURCE = '''import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def copy_kernel(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    {name} = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst={name}, src=a)
    nisa.dma_copy(dst=out, src={name})
    return out
'''


def test_edited_kernel_file_is_reindexed(tmp_path, monkeypatch):
    monkeypatch.setenv("NKI_COMPILER_FRONTEND", "trace")
    path = tmp_path / "edited_kernel_mod.py"
    path.write_text(SOURCE.format(name="first"))
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("edited_kernel_mod", None)
    mod = importlib.import_module("edited_kernel_mod")
    a = np.ones((128, 8), np.float32)
    assert "first: float32[128,8]" in mod.copy_kernel.compile(a).ir()
    path.write_text(SOURCE.format(name="second"))
    os.utime(path, (time.time() + 5, time.time() + 5))  # a later modification time, whatever the clock's grain
    mod = importlib.reload(mod)
    assert "second: float32[128,8]" in mod.copy_kernel.compile(a).ir()
    np.testing.assert_array_equal(mod.copy_kernel(a), a)  # a copy: exact
