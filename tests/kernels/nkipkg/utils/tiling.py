import nki.language as nl

from ..config import Combine, TileConfig


def op_for(combine: Combine):
    ops = {"ADD": nl.add, "SUBTRACT": nl.subtract, "MAX": nl.maximum}
    if combine.name not in ops:
        raise ValueError(f"unsupported combine mode {combine}")
    return ops[combine.name]


def tile_slices(cfg: TileConfig, i: int, j: int):
    return (nl.ds(i * cfg.tile_p, cfg.tile_p), nl.ds(j * cfg.tile_f, cfg.tile_f))


class Counter(nl.NKIObject):
    def __init__(self, start=0):
        self.count = start

    def bump(self, by=1):
        self.count += by
        return self.count
