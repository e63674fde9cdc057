"""How `--help` shows what each parameter takes: TEXT, PATH, INTEGER, FLOAT, a metavar given
with the parameter (SPEC), or nothing for a flag.

Typer 0.29 shows the Python type instead (`<bool>` for a flag, `<list[str]>` for a repeatable
option). `use_plain_metavars` replaces the method it asks for that text; with a Typer that has
no such method (before 0.29: click's own TEXT, PATH, ... are shown) it changes nothing.
"""

from __future__ import annotations

from typing import Any

#: Typer's type labels -> the metavars shown.
_NAMES = {"str": "TEXT", "int": "INTEGER", "float": "FLOAT", "bool": "BOOLEAN", "path": "PATH"}


def plain_metavar(label: str | None) -> str:
    """A metavar for Typer's type label: "<str>" -> TEXT, "<list[int]>" -> INTEGER,
    "<float range>" -> FLOAT, "<path>" -> PATH, "<a|b>" -> [a|b]."""
    inner = (label or "").strip().removeprefix("<").removesuffix(">").strip()
    if inner.startswith("list[") and inner.endswith("]"):
        inner = inner[len("list[") : -1]
    inner = inner.removesuffix(" range")
    if "|" in inner:
        return f"[{inner}]"
    return _NAMES.get(inner, inner.upper() or "TEXT")


def _option_metavar(param: Any, ctx: Any) -> str | None:
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return ""  # a flag takes no value
    if param.metavar is not None:
        return str(param.metavar)
    shown = plain_metavar(param.display_type(ctx))
    return f"{shown}..." if param.nargs != 1 else shown


def _argument_metavar(param: Any, ctx: Any) -> str | None:
    if param.metavar is not None:
        return ""  # the metavar is shown as the argument's name
    return plain_metavar(param.display_type(ctx))


def use_plain_metavars() -> None:
    """Show TEXT, PATH, ... (or nothing for flags) in every ndalloc command's help."""
    from typer import core

    patches = ((core.TyperOption, _option_metavar), (core.TyperArgument, _argument_metavar))
    for cls, shown in patches:
        if callable(getattr(cls, "display_type_rich", None)) and callable(
            getattr(cls, "display_type", None)
        ):
            cls.display_type_rich = shown  # type: ignore[method-assign,assignment]
