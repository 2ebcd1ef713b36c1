// NKI 0.7.0 tile and block grids (nl.tiles, nl.blocks, nl.alloc_tiles, nl.alloc_blocks): a grid is a
// compile-time view that names a tensor region by tile (or block) coordinates. Indexing a grid gives a
// smaller grid; `.data` is the region as one tensor view. No instruction is emitted for a view.
#pragma once

#include "trace/interpreter.h"

namespace nkic::trace {

// Adds tiles, blocks, alloc_tiles, alloc_blocks and the classes NkiGrid, NkiTileGrid, NkiBlockGrid to
// nki.language. `ndarray` is the module's nl.ndarray builtin (on-chip allocations go through its checks).
// Also wraps the module's nl.empty_like so that it takes a grid too (a new grid of the same tile layout).
void add_tile_grids(ModuleObj& nl, const Value& ndarray);

}  // namespace nkic::trace
