"""Generate the input reference (docs/inputs.md) from the schema, the one place fields are
documented. Run `python -m ndalloc.data.docs > docs/inputs.md` after changing the schema."""

from __future__ import annotations

import re

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from ndalloc.data.schema import TABLES, ScenarioMeta, columns, field_doc

#: Every field docstring ends with its unit in square brackets: "... [t oxide/yr]."
_UNIT = re.compile(r"\s*\[([^\[\]]+)\]\.?$")


def _type_name(annotation: object) -> str:
    text = getattr(annotation, "__name__", None) or str(annotation)
    return text.replace("typing.", "")


def _rows(model: type[BaseModel]) -> list[str]:
    rows = []
    for name in columns(model):
        info = model.model_fields[name]
        doc = field_doc(model, name)
        match = _UNIT.search(doc)
        unit = match.group(1) if match else "-"
        meaning = (doc[: match.start()] + ".") if match else doc
        default = "required" if info.default is PydanticUndefined else f"`{info.default!r}`"
        rows.append(
            f"| `{name}` | {_type_name(info.annotation)} | {default} | {unit} | {meaning} |"
        )
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
