"""Validate a raw table column by column, with the rules its pydantic record declares.

Each field's rules (type, bounds, length, pattern, choices, default) are read once from the
record's pydantic field (`field_rules`), and whole columns are checked at once with Arrow
compute functions and numpy. The checks are conservative: a cell is accepted here only in a
plain form that pydantic reads the same way ("12.5", "2025", "true"); any row with a cell that
fails a check, or that is written in another form, is *suspect* and is validated by its
pydantic record as before (`parse._parse_row`), which words every message and decides. So each
field's rules have one definition (the record), and bad input gives exactly the messages it
gave when every row went through pydantic.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic_core import PydanticUndefined

from ndalloc.data.schema import Record

#: Numbers in the plain form accepted without pydantic: 12, -3, 12.5, 1e6, 2.5E-3.
_FLOAT = r"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$"
#: Integers in the plain form accepted without pydantic (no sign, no leading zero).
_INT = r"^(0|[1-9][0-9]{0,17})$"
#: A cell that, without its ASCII whitespace, starts or ends with anything but a printable
#: ASCII character (other whitespace that `str.strip` would remove, a non-ASCII letter): left
#: to pydantic, which reads it after `str.strip`.
_ODD_ENDS = r"^[^\x21-\x7e]|[^\x21-\x7e]$"
#: ASCII whitespace: stripped alike by Arrow and by `str.strip` (other whitespace is suspect).
_SPACES = " \t\r\n\x0b\x0c"
#: The metadata of a field that this module knows how to check.
_KNOWN = ("ge", "gt", "le", "lt", "min_length", "max_length", "pattern", "allow_inf_nan")


@dataclass(frozen=True)
class Rule:
    """What one field accepts, read from its pydantic field."""

    kind: Literal["str", "int", "float", "bool", "choice"]
    required: bool
    default: Any
    limits: dict[str, Any]
    choices: tuple[str, ...] = ()


@cache
def field_rules(model: type[Record]) -> dict[str, Rule] | None:
    """The rules of every field of `model`, or None when one of them (or a validator other
    than `Record._ordered`) is beyond what this module checks: then every row of the table
    goes through pydantic."""
    decorators = model.__pydantic_decorators__
    if set(decorators.model_validators) - {"_ordered"} or decorators.field_validators:
        return None
    out = {}
    for name, info in model.model_fields.items():
        annotation, metadata = info.annotation, list(info.metadata)
        if get_origin(annotation) is Union and type(None) in get_args(annotation):
            (annotation,) = (a for a in get_args(annotation) if a is not type(None))
        if get_origin(annotation) is Annotated:
            annotation, *extra = get_args(annotation)
            for item in extra:
                metadata += list(getattr(item, "metadata", [item]))
        limits: dict[str, Any] = {}
        for item in metadata:
            found = {k: getattr(item, k) for k in _KNOWN if getattr(item, k, None) is not None}
            if not found:
                return None
            limits.update(found)
        default = None if info.default is PydanticUndefined else info.default
        kinds = {str: "str", int: "int", float: "float", bool: "bool"}
        if get_origin(annotation) is Literal:
            choices = tuple(get_args(annotation))
            if not all(isinstance(c, str) for c in choices):
                return None
            out[name] = Rule("choice", info.is_required(), default, limits, choices)
        elif annotation in kinds:
            out[name] = Rule(kinds[annotation], info.is_required(), default, limits)  # type: ignore[arg-type]
        else:
            return None
    return out


@dataclass(frozen=True)
class Columns:
    """The checked columns of a table's rows: each field's values (typed as the table stores
    them; the default where a cell is empty), the rows with nothing but spaces in every cell,
    and the rows that must go through pydantic."""

    values: dict[str, np.ndarray]
    blank: np.ndarray
    suspect: np.ndarray


def check_columns(
    model: type[Record], rules: dict[str, Rule], header: list[str], columns: Sequence[pa.Array]
) -> Columns:
    """Check text `columns` (one per header column, all as long) against `rules`, column by
    column (see the module)."""
    n = len(columns[0]) if columns else 0
    suspect = np.zeros(n, dtype=bool)
    text: dict[str, pa.Array] = {}
    for name, column in zip(header, columns, strict=True):
        if name in rules and name not in text:
            text[name] = pc.utf8_trim(column, _SPACES)
            suspect |= _numpy(pc.match_substring_regex(text[name], _ODD_ENDS))
    blank = blank_rows(columns, n)
    values: dict[str, np.ndarray] = {}
    for name, rule in rules.items():
        cells = text.get(name, pa.array([""] * n, type=pa.string()))
        empty = _numpy(pc.equal(cells, ""))
        values[name], bad = _convert(rule, cells, empty)
        suspect |= bad | (empty & rule.required)
    suspect |= _disordered(model, values)
    return Columns(values, blank, suspect & ~blank)


def blank_rows(columns: Sequence[pa.Array], n: int) -> np.ndarray:
    """The rows with nothing but ASCII whitespace in every cell (rows whose cells hold other
    whitespace are judged by `str.strip`, row by row)."""
    blank = np.ones(n, dtype=bool)
    for column in columns:
        blank &= _numpy(pc.equal(pc.utf8_trim(column, _SPACES), ""))
    return blank


def _numpy(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(array.to_numpy(zero_copy_only=False), dtype=bool)


def _convert(rule: Rule, text: pa.Array, empty: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The values of one column and the cells that fail (or cannot be judged here)."""
    n = len(text)
    limits = rule.limits
    if rule.kind in ("float", "int"):
        plain = _numpy(pc.match_substring_regex(text, _FLOAT if rule.kind == "float" else _INT))
        bad = ~plain & ~empty
        filled = pc.if_else(pa.array(plain), text, "0")
        try:
            numbers = pc.cast(filled, pa.float64() if rule.kind == "float" else pa.int64())
            value = np.asarray(numbers.to_numpy(zero_copy_only=False))
        except pa.ArrowInvalid:  # a form Arrow does not read: pydantic judges every cell
            value = np.zeros(n, dtype=np.float64 if rule.kind == "float" else np.int64)
            plain[:] = False
            bad = ~empty
        for key, fails in (
            ("ge", np.less),
            ("gt", np.less_equal),
            ("le", np.greater),
            ("lt", np.greater_equal),
        ):
            if key in limits:
                bad |= plain & fails(value, limits[key])
        if rule.kind == "float":
            value = value.astype(np.float64)
            bad |= plain & ~np.isfinite(value)  # 1e999: pydantic's message says why
            default = np.nan if rule.default is None else float(rule.default)
        else:
            default = 0 if rule.default is None else int(rule.default)
        return np.where(empty, default, value), bad
    if rule.kind == "bool":
        lower = pc.utf8_lower(text)
        truth = _numpy(pc.equal(lower, "true"))
        bad = ~(truth | _numpy(pc.equal(lower, "false"))) & ~empty
        return np.where(empty, bool(rule.default), truth), bad
    bad = np.zeros(n, dtype=bool)
    if rule.kind == "choice":
        bad |= ~_numpy(pc.is_in(text, value_set=pa.array(rule.choices))) & ~empty
    length = np.asarray(pc.utf8_length(text).to_numpy(zero_copy_only=False))
    if "min_length" in limits:
        bad |= (length < limits["min_length"]) & ~empty
    if "max_length" in limits:
        bad |= length > limits["max_length"]
    if "pattern" in limits:
        bad |= ~_numpy(pc.match_substring_regex(text, limits["pattern"])) & ~empty
    strings = interned(text)
    if empty.any():
        strings[empty] = rule.default
    return strings, bad


def interned(text: pa.Array) -> np.ndarray:
    """The strings as Python objects, one object per distinct text (names repeat every
    year), made from Arrow's dictionary encoding without a Python loop over the rows."""
    encoded = pc.dictionary_encode(text)
    distinct = np.empty(len(encoded.dictionary), dtype=object)
    distinct[:] = [sys.intern(s) for s in encoded.dictionary.to_pylist()]
    return distinct[encoded.indices.to_numpy(zero_copy_only=False)]


def _disordered(model: type[Record], values: dict[str, np.ndarray]) -> np.ndarray:
    """Rows that break `Record._ordered`: low above the main value, high below it, or an
    ORDERED pair out of order (NaN, a value not given, compares as in order)."""
    n = len(next(iter(values.values()))) if values else 0
    bad = np.zeros(n, dtype=bool)
    main = values.get(model.MAIN) if model.MAIN else None
    if main is not None:
        bad |= np.asarray(values["low"] > main) | np.asarray(values["high"] < main)
    for low, high in model.ORDERED:
        bad |= np.asarray(values[low] > values[high])
    return bad
