"""A multi-file kernel package (relative imports, a frozen dataclass config deriving from NKIObject, an
Enum, helper functions and classes) compiles and runs from Python and from the CLI. Exact vs NumPy."""
import os
import subprocess
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from nkipkg.config import Combine  # noqa: E402
from nkipkg.kernels.combine import combine_kernel  # noqa: E402

rng = np.random.default_rng(7)


@pytest.mark.parametrize("mode,ref", [(Combine.ADD, np.add), (Combine.SUBTRACT, np.subtract), (Combine.MAX, np.maximum)])
def test_package_kernel_modes(mode, ref):
    a = rng.standard_normal((256, 512), dtype=np.float32)
    b = rng.standard_normal((256, 512), dtype=np.float32)
    np.testing.assert_array_equal(combine_kernel(a, b, mode=mode), ref(a, b))


def test_package_kernel_assert_message_names_config():
    a = np.ones((128, 300), np.float32)
    with pytest.raises(AssertionError, match=r"does not tile by TileConfig\(tile_p=128, tile_f=256"):
        combine_kernel(a, a)


def test_package_kernel_from_cli(tmp_path, nkic_path):
    path = os.path.join(HERE, "nkipkg", "kernels", "combine.py")
    r = subprocess.run([nkic_path, "run", f"{path}:combine_kernel", "--arg", "a=256x512:float32=ones",
                        "--arg", "b=256x512:float32=ones", "--arg", "tile_f=128", "--out", str(tmp_path)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    (f,) = os.listdir(tmp_path)
    np.testing.assert_array_equal(np.load(tmp_path / f), np.full((256, 512), 2, np.float32))


def test_package_absolute_imports_inside_package():
    from nkipkg.kernels.absolute import absolute_import_kernel

    a = rng.standard_normal((128, 64), dtype=np.float32)
    b = rng.standard_normal((128, 64), dtype=np.float32)
    np.testing.assert_array_equal(absolute_import_kernel(a, b), np.maximum(a, b))
