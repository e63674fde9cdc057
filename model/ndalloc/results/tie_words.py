"""Ties in words: the members that move between optima (`ndalloc.results.ties`), grouped by
variable family and year, merged over consecutive years, one sentence each.

Families checked, and why the others are not (docs/formulation.md, section "Ties"):

- checked: `output`, `export`, `make`, `imports` (by product), `deliver_domestic`,
  `deliver_import`, `shortage`, `level`, `flow`: each says who produces, sells, makes, buys,
  receives, goes short, holds or ships, a planning decision;
- not checked: `feed` (it is `oxide_per_t` times `make`: a tie in feed is the tie in make),
  `breach` (a slack: the shortfall that matters is the minimum less `export`, which is
  checked; with a zero penalty any larger breach is free and means nothing),
  `inject` and `release` (a tonne put in and taken out in the same year at zero handling
  cost changes nothing; a tie in what a stockpile holds shows in `level`) and `unallocated`
  (oxide left unused when it has no value: no entity to choose between).

A tie whose members move in opposite directions in one alternative optimum is
"interchangeable" (one takes what the other gives up); one whose members only rise or fall
together is an "amount" tie, traded against other families. `deliver_import` repeats
`deliver_domestic` when the same sectors swap domestic for imported magnets in the same years,
and is then left out.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

#: Variable families whose ties are reported, in the order of the table.
CHECKED = (
    "make",
    "deliver_domestic",
    "deliver_import",
    "shortage",
    "output",
    "export",
    "imports",
    "level",
    "flow",
)
#: Key columns (besides year) that split a family into groups that do not compete.
GROUP_COLUMNS: dict[str, tuple[str, ...]] = {"imports": ("product",)}
#: Columns of the ties table.
COLUMNS = [
    "family",
    "entities",
    "years",
    "first_year",
    "last_year",
    "kind",
    "reduced_cost_pv_usd_per_t",
    "confirmed",
    "sentence",
]
#: How many entities a sentence names before "and N more".
NAMED = 6

LABEL = {
    "make": "Magnet making",
    "deliver_domestic": "Domestic magnets",
    "deliver_import": "Imported magnets",
    "shortage": "Magnet shortage",
    "output": "Oxide output",
    "export": "Exports",
    "imports": "Imports",
    "level": "Stock",
    "flow": "Routes",
}
#: What an interchangeable tie says, per family ({names}, {years}).
SAYS = {
    "make": "{names} are interchangeable in {years} (the same cost per tonne of magnet,"
    " conversion and oxide)",
    "deliver_domestic": "which of {names} receive them in {years}, and which get imported"
    " magnets instead, is not decided (a tonne is worth the same to each)",
    "deliver_import": "which of {names} receive them in {years} is not decided (a tonne is"
    " worth the same to each)",
    "shortage": "which of {names} goes short in {years} is not decided (the same shortage penalty)",
    "output": "{names} are interchangeable in {years} (the same cost per tonne of oxide)",
    "export": "{names} are interchangeable in {years} (the same price per tonne)",
    "imports": "{names} are interchangeable in {years} (the same landed price)",
    "level": "which of {names} holds the stock at the end of {years} is not decided (the same"
    " cost of holding)",
    "flow": "{names} are interchangeable in {years} (the same cost per tonne)",
}
#: A family left out when it says what another already says (same entities, years, kind).
MIRRORS = {"deliver_import": "deliver_domestic"}


def years_text(years: Sequence[int]) -> str:
    """Years as ranges: "2026, 2028-2030"."""
    ordered = sorted({int(y) for y in years})
    parts: list[str] = []
    start = prev = ordered[0]
    for year in [*ordered[1:], None]:
        if year is not None and year == prev + 1:
            prev = year
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        if year is not None:
            start = prev = year
    return ", ".join(parts)


def names_text(entities: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c", or the first `NAMED` "and N more"."""
    shown = list(entities[:NAMED])
    more = len(entities) - len(shown)
    if more:
        return f"{', '.join(shown)} and {more:,} more"
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def label(family: str, group: str) -> str:
    if family == "imports" and group:
        return f"{group.capitalize()} imports"
    return LABEL.get(family, family)


def empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=_DTYPES.get(c, object)) for c in COLUMNS})


_DTYPES = {
    "first_year": np.int64,
    "last_year": np.int64,
    "reduced_cost_pv_usd_per_t": np.float64,
    "confirmed": bool,
}


