from __future__ import annotations

import sys
from pathlib import Path

# Make tests/scenario_factory.py importable as a plain module.
sys.path.insert(0, str(Path(__file__).parent))
