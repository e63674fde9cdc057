"""Generate the input reference (docs/inputs.md) from the schema, the one place fields are
documented. Run `python -m ndalloc.data.docs > docs/inputs.md` after changing the schema."""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from ndalloc.data.schema import TABLES, ScenarioMeta, columns, field_doc

#: Every field docstring ends with its unit in square brackets: "... [t oxide/yr]."
_UNIT = re.compile(r"\s*\[([^\[\]]+)\]\.?$")


#: How a Python type reads in the reference (a table cell, so never with a `|`).
_WORDS = {"str": "text", "int": "integer", "float": "number", "bool": "true/false"}


def _type_name(annotation: object) -> str:
    """`float | None` -> "number or empty"; `Literal['a', 'b']` -> "one of a, b"."""
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return "one of " + ", ".join(str(a) for a in args)
    if args and type(None) in args:
        inner = [a for a in args if a is not type(None)]
        return " or ".join(_type_name(a) for a in inner) + " or empty"
    if origin is typing.Annotated or (args and origin is None):
        return _type_name(args[0])
    name = getattr(annotation, "__name__", None) or str(annotation)
    return _WORDS.get(name, name.replace("typing.", ""))


@dataclass(frozen=True)
class ColumnDoc:
    """One column of a table (or key of scenario.toml), as documented in the schema."""

    column: str
    type: str
    required: bool
    #: The default value (None when there is none, or when the default is None).
    default: object
    #: Unit from the docstring's trailing [brackets], "-" when it has none.
    unit: str
    meaning: str


def column_docs(model: type[BaseModel]) -> list[ColumnDoc]:
    """Every column of `model` in file order, with its type, default, unit and meaning."""
    out = []
    for name in columns(model):
        info = model.model_fields[name]
        doc = field_doc(model, name)
        match = _UNIT.search(doc)
        required = info.default is PydanticUndefined
        out.append(
            ColumnDoc(
                column=name,
                type=_type_name(info.annotation),
                required=required,
                default=None if required else info.default,
                unit=match.group(1) if match else "-",
                meaning=(doc[: match.start()] + ".") if match else doc,
            )
        )
    return out


def _rows(model: type[BaseModel]) -> list[str]:
    rows = []
    for c in column_docs(model):
        default = "required" if c.required else f"`{c.default!r}`"
        rows.append(f"| `{c.column}` | {c.type} | {default} | {c.unit} | {c.meaning} |")
    return rows


def input_reference() -> str:
    """The whole input reference as Markdown."""
    out = [
        "# Input reference",
        "",
        "Generated from `model/ndalloc/data/schema.py` by `python -m ndalloc.data.docs`;"
        " do not edit by hand. Units: t oxide = tonnes of separated Nd (NdPr) oxide;"
        " t magnet = tonnes of finished sintered NdFeB magnet; USD are real, first-year money.",
        "",
        "A scenario folder holds `scenario.toml` and the CSV files below; a missing optional"
        " file is an empty table. Any other `.csv` file in the folder is an error, never"
        " ignored: a near miss names the file meant (`unknown file contract.csv: did you mean"
        " contracts.csv?`, also for `Sources.csv` or `stockpile.csv`). A CSV problem is"
        " reported at its line; a quote left open is reported at the line where it opens.",
        "",
    ]
    header = ["| column | type | default | unit | meaning |", "|---|---|---|---|---|"]
    doc = " ".join((ScenarioMeta.__doc__ or "").split())
    out += ["## scenario.toml", "", doc, "", *header, *_rows(ScenarioMeta), ""]
    for model in TABLES.values():
        doc = " ".join((model.__doc__ or "").split())
        out += [f"## {model.FILE}", "", doc, ""]
        out += [
            f"Key: {', '.join(model.KEY)}. Required table: {'yes' if model.REQUIRED else 'no'}."
        ]
        out += ["", *header, *_rows(model), ""]
    return "\n".join(out)


if __name__ == "__main__":
    print(input_reference(), end="")
