"""The Jinja2 templates of the report pages (`templates/*.html.j2`), rendered with autoescaping.

One Environment, made on first use and kept (`environment`); jinja2 is imported only then, so
`import ndalloc` and `ndalloc solve --no-reports` never load it. Every value a template prints
is escaped as `html.escape(..., quote=True)` escapes it (the environment's `finalize`), the
same bytes the pages had when they were Python strings; a value that is already markup
(`markupsafe.Markup`: a macro's output, a chart's JSON built by our code, plotly.js) is
printed as it is. Autoescaping stays on behind that, and an undefined name is an error.
"""

from __future__ import annotations

import html
from functools import cache
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

if TYPE_CHECKING:
    from jinja2 import Environment

#: The folder of the templates, inside the package `ndalloc.report`.
TEMPLATES = "templates"


def escaped(value: Any) -> Markup:
    """What a template prints for `value`: markup as it is, anything else escaped."""
    if hasattr(value, "__html__"):
        return Markup(value)
    return Markup(html.escape(str(value), quote=True))


@cache
def environment() -> Environment:
    """The report templates' Environment, made once."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=PackageLoader("ndalloc.report", TEMPLATES),
        autoescape=select_autoescape(
            enabled_extensions=("html", "html.j2", "j2", "css"),
            default_for_string=True,
            default=True,
        ),
        undefined=StrictUndefined,
        finalize=escaped,
        trim_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )


def render(name: str, **context: Any) -> str:
    """The text of the template `name` with `context`."""
    return environment().get_template(name).render(**context)


@cache
def macros(name: str = "blocks.html.j2") -> Any:
    """The macros of the template `name` (a module of functions that return Markup)."""
    return environment().get_template(name).module
