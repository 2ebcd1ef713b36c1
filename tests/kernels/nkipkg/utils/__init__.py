from .tiling import tile_slices  # noqa: F401
