"""The parts of a report in words: binding limits as planners say them, and what a scenario
changes against the scenario it inherits from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ndalloc.report.folders import Folder, keys
from ndalloc.report.html import num, span, years_text

#: Limits (not balances: an equality always "binds") -> what it means when the limit binds.
#: Placeholders: {who} the row's key joined by "/", or any key column by name.
BINDING: dict[str, str] = {
    "source_capacity": "{who} produces at its full capacity",
    "source_minimum": "{who} produces no more than its required minimum",
    "maker_capacity": "{who} makes magnets at its full capacity",
    "contract_min": "{who} gets no more than its committed minimum (shortfalls included)",
    "contract_max": "{who} takes the most its contract allows",
    "import_limit": "{product} imports from {origin} are at their availability limit",
    "import_share": "imported magnets supply the largest share allowed of {who} demand",
    "stockpile_max": "the {who} stockpile is full",
    "stockpile_min": "the {who} stockpile is at its required minimum",
    "stockpile_inject_limit": "the {who} stockpile is filled as fast as it can be",
    "stockpile_release_limit": "the {who} stockpile is drawn down as fast as it can be",
    "route_origin": "all oxide from {who} is shipped along its routes",
}


@dataclass(frozen=True)
class Binding:
    """One limit that binds in some years."""

    family: str
    entity: str
    statement: str
    years: str
    limit: str
    value: str


def binding_limits(run: Folder) -> list[Binding]:
    """Every binding limit, one per family and entity, its years collapsed into ranges."""
    out = []
    for family, template in BINDING.items():
        frame = run.table(f"dual_{family}")
        if frame.empty or "binding" not in frame:
            continue
        frame = frame[frame["binding"].astype(str).str.lower() == "true"]
        if frame.empty:
            continue
        key_columns = keys(frame)
        unit = str(frame["unit"].iat[0]) if "unit" in frame else "t"
        for key, rows in frame.groupby(key_columns, sort=False) if key_columns else [((), frame)]:
            values = key if isinstance(key, tuple) else (key,)
            fields = dict(zip(key_columns, (str(v) for v in values), strict=True))
            who = "/".join(fields.values())
            statement = template.format(who=who, **fields)
            out.append(
                Binding(
                    family=family,
                    entity=who,
                    statement=statement,
                    years=years_text(rows["year"].astype(int)),
                    limit=span(rows["rhs_t"], 0, unit),
                    value=span(rows["value_usd_per_t"], 0, f"USD per {unit}"),
                )
            )
    return out


def marginal_rows(run: Folder) -> pd.DataFrame:
    """marginal_values.csv for the report: limit, entity, year, value, sentence."""
    frame = run.table("marginal_values")
    if frame.empty:
        return frame
    frame = frame.fillna({"entity": ""})
    return pd.DataFrame(
        {
            "limit": frame["limit"],
            "entity": frame["entity"].astype(str),
            "year": frame["year"].astype(int).astype(str),
            "value (USD per unit, money of the year)": frame["value_usd_per_t"].map(
                lambda v: num(v, 0)
            ),
            "unit": frame["unit"],
            "what it means": frame["sentence"],
        }
    )


# --- against the parent scenario ------------------------------------------------------------


@dataclass(frozen=True)
class ParentChanges:
    """What a run's scenario changes against its parent: `known` False when it cannot be said."""

    known: bool
    parent: str | None
    summary: str
    rows: list[tuple[str, str, str, str, str, str]]
    """(table, key, column, years, parent's value, this scenario's value)."""


#: Settings that say who a scenario is, not what it models: not listed as changes.
_NAMING = ("name", "description")
#: At most this many rows of differences are listed; the summary gives the total.
MAX_ROWS = 40


def parent_changes(manifest: dict[str, Any]) -> ParentChanges:
    """Load the run's scenario from `scenario_origin`; if it inherits, diff it against its
    parent (`ndalloc.data.diff`). Unknown when the scenario cannot be loaded, or has changed
    since the run (its input hash differs from the manifest's)."""
    from ndalloc.data.diff import SETTINGS_TABLE, differences
    from ndalloc.data.errors import ScenarioError
    from ndalloc.data.loader import load_scenario, resolve_scenario_path

    origin = manifest.get("scenario_origin")
    if not origin:
        return ParentChanges(
            False, None, "unknown: the run does not record its scenario's origin", []
        )
    try:
        scenario = load_scenario(origin)
    except ScenarioError as exc:
        first = exc.issues[0] if exc.issues else ""
        return ParentChanges(
            False, None, f"unknown: the scenario at {origin} cannot be loaded ({first})", []
        )
    except OSError as exc:
        return ParentChanges(False, None, f"unknown: cannot read {origin} ({exc})", [])
    if scenario.input_hash != manifest.get("input_hash_sha256"):
        return ParentChanges(
            False,
            scenario.meta.inherits,
            f"unknown: the scenario at {origin} has changed since the run (its input hash differs)",
            [],
        )
    parent_ref = scenario.meta.inherits
    if not parent_ref:
        return ParentChanges(True, None, "none: the scenario does not inherit from another", [])
    base = Path(origin)
    try:
        parent_path = resolve_scenario_path(parent_ref, base if base.is_dir() else base.parent)
        parent = load_scenario(parent_path)
    except (ScenarioError, OSError) as exc:
        return ParentChanges(
            False, parent_ref, f"unknown: the parent {parent_ref} cannot be loaded ({exc})", []
        )
    found = [
        d
        for d in differences(parent, scenario)
        if not (d.table == SETTINGS_TABLE and d.column in _NAMING)
    ]
    rows = _collapse(found)
    if not rows:
        return ParentChanges(True, parent_ref, f"no input differs from {parent_ref}", [])
    cells = len(found)
    summary = f"{cells} input value(s) differ from {parent_ref}"
    if len(rows) > MAX_ROWS:
        summary += f"; the first {MAX_ROWS} of {len(rows)} groups are listed"
    return ParentChanges(True, parent_ref, summary, rows[:MAX_ROWS])


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        number = float(value)
        if number.is_integer() or abs(number) >= 1e5:
            return num(number, 0 if number.is_integer() else 1)
        return f"{number:,.6g}"
    return "" if value is None else str(value)


def _collapse(found: list[Any]) -> list[tuple[str, str, str, str, str, str]]:
    """Differences grouped by table, key, column and the pair of values, years as ranges."""
    groups: dict[tuple[Any, ...], list[int]] = {}
    for d in found:
        what = d.column if d.column is not None else d.kind.replace("_", " ")
        ident = (d.table, d.key, what, _value(d.value_a), _value(d.value_b))
        groups.setdefault(ident, [])
        if d.year is not None:
            groups[ident].append(int(d.year))
    return [
        (table, key, what, years_text(years) if years else "", a, b)
        for (table, key, what, a, b), years in groups.items()
    ]
