"""Block dimensions (nl.par_dim) and direct allocation (ncc.sbuf / ncc.psum) in Beta 1 kernels
(tests/legacy/kernels/alloc_kernels.py), run through the 0.3.0 runner and checked against NumPy: exact for
copies, adds and scaling by 2; the fp32 matmul to 1e-4 relative to the largest output. The placements
the allocators give are read from the compiled program; the errors' golden texts are
tests/diagnostics/legacy_alloc_*.py, the rest are checked here (message and line)."""
import os
import re
import sys
import textwrap
import warnings

import numpy as np
import pytest

import nki

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernels"))
import alloc_kernels as K  # noqa: E402

RNG = np.random.default_rng(3)
warnings.filterwarnings("ignore", message=".*legacy NKI namespace.*")


def f32(*shape):
    return RNG.standard_normal(shape, dtype=np.float32)


def run(fn, *args):
    return nki.simulate(nki.jit(fn))(*args)


def placements(fn, *args):
    """{tensor name: (partition, byte)} of the compiled program."""
    ir = nki.jit(fn).compile(*args).ir()
    return {m[1]: (int(m[2]), int(m[3])) for m in re.finditer(r"tensor %\d+ (.+?): .* at \(partition (\d+), byte (\d+)\)", ir)}


def test_mod_alloc_double_buffer():
    x = f32(1024, 512)
    np.testing.assert_array_equal(run(K.scale_double_buffered, x), x * np.float32(2))
    p = placements(K.scale_double_buffered, x)
    assert [p[f"buf[{i}]"] for i in range(4)] == [(0, 0), (0, 2048), (0, 0), (0, 2048)]
    assert [p[f"res[{i}]"] for i in range(2)] == [(0, 4096), (0, 6144)]


def test_alloc_func_closure_bump_allocator():
    a, b = f32(512, 512), f32(512, 512)
    np.testing.assert_array_equal(run(K.add_bump_allocated, a, b), a + b)
    p = placements(K.add_bump_allocated, a, b)
    assert [p[f"ta[{i}]"][1] for i in range(4)] == [0, 2048, 4096, 6144]
    assert [p[f"tb[{i}]"][1] for i in range(4)] == [8192, 10240, 12288, 14336]


def test_psum_mod_alloc_banks():
    a, b = f32(256, 128), f32(256, 1024)
    ref = a.T @ b
    np.testing.assert_allclose(run(K.matmul_psum_banks, a, b), ref, rtol=0, atol=1e-4 * np.abs(ref).max())
    p = placements(K.matmul_psum_banks, a, b)
    assert (p["acc[0]"], p["acc[1]"]) == ((0, 0), (0, 2048))  # banks 0 and 1
    assert [p[f"bt[{k}, {j}]"][1] for k in range(2) for j in range(2)] == [1024, 3072, 5120, 7168]


def test_block_dims_auto_allocated():
    x = f32(128, 384)
    np.testing.assert_array_equal(run(K.block_dims_auto, x), x + np.float32(1))


def test_force_auto_alloc_ignores_direct_allocation():
    x = f32(128, 512)
    np.testing.assert_array_equal(run(K.forced_auto, x), x + x)


HEADER = """\
import neuronxcc.nki.compiler as ncc
import neuronxcc.nki.language as nl
import nki.isa as nisa


"""


def compile_error(tmp_path, body, *args):
    """Compiles kernel `kernel` of HEADER + body; returns (message, line) of the error."""
    path = tmp_path / "k.py"
    path.write_text(HEADER + textwrap.dedent(body))
    sys.path.insert(0, str(tmp_path))
    try:
        sys.modules.pop("k", None)
        import k
        with pytest.raises(Exception) as e:
            nki.jit(k.kernel).compile(*args)
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("k", None)
    return str(e.value), e.value.lineno - HEADER.count("\n")


X = np.zeros((128, 512), np.float32)


@pytest.mark.parametrize("body,line,message", [
    ("""\
     def kernel(x):
         t = nl.ndarray((2, nl.par_dim(128), 512), dtype=x.dtype, buffer=nl.sbuf)
         nisa.dma_copy(dst=t[2], src=x)
     """, 3, "block index 2 is out of range for block dimension 0 of 't' (size 2)"),
    ("""\
     def kernel(x):
         t = nl.ndarray((2, nl.par_dim(128), 512), dtype=x.dtype, buffer=nl.sbuf)
         nisa.dma_copy(dst=t[0:1], src=x)
     """, 3, "block index 0 of 't' must be an integer"),
    ("""\
     def kernel(x):
         t = nl.ndarray((2, nl.par_dim(64), nl.par_dim(2)), dtype=x.dtype)
     """, 2, "at most one nl.par_dim"),
    ("""\
     def kernel(x):
         t = nl.ndarray((128, 512), dtype=x.dtype, buffer="sbuf")
     """, 2, "buffer must be nl.sbuf, nl.psum"),
    ("""\
     def kernel(x):
         t = nl.zeros((128, 512), dtype=x.dtype, buffer=nl.shared_hbm)
     """, 2, "HBM tensors have no initial value"),
    ("""\
     def place(idx, pdim_size, fdim_size):
         return 0


     def kernel(x):
         t = nl.ndarray((2, nl.par_dim(128), 512), dtype=x.dtype, buffer=ncc.sbuf.alloc(place))
     """, 6, "the allocation function must return (start_partition, byte_addr), not 0"),
    ("""\
     def place(idx, pdim_size, fdim_size):
         return (idx[0], 0, 1024)


     def kernel(x):
         t = nl.ndarray((2, nl.par_dim(128), 512), dtype=x.dtype,
                        buffer=ncc.psum.alloc(place))
     """, 7, "must both be 0 (one tile per PSUM bank"),
    ("""\
     def kernel(x):
         t = nl.ndarray((128, 1024), dtype=nl.float32, buffer=ncc.psum.mod_alloc(base_bank=0))
     """, 2, "a PSUM tile cannot cross a 2048-byte bank"),
    ("""\
     def kernel(x):
         t = nl.ndarray((128, 512), dtype=x.dtype, buffer=ncc.sbuf.mod_alloc(0))
     """, 2, "mod_alloc() takes keyword arguments only"),
])
def test_errors(tmp_path, body, line, message):
    text, at = compile_error(tmp_path, body, X)
    assert message in text
    assert at == line


def test_byte_addr_alias_warns(tmp_path):
    path = tmp_path / "kb.py"
    path.write_text(HEADER + textwrap.dedent("""\
        def kernel(x):
            out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
            t = nl.ndarray((128, 512), dtype=x.dtype, buffer=ncc.sbuf.mod_alloc(byte_addr=1024))
            nisa.dma_copy(dst=t, src=x)
            nisa.dma_copy(dst=out, src=t)
            return out
        """))
    sys.path.insert(0, str(tmp_path))
    try:
        import kb
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            x = f32(128, 512)
            np.testing.assert_array_equal(run(kb.kernel, x), x)
        assert any("mod_alloc(byte_addr=) is spelled base_addr=" in str(m.message) for m in w), [str(m.message) for m in w]
        assert "at (partition 0, byte 1024)" in nki.jit(kb.kernel).compile(x).ir()
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("kb", None)
