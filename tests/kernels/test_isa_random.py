"""The random family (rng, rand2, dropout's draws, set_rng_seed, rand_set_state, rand_get_state, nl.rand,
nl.random_seed) vs a NumPy model of the documented generator (docs/semantics.md, "Random numbers"):
per-lane XORWOW (lane = partition index within the tile), 4 generators per VectorE lane (element i uses generator i % 4), 1 per GpSimd lane,
seeded by splitmix64. rng outputs and states are compared exactly; floats (rand2, nl.rand) are checked
for range, mean and standard deviation (statistical bounds stated at each assert) and determinism."""
import os
import sys

import ml_dtypes
import numpy as np
import pytest

import nki

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import isa_extra_kernels as k  # noqa: E402

M32, M64 = np.uint64(0xFFFFFFFF), (1 << 64) - 1


def splitmix_words(key):
    out = []
    z = key
    for _ in range(3):
        z = (z + 0x9E3779B97F4A7C15) & M64
        r = z
        r = ((r ^ (r >> 30)) * 0xBF58476D1CE4E5B9) & M64
        r = ((r ^ (r >> 27)) * 0x94D049BB133111EB) & M64
        r ^= r >> 31
        out += [r & 0xFFFFFFFF, r >> 32]
    return out


def seeded(seed, engine, lanes=128, gens=4):
    """[lanes, gens, 6] uint32 states after seeding (engine 0 = Vector, 1 = GpSimd)."""
    return np.array([[splitmix_words((seed << 32) | (engine << 16) | (lane << 8) | g) for g in range(gens)]
                     for lane in range(lanes)], dtype=np.uint64)


def xorwow(s):
    """One step of every state in s[..., 6] (uint64 arrays holding 32-bit words); returns the draws."""
    t = s[..., 0] ^ (s[..., 0] >> np.uint64(2))
    s[..., 0:4] = s[..., 1:5]
    v = s[..., 4]
    s[..., 4] = ((v ^ (v << np.uint64(4))) ^ (t ^ (t << np.uint64(1)))) & M32
    s[..., 5] = (s[..., 5] + np.uint64(362437)) & M32
    return (s[..., 4] + s[..., 5]) & M32


def vector_draws(state, n):
    """[lanes, n] draws of the VectorE generators (element i uses generator i % 4)."""
    out = np.zeros((state.shape[0], n), np.uint64)
    for i in range(n):
        out[:, i] = xorwow(state[:, i % 4])
    return out


@pytest.fixture
def trn3(monkeypatch):
    monkeypatch.setenv("NEURON_PLATFORM_TARGET_OVERRIDE", "trn3")


def test_rng_default_state_matches_model():
    out = k.rng_k((128, 64), repeat=2)  # two instructions: the stream continues
    ref = vector_draws(seeded(0, 0), 64)
    np.testing.assert_array_equal(out[:, :64], ref)
    # The second instruction restarts at generator 0 with the states advanced by the first.
    st = seeded(0, 0)
    vector_draws(st, 64)
    np.testing.assert_array_equal(out[:, 64:], vector_draws(st, 64))


@pytest.mark.parametrize("dt,np_dt", [("uint8", np.uint8), ("int8", np.int8), ("int16", np.int16), ("int32", np.int32)])
def test_rng_truncates_to_low_bits(dt, np_dt):
    out = k.rng_k((16, 32), dtype=dt)
    ref = vector_draws(seeded(0, 0)[:16], 32).astype(np.uint32).astype(np_dt)  # two's-complement truncation
    np.testing.assert_array_equal(out, ref)


def test_set_rng_seed_determinism():
    s1 = np.array([[12345]], np.uint32)
    a = k.rng_k((128, 16), seed=s1)
    np.testing.assert_array_equal(a, vector_draws(seeded(12345, 0), 16))
    np.testing.assert_array_equal(k.rng_k((128, 16), seed=s1), a)  # same seed, same numbers
    b = k.rng_k((128, 16), seed=np.array([[12346]], np.uint32))
    assert (a != b).mean() > 0.99
    assert len(np.unique(a)) > 0.99 * a.size  # lanes and generators are independent streams


def test_gpsimd_state_roundtrip_and_stream():
    st = np.random.default_rng(5).integers(1, 2 ** 32, (64, 6), dtype=np.uint64).astype(np.uint32)
    g0, out, g1 = k.state_roundtrip_k(st, 20, engine="gpsimd")
    np.testing.assert_array_equal(g0, st)  # set -> get round trip
    model = st.astype(np.uint64)
    ref = np.stack([xorwow(model) for _ in range(20)], axis=1)
    np.testing.assert_array_equal(out, ref)
    np.testing.assert_array_equal(g1, model)


def test_vector_state_roundtrip_trn3(trn3):
    st = np.random.default_rng(6).integers(1, 2 ** 32, (128, 24), dtype=np.uint64).astype(np.uint32)
    g0, out, g1 = k.state_roundtrip_k(st, 10, engine="vector")
    np.testing.assert_array_equal(g0, st)
    model = st.astype(np.uint64).reshape(128, 4, 6)
    np.testing.assert_array_equal(out, vector_draws(model, 10))
    np.testing.assert_array_equal(g1, model.reshape(128, 24))


