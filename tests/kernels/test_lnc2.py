"""Two cores (LNC2, kernel[2]) against NumPy: row splits, sendrecv, core_barrier, private_hbm, grid
values, races and deadlocks. Copies and adds are exact; the matmul is fp32 (tolerance 1e-5)."""
import subprocess
import sys
import warnings

import numpy as np
import pytest

import nki
import nkic
from lnc2_kernels import (barrier_handoff, barrier_on_another_tensor, barrier_on_one_core, both_cores_write_everything,
                          grid_values, mismatched_pipes, private_scratch, row_split, split_k_matmul)

rng = np.random.default_rng(7)


def test_row_split_by_program_id():
    x = rng.standard_normal((256, 64)).astype(np.float32)
    assert np.array_equal(row_split[2](x), 2 * x)
    assert np.array_equal(nki.simulate(row_split[2])(x), 2 * x)


def test_split_k_matmul_exchanges_partial_sums():
    lhsT = rng.standard_normal((256, 128)).astype(np.float32)
    rhs = rng.standard_normal((256, 512)).astype(np.float32)
    np.testing.assert_allclose(split_k_matmul[2](lhsT, rhs), lhsT.T @ rhs, rtol=1e-5, atol=1e-4)


def test_core_barrier_hands_off_through_shared_hbm():
    x = rng.standard_normal((128, 32)).astype(np.float32)
    got = barrier_handoff[2](x)
    want = np.concatenate([3 * x[64:] + 1, 3 * x[:64] + 1])
    assert np.array_equal(got, want)


def test_only_the_barriers_queue_waits():
    # The stage reads do not touch the barrier's tensor and run on another queue, so they run ahead of
    # the barrier: core 0 reads core 1's half before core 1 (busy first) wrote it (never-written HBM
    # reads as NaN); core 1 reads core 0's half, written long before.
    x = rng.standard_normal((128, 32)).astype(np.float32)
    got = barrier_on_another_tensor[2](x)
    assert np.isnan(got[:64]).all()
    assert np.array_equal(got[64:], x[:64])


def test_private_hbm_is_per_core():
    x = rng.standard_normal((128, 16)).astype(np.float32)
    want = np.concatenate([x[:64] + 100, x[64:] + 200])
    assert np.array_equal(private_scratch[2](x), want)


@pytest.mark.parametrize("launch, rows", [("plain", [(0, 1, 0)]), ("one", [(0, 1, 1)]), ("two", [(0, 2, 1), (1, 2, 1)])])
def test_program_id_num_programs_program_ndim(launch, rows):
    x = np.zeros((1, 1), np.float32)
    k = {"plain": grid_values, "one": grid_values[1], "two": grid_values[2]}[launch]
    got = k(x)
    for pid, row in enumerate(rows):
        assert tuple(got[pid]) == row


def test_results_are_deterministic():
    x = rng.standard_normal((128, 32)).astype(np.float32)
    first = barrier_on_another_tensor[2](x)
    for _ in range(3):
        assert np.array_equal(barrier_on_another_tensor[2](x), first, equal_nan=True)


def test_unsynchronized_writes_from_both_cores_warn(monkeypatch):
    # A deliberate race: the plain run (the default checks, which only warn) gives the simulator's warning
    # and the lnc-race finding; selecting the check makes it an error naming both cores' lines.
    monkeypatch.delenv("NKIC_CHECKS", raising=False)
    x = rng.standard_normal((128, 8)).astype(np.float32)
    with pytest.raises(nkic.CheckError) as e:
        nkic.check(both_cores_write_everything[2], x, checks="lnc-race")
    (f,) = e.value.findings
    assert f.check == "lnc-race" and f.filename.endswith("lnc2_kernels.py"), f
    assert f.other is not None and f.other.filename == f.filename, f
    src = open(f.filename).read().splitlines()
    assert "dma_copy(dst=out, src=t)" in src[f.lineno - 1] and "dma_copy(dst=out, src=t)" in src[f.other.lineno - 1]
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = both_cores_write_everything[2](x)
    assert np.array_equal(out, x)
    text = "\n".join(str(m.message) for m in w)
    assert "core 1 writes shared_hbm bytes of 'out' that core 0 also writes" in text, text
    assert text.count("lnc2_kernels.py") >= 2, text  # both lines


def test_synchronized_kernels_do_not_warn():
    x = rng.standard_normal((128, 32)).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        barrier_handoff[2](x)
        row_split[2](x)


def test_deadlock_is_an_error_with_each_cores_line():
    x = rng.standard_normal((128, 8)).astype(np.float32)
    with pytest.raises(nki.NkiError) as e:
        barrier_on_one_core[2](x)
    msg = str(e.value)
    assert "deadlock: core 0 waits here for a matching core_barrier" in msg and "core 1 has finished" in msg, msg
    with pytest.raises(nki.NkiError) as e:
        mismatched_pipes[2](x)
    msg = str(e.value)
    assert "sendrecv (pipe_id=0)" in msg and "sendrecv (pipe_id=1)" in msg, msg


def test_sendrecv_needs_two_cores():
    x = rng.standard_normal((128, 8)).astype(np.float32)
    with pytest.raises(nki.NkiError, match="launch it on both cores of the pair with kernel\\[2\\]"):
        mismatched_pipes(x)


def test_kernel2_on_trn1_is_an_error(monkeypatch):
    monkeypatch.setenv("NEURON_PLATFORM_TARGET_OVERRIDE", "trn1")
    x = rng.standard_normal((128, 8)).astype(np.float32)
    with pytest.raises(nki.NkiError, match="kernel\\[2\\] needs two physical cores per logical core.*trn1"):
        row_split[2](x)


def test_grid_must_be_1_or_2():
    with pytest.raises(nki.NkiError):
        row_split[4]
    with pytest.raises(nki.NkiError):
        row_split[2, 1]


def test_cli_runs_two_cores(tmp_path, nkic_path):
    import json
    import os
    nkic = nkic_path
    src = os.path.join(os.path.dirname(__file__), "lnc2_kernels.py")
    x = rng.standard_normal((256, 64)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    r = subprocess.run([nkic, "run", f"{src}:row_split", "--lnc", "2", "--arg", f"x=256x64:float32={tmp_path / 'x.npy'}",
                        "--out", str(tmp_path), "--json"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["cores"] == 2
    assert np.array_equal(np.load(tmp_path / "out.npy"), 2 * x)
    r = subprocess.run([nkic, "run", f"{src}:row_split", "--lnc", "3", "--arg", "x=256x64:float32"], capture_output=True,
                       text=True)
    assert r.returncode == 2 and "--lnc takes 1 or 2" in r.stderr


def test_barrier_on_sbuf_inside_a_hardware_loop():
    from lnc2_kernels import barrier_in_dynamic_loop
    x = rng.standard_normal((128, 16)).astype(np.float32)
    want = x.copy()
    for _ in range(5):  # five fp32 adds, as the engines do them
        want = want + np.float32(1)
    np.testing.assert_array_equal(barrier_in_dynamic_loop[2](x, 5), want)
