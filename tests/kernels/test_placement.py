"""Placement: the allocator's quadrant placement, explicit address= tensors, the start-partition rules
of compute operands, and the allocation section of `nkic ir` (rotating buffers)."""
import os
import subprocess
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import placement_kernels as pk  # noqa: E402


def test_quadrant_tiles_share_a_byte_range():
    a = np.random.default_rng(0).standard_normal((128, 64), dtype=np.float32)
    want = a + np.repeat(np.arange(4, dtype=np.float32), 32)[:, None]
    np.testing.assert_array_equal(pk.quadrant_tiles(a), want)
    ir = pk.quadrant_tiles.compile(a).ir()
    for q in range(4):
        assert f"at (partition {32 * q}, byte 0)" in ir, ir


def test_explicit_addresses_simulate():
    a = np.random.default_rng(1).standard_normal((128, 64), dtype=np.float32)
    out = pk.explicit_addresses(a)
    np.testing.assert_array_equal(out[0:64], a[0:64] * 2 + a[64:128])
    np.testing.assert_array_equal(out[64:128], a[64:128])
    ir = pk.explicit_addresses.compile(a).ir()
    assert "at (partition 64, byte 0)" in ir and "at (partition 64, byte 2048)" in ir


def test_ir_allocation_section_reports_rotating_buffers(nkic_path):
    args = [nkic_path, "ir", os.path.join(HERE, "placement_kernels.py") + ":rotating", "--arg", "a=128x64:float32",
            "--arg", "n=8"]
    r = subprocess.run(args, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    head, _, alloc = r.stdout.partition("\nallocation: ")
    assert head.startswith("kernel rotating: ") and "  0: " in head  # the instruction listing is unchanged
    lines = alloc.splitlines()
    assert lines[0] == "2 on-chip declaration sites"
    assert lines[1] == "  SBUF acc (line 43): partitions [0, 128) x bytes [0, 256)"
    assert lines[2] == "  SBUF b_tile (line 47): 2 buffers x 256 B, 8 instances"
    assert lines[3:5] == ["    partitions [0, 128) x bytes [256, 512)", "    partitions [0, 128) x bytes [512, 768)"]