def test_vector_state_size_picks_engine_trn3(trn3, monkeypatch):
    # Before NKI 0.5.0 engine.unknown picks by the state size; from 0.5.0 the default is GpSimd
    # (tests/releases/test_r07_scalars_more.py).
    monkeypatch.setenv("NKIC_NKI_RELEASE", "0.4")
    st = np.ones((4, 24), np.uint32)
    g0, _, _ = k.state_roundtrip_k(st, 4, engine="unknown")  # 24 words per lane: the Vector generators
    np.testing.assert_array_equal(g0, st)


def test_rand2_range_and_stats(trn3):
    out = k.rand2_k((128, 512), lo=-2.0, hi=3.0)
    assert out.min() >= -2 and out.max() < 3
    assert abs(out.mean() - 0.5) < 0.03  # 65536 draws: sigma = 5/sqrt(12)/256 = 0.0056
    assert abs(out.std() - 5 / np.sqrt(12)) < 0.02
    lo = np.arange(16, dtype=np.float32)[:, None]
    per = k.rand2_k((16, 256), lo_t=lo, hi_t=lo + 1, out_dtype="bfloat16").astype(np.float32)
    assert np.all(per >= lo) and np.all(per <= lo + 1)
    assert np.all(np.abs(per.mean(axis=1) - (lo[:, 0] + 0.5)) < 0.1)  # 256 draws: sigma = 0.018


def test_rand2_uses_model_values(trn3):
    out = k.rand2_k((8, 12), lo=0.0, hi=1.0)
    draws = vector_draws(seeded(0, 0)[:8], 12)
    np.testing.assert_array_equal(out, (draws >> np.uint64(8)).astype(np.float32) * np.float32(2.0 ** -24))


@pytest.mark.parametrize("dt", ["float32", "bfloat16", "float16"])
def test_nl_rand_range_mean(dt):
    out = k.nl_rand_k((128, 512), dtype=dt).astype(np.float32)
    assert out.min() >= 0 and out.max() < 1  # never rounds up to 1.0, even in bf16
    assert abs(out.mean() - 0.5) < 0.01  # 65536 draws: sigma = 0.0011
    assert abs(out.std() - 1 / np.sqrt(12)) < 0.01
    if dt == "float32":  # the top 24 bits of the rng stream, scaled by 2^-24
        draws = vector_draws(seeded(0, 0), 512)
        np.testing.assert_array_equal(out, (draws >> np.uint64(8)).astype(np.float32) * np.float32(2.0 ** -24))


def test_nl_random_seed_determinism():
    seed = np.array([[7]], np.uint32)
    a, b = k.nl_rand_k((32, 64), seed=seed, twice=True)
    np.testing.assert_array_equal(a, b)  # reseeding with the same seed repeats the numbers
    c = k.nl_rand_k((32, 64), seed=np.array([[8]], np.uint32))
    assert (a != c).mean() > 0.99


def test_dropout_draws_follow_the_stream():
    x = np.ones((8, 16), np.float32)
    o = k.dropout_k(x, prob=0.5)
    u = (vector_draws(seeded(0, 0)[:8], 16) >> np.uint64(8)).astype(np.float64) * 2.0 ** -24
    np.testing.assert_array_equal(o, np.where(u < 0.5, 0, 1).astype(np.float32))


@pytest.mark.parametrize("target,kern,msg", [
    ("trn2", lambda: k.rand2_k((4, 4)), "rand2: needs NeuronCore-v4"),
    ("trn1", lambda: k.rng_k((4, 4), engine="gpsimd"), "GpSimd Engine generator needs NeuronCore-v3"),
    ("trn1", lambda: k.state_roundtrip_k(np.ones((4, 6), np.uint32), 2), "NeuronCore-v3 or later"),
    ("trn2", lambda: k.state_roundtrip_k(np.ones((4, 24), np.uint32), 2, engine="vector"), "needs NeuronCore-v4"),
    ("trn2", lambda: k.state_roundtrip_k(np.ones((4, 5), np.uint32), 2), "must have 6 elements per partition"),
    ("trn2", lambda: k.rng_k((4, 4), dtype="float32"), "dst must have an integer dtype"),
    ("trn3", lambda: k.rand2_k((4, 4), lo=1.0, hi=1.0), "max must be greater than min"),
    ("trn2", lambda: k.dropout_k(np.ones((4, 4), np.float32), prob=1.5), r"probability in \[0, 1\]"),
    ("trn2", lambda: k.nl_rand_k((4, 4), dtype="int32"), "dtype must be a float dtype"),
])
def test_validation_errors(monkeypatch, target, kern, msg):
    monkeypatch.setenv("NEURON_PLATFORM_TARGET_OVERRIDE", target)
    with pytest.raises(nki.NkiError, match=msg):
        kern()


def test_bf16_rand_dtype_is_bf16():
    assert k.nl_rand_k((4, 8), dtype="bfloat16").dtype == ml_dtypes.bfloat16
