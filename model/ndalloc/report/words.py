"""The parts of a report in words: binding limits as planners say them, and what a scenario
changes against the scenario it inherits from."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np
import pandas as pd

from ndalloc.report.caps import MAX_TABLE_ROWS, largest_rows, more_rows
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
    "export_cap": "exports under all contracts reach the national ceiling (export_cap_t)",
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


T = TypeVar("T")


@dataclass(frozen=True)
class Listed(Generic[T]):
    """What a page table lists: at most `caps.MAX_TABLE_ROWS` rows, and what it leaves out."""

    rows: T
    total: int
    """How many rows there are in all."""
    more: str
    """The line under the table when rows are left out (`caps.more_rows`), else ""."""


def binding_limits(run: Folder, limit: int = MAX_TABLE_ROWS) -> Listed[list[Binding]]:
    """The binding limits, one per family and entity, their years collapsed into ranges: all
    of them in order (family by family, entities in order of appearance) when there are at
    most `limit`, else the `limit` with the largest value of one more unit (in any year)."""
    found = []  # (family, binding rows, their key columns, each row's group, groups)
    for family in BINDING:
        frame = run.table(f"dual_{family}")
        if frame.empty or "binding" not in frame:
            continue
        frame = frame[frame["binding"].astype(str).str.lower() == "true"]
        if frame.empty:
            continue
        key_columns = keys(frame)
        if key_columns:
            groups = frame.groupby(key_columns, sort=False).ngroup().to_numpy()
        else:
            groups = np.zeros(len(frame), dtype=np.int64)
        found.append((family, frame, key_columns, groups, int(groups.max()) + 1))
    total = sum(n for *_, n in found)
    chosen: list[tuple[int, int]] = []  # (index in found, group), in the order listed
    if total <= limit:
        chosen = [(f, g) for f, (*_, n) in enumerate(found) for g in range(n)]
    else:
        sizes = []
        for f, (_, frame, _, groups, n) in enumerate(found):
            value = np.abs(frame["value_usd_per_t"].to_numpy(dtype=float, na_value=np.nan))
            size = np.full(n, -1.0)  # a limit without any value ranks last
            keep = groups >= 0
            np.maximum.at(size, groups[keep], np.nan_to_num(value[keep], nan=-1.0))
            sizes += [(-s, f, g) for g, s in enumerate(size)]
        chosen = [(f, g) for _, f, g in sorted(sizes)[:limit]]
    built: dict[tuple[int, int], Binding] = {}
    for f, (family, frame, key_columns, groups, _) in enumerate(found):
        wanted = sorted(g for ff, g in chosen if ff == f)
        if not wanted:
            continue
        mask = np.isin(groups, wanted)
        for g, rows in frame[mask].groupby(groups[mask], sort=False):
            built[(f, int(g))] = _binding(family, key_columns, rows)
    rows = [built[c] for c in chosen]
    more = more_rows(
        len(rows),
        total,
        "binding limits",
        "worth most per unit (in absolute terms)",
        "the dual_*.csv files (binding True)",
    )
    return Listed(rows, total, more)


def _binding(family: str, key_columns: list[str], rows: pd.DataFrame) -> Binding:
    """One binding limit in words, from its rows (one per year it binds)."""
    first = rows.iloc[0]
    fields = {column: str(first[column]) for column in key_columns}
    who = "/".join(fields.values())
    unit = str(first["unit"]) if "unit" in rows else "t"
    return Binding(
        family=family,
        entity=who,
        statement=BINDING[family].format(who=who, **fields),
        years=years_text(rows["year"].astype(int)),
        limit=span(rows["rhs_t"], 0, unit),
        value=span(rows["value_usd_per_t"], 0, f"USD per {unit}"),
    )


def marginal_rows(run: Folder, limit: int = MAX_TABLE_ROWS) -> Listed[pd.DataFrame]:
    """marginal_values.csv for the report: limit, entity, year, value, sentence; all rows in
    their order when there are at most `limit`, else the `limit` largest values (in absolute
    terms), largest first."""
    frame = run.table("marginal_values")
    if frame.empty:
        return Listed(frame, 0, "")
    total = len(frame)
    frame = largest_rows(frame, frame["value_usd_per_t"], limit)
    entity = frame["entity"]  # read as numbers (NaN) when every entity is empty
    rows = pd.DataFrame(
        {
            "limit": frame["limit"],
            "entity": entity.astype(object).where(entity.notna(), "").astype(str),
            "year": frame["year"].astype(int).astype(str),
            "value (USD per unit, money of the year)": frame["value_usd_per_t"].map(
                lambda v: num(v, 0)
            ),
            "unit": frame["unit"],
            "what it means": frame["sentence"],
        }
    )
    more = more_rows(
        len(rows), total, "marginal values", "largest (in absolute terms)", "marginal_values.csv"
    )
    return Listed(rows, total, more)


# --- against the parent scenario ------------------------------------------------------------


@dataclass(frozen=True)
class ParentChanges:
    """What a run's scenario changes against its parent: `known` False when it cannot be said."""

    known: bool
    parent: str | None
    summary: str
    rows: list[tuple[str, str, str, str, str, str]]
    """(table, key, column, years, parent's value, this scenario's value)."""


