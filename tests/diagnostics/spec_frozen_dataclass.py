# nkic: --arg a=128x64:float32
from dataclasses import dataclass

import nki
import nki.language as nl


@dataclass(frozen=True)
class TileConfig(nl.NKIObject):
    rows: int = 128
    cols: int = 512


@nki.jit
def frozen(a):
    cfg = TileConfig()
    cfg.cols = a.shape[1]
