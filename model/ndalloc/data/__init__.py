"""Data layer: scenario files to validated records. Knows nothing of Pyomo."""
