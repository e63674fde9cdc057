"""Load a scenario: read its files, resolve inheritance and patches, validate everything.

A scenario is a folder with `scenario.toml` and one CSV per table (see `schema.TABLES`), or an
Excel workbook with the same content. A scenario may name a parent (`inherits`): it starts
from the parent's resolved tables, replaces the tables it provides, and applies its
`[[patch]]` entries. The loader never stops at the first problem: it reads every file, checks
every row, patch and cross-table rule, and raises one `ScenarioError` listing them all as
`file:line: column: message`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from ndalloc.data.bundled import bundled_names, bundled_path
from ndalloc.data.errors import Issue, ScenarioError
from ndalloc.data.memory import release_memory
from ndalloc.data.parse import error_column, error_message, format_key, parse_table
from ndalloc.data.patch import Patch
from ndalloc.data.ranges import narrow_to_patches
from ndalloc.data.readers import SCENARIO_FILE, ScenarioFiles, read_folder
from ndalloc.data.scenario import Location, Scenario, Table, table_of
from ndalloc.data.schema import TABLES, Record, ScenarioMeta, columns
from ndalloc.data.validate import cross_table_issues

__all__ = ["SCENARIO_FILE", "load_scenario", "resolve_scenario_path"]

#: Settings a child never takes from its parent: it must say who it is.
_OWN_SETTINGS = ("name", "description", "inherits")


def resolve_scenario_path(scenario: str | Path, base: Path | None = None) -> Path:
    """A scenario folder or workbook given as a path (relative to `base` if given), or the
    folder of the bundled scenario of that name."""
    issues: list[Issue] = []
    path = _locate(str(scenario), base, ("", 0), issues)
    if path is None:
        raise ScenarioError(issues)
    return path


def _locate(ref: str, base: Path | None, where: Location, issues: list[Issue]) -> Path | None:
    candidates = [base / ref] if base is not None else []
    candidates.append(Path(ref))
    file, line = where
    try:
        for path in candidates:
            if path.is_dir() or (path.is_file() and path.suffix.lower() == ".xlsx"):
                return path.resolve()
    except OSError as exc:  # e.g. ENAMETOOLONG: a path longer than the file system allows
        long = len(ref) > 60
        shown = repr(f"{ref[:40]}...{ref[-12:]}" if long else ref)
        if long:
            shown += f" ({len(ref):,} characters)"
        why = exc.strerror or type(exc).__name__
        issues.append(
            Issue(file or shown, line, "inherits" if file else "-", f"cannot use {shown}: {why}")
        )
        return None
    if "/" not in ref and ref in bundled_names():
        return bundled_path(ref).resolve()
    names = ", ".join(bundled_names()) or "none"
    issues.append(
        Issue(
            file or ref,
            line,
            "inherits" if file else "-",
            f"no such scenario folder, workbook or bundled scenario {ref!r} (bundled: {names})",
        )
    )
    return None


def _read(path: Path, prefix: str, issues: list[Issue]) -> ScenarioFiles | None:
    if path.is_file():
        from ndalloc.data.excel import read_workbook  # openpyxl only when a workbook is used

        return read_workbook(path, prefix, issues)
    return read_folder(path, prefix, issues)


@dataclass
class _Resolved:
    """A scenario after inheritance and patches, before whole-scenario validation."""

    origin: Path
    settings: dict[str, Any]
    where: dict[str, Location]
    tables: dict[str, Table] = field(default_factory=dict)


def load_scenario(scenario: str | Path) -> Scenario:
    """Load and validate a scenario folder, workbook or bundled scenario name.

    Raises `ScenarioError` with every problem found, never a bare traceback for bad input.
    """
    issues: list[Issue] = []
    resolved = _resolve(str(scenario), None, (), "", ("", 0), issues)
    release_memory()  # the raw text columns are gone: give their memory back
    meta = _meta(resolved, issues) if resolved is not None else None
    if resolved is not None and meta is not None:
        issues += _required_tables(resolved, issues)
        broken = _reported_tables(issues)
        issues += cross_table_issues(meta, resolved.tables, broken)
    if issues or resolved is None or meta is None:
        origin = str(resolved.origin) if resolved is not None else str(scenario)
        raise ScenarioError(_unique(issues), scenario=origin)
    return Scenario(meta=meta, tables=resolved.tables, origin=str(resolved.origin))


def _unique(issues: list[Issue]) -> list[Issue]:
    return list(dict.fromkeys(issues))


def _resolve(
    ref: str,
    base: Path | None,
    chain: tuple[Path, ...],
    prefix: str,
    where: Location,
    issues: list[Issue],
) -> _Resolved | None:
    path = _locate(ref, base, where, issues)
    if path is None:
        return None
    if path in chain:
        names = " -> ".join(p.stem for p in (*chain, path))
        issues.append(Issue(where[0], where[1], "inherits", f"inheritance cycle: {names}"))
        return None
    files = _read(path, prefix, issues)
    if files is None:
        return None
    settings = dict(files.settings)
    patches = settings.pop("patch", [])
    here = {k: (files.settings_label, files.line_of(k)) for k in settings}

    parent_ref = settings.get("inherits")
    if parent_ref is None:
        resolved = _Resolved(origin=path, settings=settings, where=here)
    elif not isinstance(parent_ref, str):
        issues.append(Issue(*here["inherits"], "inherits", "must be a scenario name or path"))
        return None
    else:
        folder = path if path.is_dir() else path.parent
        parent = _resolve(
            parent_ref,
            folder,
            (*chain, path),
            f"{prefix}{Path(parent_ref).stem}/",
            here["inherits"],
            issues,
        )
        if parent is None:
            return None
        inherited = {k: v for k, v in parent.settings.items() if k not in _OWN_SETTINGS}
        resolved = _Resolved(
            origin=path,
            settings={**inherited, **settings},
            where={**parent.where, **here},
            tables=dict(parent.tables),
        )
    for name, raw in files.tables.items():
        resolved.tables[name] = parse_table(raw, TABLES[name], issues)
    before = dict(resolved.tables)
    _apply_patches(patches, files, resolved, issues)
    narrow_to_patches(before, resolved.tables)
    return resolved


def _meta(resolved: _Resolved, issues: list[Issue]) -> ScenarioMeta | None:
    try:
        return ScenarioMeta.model_validate(resolved.settings)
    except ValidationError as err:
        for e in err.errors():
            column = error_column(e)
            file, line = resolved.where.get(column, (SCENARIO_FILE, 0))
            if column not in resolved.settings:  # a missing key: point at the child's file
                file, line = _own_file(resolved), 0
            issues.append(Issue(file, line, column, error_message(e)))
        return None


def _own_file(resolved: _Resolved) -> str:
    return resolved.where.get("name", (SCENARIO_FILE, 0))[0]


def _reported_tables(issues: list[Issue]) -> frozenset[str]:
    """Tables with a reported problem: file labels "x/sources.csv" or "book.xlsx[sources]"."""
    out = set()
    for issue in issues:
        sheet = re.search(r"\[([^\[\]]+)\]$", issue.file)
        name = sheet.group(1) if sheet else issue.file.rsplit("/", 1)[-1].removesuffix(".csv")
        out.add(name)
    return frozenset(n for n in out if n in TABLES)


def _required_tables(resolved: _Resolved, issues: list[Issue]) -> list[Issue]:
    """Required tables without rows, unless their rows were already reported as invalid."""
    reported = _reported_tables(issues)
    book = resolved.origin.name if resolved.origin.is_file() else None
    out = []
    for name, model in TABLES.items():
        if name in reported:
            continue
        if model.REQUIRED and not len(table_of(resolved.tables, name)):
            present = name in resolved.tables
            message = (
                "no rows: a scenario needs at least one row here"
                if present
                else ("missing sheet" if book else "missing file")
            )
            label = f"{book}[{name}]" if book else model.FILE
            out.append(Issue(label, 1 if present else 0, "-", message))
    return out


# --- patches -------------------------------------------------------------------------------


def _apply_patches(
    patches: Any, files: ScenarioFiles, resolved: _Resolved, issues: list[Issue]
) -> None:
    label = files.settings_label
    if not isinstance(patches, list) or not all(isinstance(p, dict) for p in patches):
        issues.append(Issue(label, 0, "patch", "write patches as [[patch]] tables"))
        return
    for number, raw in enumerate(patches):
        line = files.patch_lines[number] if number < len(files.patch_lines) else 0
        try:
            patch = Patch.model_validate(raw)
        except ValidationError as err:
            for e in err.errors():
                issues.append(Issue(label, line, error_column(e), f"patch: {error_message(e)}"))
            continue
        apply_patch(patch, (label, line), resolved.tables, issues)


def apply_patch(
    patch: Patch, where: Location, tables: dict[str, Table], issues: list[Issue]
) -> None:
    """Apply one patch to `tables` (replacing the table it changes); problems go to `issues`."""
    apply_patches([(patch, where)], tables, issues)


def apply_patches(
    patches: Sequence[tuple[Patch, Location]], tables: dict[str, Table], issues: list[Issue]
) -> None:
    """Apply patches in order, each with where it was given, as `apply_patch` one by one would
    (a later patch sees what an earlier one set), but each changed table is indexed by key and
    rebuilt once: a Monte Carlo point patches thousands of rows of one table."""
    pending: dict[str, dict[int, tuple[Record, dict[str, Location]]]] = {}
    by_key: dict[str, dict[tuple[str, ...], list[int]]] = {}
    for patch, where in patches:
        target = _patch_target(patch, where, issues)
        if target is None:
            continue
        key_columns, wanted, years = target
        table = table_of(tables, patch.table)
        if wanted is None:
            found = np.arange(len(table))
        else:
            if patch.table not in by_key:
                by_key[patch.table] = _key_index(table, key_columns)
            found = np.array(by_key[patch.table].get(wanted, []), dtype=np.int64)
        if years is not None and len(found):
            year = table.column("year")[found]
            found = found[(year >= years[0]) & (year <= years[1])]
        if not len(found):
            what = f"key {format_key(wanted)}" if wanted is not None else "any key"
            span = f" in {years[0]}-{years[1]}" if years is not None else ""
            issues.append(
                Issue(*where, "key", f"patch matches no row of {patch.table} for {what}{span}")
            )
            continue
        changed = pending.setdefault(patch.table, {})
        for index in found.tolist():
            current, cells = changed[index] if index in changed else (table.record(index), {})
            record = _patched(patch, current, where, issues)
            if record is not None:
                # The patched cell, and a range it dropped, now come from the patch.
                moved = [patch.column] + [
                    c for c in ("low", "high") if getattr(record, c) != getattr(current, c)
                ]
                changed[index] = (record, {**cells, **dict.fromkeys(moved, where)})
    for name, changed in pending.items():
        tables[name] = table_of(tables, name).replaced(changed)


def _key_index(table: Table, key_columns: list[str]) -> dict[tuple[str, ...], list[int]]:
    """Positions of the rows of each key (its non-year key columns, as text)."""
    out: dict[tuple[str, ...], list[int]] = {}
    keys = zip(*(table.values(c) for c in key_columns), strict=True)
    for index, key in enumerate(keys):
        out.setdefault(tuple(str(k) for k in key), []).append(index)
    return out


def _patch_target(
    patch: Patch, where: Location, issues: list[Issue]
) -> tuple[list[str], tuple[str, ...] | None, tuple[int, int] | None] | None:
    """(key columns, wanted key, year range) of a patch, or None with its problem recorded."""
    file, line = where
    model = TABLES.get(patch.table)
    if model is None:
        issues.append(
            Issue(
                file, line, "table", f"patch: unknown table {patch.table!r}; one of {list(TABLES)}"
            )
        )
        return None
    if patch.column not in model.model_fields or patch.column in model.KEY:
        changeable = [c for c in columns(model) if c not in model.KEY]
        issues.append(
            Issue(
                file,
                line,
                "column",
                f"patch: {patch.table} has no changeable column {patch.column!r};"
                f" one of {changeable}",
            )
        )
        return None
    key_columns = [k for k in model.KEY if k != "year"]
    wanted = patch.key_values()
    if wanted is not None and len(wanted) != len(key_columns):
        issues.append(
            Issue(file, line, "key", f"patch: {patch.table} rows are keyed by {key_columns}")
        )
        return None
    years = patch.year_range()
    if years is not None and "year" not in model.KEY:
        issues.append(Issue(file, line, "year", f"patch: {patch.table} has no year column"))
        return None
    return key_columns, wanted, years


def _patched(patch: Patch, record: Any, where: Location, issues: list[Issue]) -> Any:
    old = getattr(record, patch.column)
    if patch.scale is not None:
        if isinstance(old, bool) or not isinstance(old, int | float):
            issues.append(
                Issue(*where, patch.column, f"patch: cannot scale the non-numeric {patch.column}")
            )
            return None
        new: Any = old * patch.scale
    else:
        new = patch.value
    model = type(record)
    values = {**record.model_dump(), patch.column: new}
    if patch.column == model.MAIN and isinstance(new, int | float):
        # A main value moved outside its plausible range is a scenario choice, not an
        # estimate: the range no longer describes it and is dropped.
        low, high = record.low, record.high  # type: ignore[attr-defined]
        if (low is not None and new < low) or (high is not None and new > high):
            values.update(low=None, high=None)
    try:
        return model.model_validate(values)
    except ValidationError as err:
        row = format_key(record.key())
        for e in err.errors():
            issues.append(
                Issue(*where, error_column(e), f"patch makes row {row} invalid: {e['msg']}")
            )
        return None