#: A manifest written before runs recorded their scenario's parent.
_UNRECORDED = object()
#: What the page says of a scenario that does not inherit.
NO_PARENT = "none: the scenario does not inherit from another"
#: Settings that say who a scenario is, not what it models: not listed as changes.
_NAMING = ("name", "description")
#: At most this many rows of differences are listed; the summary gives the total.
MAX_ROWS = 40


#: A scenario that inherits is compared with its parent only when the input files of both
#: (its own and its parents') are at most this large: the comparison loads and validates the
#: scenario (its parent's files included) and the parent again, and diffs them: measured here,
#: 0.7 s for a child of M (1 MB), 6.6 s and 250 MB for a child of L (11 MB), which would load
#: L twice. Larger ones say to run `ndalloc diff` instead.
MAX_DIFF_INPUT_BYTES = 4_000_000


def parent_changes(manifest: dict[str, Any]) -> ParentChanges:
    """Load the run's scenario from `scenario_origin`; if it inherits, diff it against its
    parent (`ndalloc.data.diff`). Unknown when the scenario cannot be loaded, or has changed
    since the run (its parent is not the one the manifest records, or its input hash differs
    from the manifest's), or the run's hash is of an older definition (`INPUT_HASH_VERSION`).

    Cheap where it can be: a scenario folder whose scenario.toml names no parent is not loaded
    at all ("none"), and a scenario whose input files (with its parents') are larger than
    `MAX_DIFF_INPUT_BYTES` is not loaded either: the page says to run `ndalloc diff`."""
    from ndalloc.data.diff import SETTINGS_TABLE, differences
    from ndalloc.data.errors import ScenarioError
    from ndalloc.data.loader import load_scenario, resolve_scenario_path
    from ndalloc.data.scenario import INPUT_HASH_VERSION

    origin = manifest.get("scenario_origin")
    if not origin:
        return ParentChanges(
            False, None, "unknown: the run does not record its scenario's origin", []
        )
    told, inherits = _inherits(Path(origin))
    recorded = manifest.get("scenario_inherits", _UNRECORDED)
    if told and recorded is not _UNRECORDED and inherits != recorded:
        return ParentChanges(
            False,
            inherits,
            f"unknown: the scenario at {origin} has changed since the run (it inherited from"
            f" {recorded or 'no scenario'}, it now inherits from {inherits or 'none'})",
            [],
        )
    if told and inherits is None:
        return ParentChanges(True, None, NO_PARENT, [])
    if told and inherits is not None:
        size = _input_bytes(Path(origin))
        if size is not None and size > MAX_DIFF_INPUT_BYTES:
            return ParentChanges(
                False,
                inherits,
                f"not listed: the scenario and {inherits} have {size / 1e6:,.0f} MB of input "
                f"files; `ndalloc diff {inherits} {origin}` lists the changes",
                [],
            )
    if manifest.get("input_hash_version") != INPUT_HASH_VERSION:
        return ParentChanges(
            False,
            inherits,
            "unknown: the run was made by an older ndalloc, whose input hash cannot be checked"
            " against the scenario now; `ndalloc diff PARENT SCENARIO` lists the changes",
            [],
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
        return ParentChanges(True, None, NO_PARENT, [])
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


def _inherits(path: Path) -> tuple[bool, str | None]:
    """(told, the parent it names) from a scenario folder's scenario.toml alone; told is
    False for a workbook, or a folder whose scenario.toml cannot be read as TOML (loading
    the scenario says what is wrong)."""
    from ndalloc.data.readers import SCENARIO_FILE

    try:
        settings = tomllib.loads((path / SCENARIO_FILE).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False, None
    parent = settings.get("inherits")
    if parent is None:
        return True, None
    return (True, parent) if isinstance(parent, str) else (False, None)


def _input_bytes(path: Path) -> int | None:
    """The bytes of a scenario's input files (CSV files, or its workbook) and its parents';
    None when the chain cannot be followed (loading the scenario says why)."""
    from ndalloc.data.errors import ScenarioError
    from ndalloc.data.loader import resolve_scenario_path

    total = 0
    seen: set[Path] = set()
    current: Path | None = path.resolve()
    while current is not None:
        if current in seen:
            return None  # a cycle: the loader reports it
        seen.add(current)
        if current.is_file():
            return total + current.stat().st_size  # a workbook names its parent inside
        total += sum(f.stat().st_size for f in current.glob("*.csv"))
        told, parent = _inherits(current)
        if not told:
            return None
        if parent is None:
            return total
        try:
            current = resolve_scenario_path(parent, current)
        except (ScenarioError, OSError):
            return None
    return total


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
