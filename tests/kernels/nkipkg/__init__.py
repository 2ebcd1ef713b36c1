"""A small multi-file kernel package in the style of production NKI libraries."""
