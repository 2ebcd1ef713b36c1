"""Beta 1 tile methods (t.broadcast_to, t.astype) and 1-D loads that become (P, 1) columns."""
import os
import sys

import ml_dtypes
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernels"))
import calls_methods as cm  # noqa: E402


def test_integer_index_on_a_free_dim_loads_a_column():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (128, 64)).astype(np.float32)
    A = rng.uniform(-1, 1, (128, 8)).astype(np.float32)
    # ScalarE exp: within 1e-6 relative of NumPy's
    np.testing.assert_allclose(cm.scale_rows_by_column(x, A), np.exp(x * A[:, 3:4]), rtol=1e-6)


def test_broadcast_to_and_astype_methods():
    x = np.random.default_rng(1).standard_normal((4, 96), dtype=np.float32)
    out = cm.row_broadcast_and_cast(x)
    ref = np.broadcast_to(x[0:1], (128, 96)).astype(ml_dtypes.bfloat16)
    assert out.dtype == ml_dtypes.bfloat16
    np.testing.assert_array_equal(out, ref)  # exact: a copy and one RNE rounding
