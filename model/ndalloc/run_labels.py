"""How compared runs are named in tables and words: A, B, ... (no imports, for the CLI)."""


def letter(index: int) -> str:
    """A, B, ..., Z, then R27, R28, ...: the label of the run at `index` (0 is A)."""
    return chr(ord("A") + index) if index < 26 else f"R{index + 1}"
