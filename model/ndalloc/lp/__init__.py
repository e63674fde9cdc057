"""The allocation LP: one module per constraint family, assembled by `build.build_model`."""
