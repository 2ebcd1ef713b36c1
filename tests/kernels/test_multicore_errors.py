"""Error paths of two cores, collectives and static offsets: each message, at the kernel's line."""
import subprocess

import numpy as np
import pytest

import nki
import nkic
from multicore_error_kernels import (bad_collective, offset_out_of_bounds, outputs_differ, sends_to_itself,
                                     shared_scratch_differs)

X = np.ones((128, 8), np.float32)


def error_of(fn):
    with pytest.raises(nki.NkiError) as e:
        fn()
    return str(e.value)


def test_cores_must_return_the_same_outputs():
    msg = error_of(lambda: outputs_differ[2](X))
    assert "returns different outputs on core 0 and core 1" in msg and "multicore_error_kernels.py" in msg, msg


def test_cores_must_declare_the_same_shared_tensors():
    msg = error_of(lambda: shared_scratch_differs[2](X))
    assert "core 1 declares shared_hbm tensor 'scratch'" in msg and "line 21" in msg, msg


def test_sendrecv_to_itself():
    msg = error_of(lambda: sends_to_itself[2](X))
    assert "send_to_rank must be the other core (1): this is core 0" in msg and "line 36" in msg, msg


@pytest.mark.parametrize("case, message", [
    ("op", "op must be nl.add, nl.minimum or nl.maximum"),
    ("sbuf_coalesced", "more than one tensor per list (coalescing) needs HBM tensors"),
    ("psum", "tensors must be in HBM or SBUF, not PSUM"),
    ("kinds", "rank 1 calls all_gather where rank 0 calls all_reduce"),
])
def test_collective_misuse(case, message):
    msg = error_of(lambda: nkic.simulate_ranks(bad_collective, ranks=2)([(X, case), (X, case)]))
    assert message in msg and "multicore_error_kernels.py" in msg, msg


def test_static_scalar_offset_out_of_bounds():
    a = np.ones((3, 16, 8), np.float32)
    msg = error_of(lambda: nki.simulate(offset_out_of_bounds)(a))
    assert "scalar_offset 3 moves the pattern outside 'a'" in msg and "line 66" in msg, msg


def test_cli_rejects_bad_pass_and_rank_counts(nkic_path):
    src = "tests/kernels/multicore_error_kernels.py:sends_to_itself"
    r = subprocess.run([nkic_path, "ir", src, "--after", "inline", "--arg", "x=128x8:float32"], capture_output=True,
                       text=True)
    assert r.returncode == 2 and "unknown pass 'inline' for --after (passes: specialize, allocate, placement, verify)" \
        in r.stderr, r.stderr
    r = subprocess.run([nkic_path, "run", src, "--ranks", "0", "--arg", "x=128x8:float32"], capture_output=True,
                       text=True)
    assert r.returncode == 2 and "--ranks takes a number of ranks from 1 to 64" in r.stderr, r.stderr