def tie_table(moves: pd.DataFrame, *, confirmed: bool) -> pd.DataFrame:
    """The ties table from the moving members (`ties._no_moves` columns): one row per family,
    group, kind and set of entities, its years merged into ranges. Years whose sets name more
    than `NAMED` entities are merged whatever their sets (their sentence names the first
    few), so a large scenario gets a row per family, not one per year."""
    if moves.empty:
        return empty()
    keys = ["family", "group", "year"]
    moves = moves.sort_values(["order", "round"], kind="stable")
    codes = {c: pd.Categorical(moves[c]) for c in ("family", "group", "entity")}
    moves = moves.assign(**{c: v.codes for c, v in codes.items()})  # group on integers
    signs = moves.groupby([*keys, "round"], sort=False)["sign"].nunique()
    per_year = pd.DataFrame({"swap": (signs == 2).groupby(level=[0, 1, 2], sort=False).any()})
    members = moves.drop_duplicates([*keys, "entity"]).copy()
    members["hash"] = _mix(members["entity"].to_numpy(dtype=np.uint64))
    sets = members.groupby(keys, sort=False).agg(n=("hash", "size"), sig=("hash", "sum"))
    per_year = per_year.join(sets).join(moves.groupby(keys, sort=False)["rc"].max())
    per_year["set"] = np.where(per_year["n"] <= NAMED, per_year["sig"], np.uint64(0))
    per_year["row"] = per_year.groupby(["family", "group", "swap", "set"], sort=False).ngroup()
    per_year = per_year.reset_index()
    members = members.merge(per_year[[*keys, "row"]], on=keys, how="left", sort=False)
    seen = moves[["year", "family"]].drop_duplicates()
    names = codes["family"].categories
    by_year = seen.groupby("year")["family"].agg(lambda f: {str(names[i]) for i in f})
    rows = []
    for (row, part), (_, head) in zip(
        members.groupby("row", sort=True), per_year.groupby("row", sort=True), strict=True
    ):
        del row
        family = str(codes["family"].categories[head["family"].iat[0]])
        group = str(codes["group"].categories[head["group"].iat[0]])
        swap = bool(head["swap"].any())
        years = sorted(int(y) for y in head["year"])
        span = part.groupby("entity", sort=False)["value"].agg(["min", "max"])
        found = [str(e) for e in codes["entity"].categories[span.index.to_numpy()]]
        now = _now(found, span, len(years) > 1) if len(found) <= NAMED else ""
        rows.append(
            {
                "family": family,
                "group": group,
                "entities": ", ".join(found),
                "years": years_text(years),
                "first_year": years[0],
                "last_year": years[-1],
                "kind": "interchangeable" if swap else "amount",
                "reduced_cost_pv_usd_per_t": _clean(-float(head["rc"].max())),
                "confirmed": confirmed,
                "sentence": _sentence(family, group, found, years, swap, by_year, now),
            }
        )
    table = pd.DataFrame(rows)
    table = table[~_mirrored(table)]
    rank = {f: i for i, f in enumerate(CHECKED)}
    table = table.assign(_rank=table["family"].map(rank)).sort_values(
        ["_rank", "group", "first_year", "entities"], kind="stable"
    )
    if not confirmed:
        table["sentence"] = table["sentence"] + (
            " Found from reduced costs only, not confirmed by a second solve."
        )
    return table[COLUMNS].reset_index(drop=True)


def _mix(values: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each value (splitmix64's finaliser): sums of it identify sets."""
    with np.errstate(over="ignore"):
        z = values + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def _clean(value: float) -> float:
    """Solver noise below 1e-9 as an exact 0.0."""
    return 0.0 if abs(value) < 1e-9 else value


def _now(entities: Sequence[str], span: pd.DataFrame, several: bool) -> str:
    """ " (a 0 to 703 t, b 1,500 t a year)": each entity's tonnes in this run over the years
    of a tie (`span`: min and max by entity)."""
    parts = []
    for name, low, high in zip(entities, span["min"], span["max"], strict=True):
        lo, hi = (f"{v if v > 0 else 0.0:,.0f}" for v in (low, high))  # never "-0"
        parts.append(f"{name} {lo} t" if lo == hi else f"{name} {lo} to {hi} t")
    return f" ({', '.join(parts)}{' a year' if several else ''})"


def _mirrored(table: pd.DataFrame) -> pd.Series:
    """Rows of a mirror family that repeat a row of the family they mirror."""
    said = set(zip(table["family"], table["entities"], table["years"], table["kind"], strict=True))
    return pd.Series(
        [
            MIRRORS.get(f) is not None and (MIRRORS[f], e, y, k) in said
            for f, e, y, k in zip(
                table["family"], table["entities"], table["years"], table["kind"], strict=True
            )
        ],
        index=table.index,
    )


def _sentence(
    family: str,
    group: str,
    entities: Sequence[str],
    years: list[int],
    swap: bool,
    by_year: pd.Series,
    now: str,
) -> str:
    names, when = names_text(entities), years_text(years)
    head = label(family, group)
    if swap:
        said = SAYS.get(family, "{names} are interchangeable in {years}")
        body = said.format(names=names, years=when)
        return f"{head}: {body}; this run's split{now} is one of many with the same benefit."
    others: set[str] = set()
    for year in years:
        others |= by_year.get(year, set())
    others.discard(family)
    against = names_text([LABEL[f].lower() for f in CHECKED if f in others]) if others else ""
    traded = f", traded against {against}," if against else ""
    return (
        f"{head}: the amount of {names} in {when} is not decided: other amounts{traded} give"
        " the same benefit."
    )
