from dataclasses import dataclass
from enum import Enum
from typing import Optional

import nki.language as nl


class Combine(Enum):
    ADD = 0
    SUBTRACT = 1
    MAX = 2


@dataclass(frozen=True)
class TileConfig(nl.NKIObject):
    """How a 2-D tensor is cut into tiles."""

    tile_p: int = 128
    tile_f: int = 512
    combine: Combine = Combine.ADD
    label: Optional[str] = None

    def __post_init__(self):
        assert self.tile_p <= nl.tile_size.pmax, f"tile_p={self.tile_p} exceeds pmax"

    def num_tiles(self, rows, cols):
        return rows // self.tile_p, cols // self.tile_f
