"""Typed input records: one frozen, strict pydantic model per scenario table.

Every input field is documented here once, with its unit and meaning; `docs/inputs.md` is
generated from these models (`ndalloc.data.docs.input_reference`). A record knows nothing of
files or Pyomo: the loader turns CSV rows into records, the LP reads them through pandas.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

#: Largest quantity accepted anywhere, in tonnes. World rare earth mine output is about
#: 400,000 t a year; anything near a billion tonnes is a typing error, not a scenario.
MAX_TONNES = 1e9
#: Largest price, cost or penalty accepted, in USD per tonne (a thousand times the dearest
#: rare earth product).
MAX_USD_PER_T = 1e9

Name = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\- ]*$")]
LAST_YEAR = 2200
Year = Annotated[int, Field(ge=1900, le=LAST_YEAR)]
Tonnes = Annotated[float, Field(ge=0, le=MAX_TONNES, allow_inf_nan=False)]
UsdPerT = Annotated[float, Field(ge=0, le=MAX_USD_PER_T, allow_inf_nan=False)]
Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Citation = Annotated[str, Field(max_length=500)]


class Record(BaseModel):
    """Base of every input row: frozen, strict, no unknown fields."""

    model_config = ConfigDict(
        strict=True,
        frozen=True,
        extra="forbid",
        str_strip_whitespace=True,
        use_attribute_docstrings=True,
        defer_build=True,  # validators are built on first use: most loads never need them
    )

    #: CSV file (and later workbook sheet) the table is read from.
    FILE: ClassVar[str]
    #: Columns that identify a row; no two rows may share them.
    KEY: ClassVar[tuple[str, ...]]
    #: Pairs (low, high) of columns with low <= high on every row.
    ORDERED: ClassVar[tuple[tuple[str, str], ...]] = ()
    #: True when a scenario cannot be solved without at least one row of this table.
    REQUIRED: ClassVar[bool] = False
    #: Cross-table references: column -> tables whose key column may hold the value.
    REFERS: ClassVar[dict[str, tuple[str, ...]]] = {}
    #: The row's main value: the one `low` and `high` give a plausible range for ("" for
    #: ranges.csv, whose rows are ranges of other tables' cells).
    MAIN: ClassVar[str]

    low: Annotated[float, Field(ge=0, le=MAX_USD_PER_T, allow_inf_nan=False)] | None = None
    """Low end of a plausible range of the row's main value (the table's MAIN column), used
    by sensitivity analysis [unit of the main column]."""
    high: Annotated[float, Field(ge=0, le=MAX_USD_PER_T, allow_inf_nan=False)] | None = None
    """High end of a plausible range of the row's main value [unit of the main column]."""
    citation: Citation = ""
    """Where the row's figures come from, and 'estimate' where no source exists [text]."""

    @model_validator(mode="after")
    def _ordered(self) -> Record:
        main = getattr(self, self.MAIN) if self.MAIN else None  # ranges.csv: no main value
        if main is not None and self.low is not None and self.low > main:
            raise PydanticCustomError(
                "order", f"low ({self.low:g}) is above {self.MAIN} ({main:g})", {"column": "low"}
            )
        if main is not None and self.high is not None and self.high < main:
            raise PydanticCustomError(
                "order", f"high ({self.high:g}) is below {self.MAIN} ({main:g})", {"column": "high"}
            )
        for low, high in self.ORDERED:
            lo, hi = getattr(self, low), getattr(self, high)
            if lo > hi:
                raise PydanticCustomError(
                    "order", f"{low} ({lo:g}) is above {high} ({hi:g})", {"column": low}
                )
        return self

    def key(self) -> tuple[object, ...]:
        return tuple(getattr(self, k) for k in self.KEY)


class ScenarioMeta(BaseModel):
    """`scenario.toml`: what the scenario is and the planning horizon."""

    model_config = ConfigDict(
        strict=True, frozen=True, extra="forbid", use_attribute_docstrings=True, defer_build=True
    )

    name: Name
    """Short identifier of the scenario, used in run folder names [text]."""
    description: str
    """Which question the scenario answers, in a sentence or two."""
    first_year: Year
    """First calendar year of the horizon [year]."""
    last_year: Year
    """Last calendar year of the horizon, inclusive [year]."""
    discount_rate: Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)]
    """Real discount rate per year (fraction, 0.05 = 5 %/yr); money in year y is weighted by
    (1 + discount_rate) ** -(y - first_year) [fraction/yr]."""
    export_cap_t: Tonnes | None = None
    """Most oxide exported in any one year under all contracts together, a national ceiling
    (family `export_cap`); no ceiling when absent [t oxide/yr]."""
    currency: Literal["USD"] = "USD"
    """Currency of every money column; only USD (real, first-year money) is supported."""
    inherits: str | None = None
    """Parent scenario: a bundled name or a folder path relative to this scenario's folder.
    The child starts from the parent's resolved tables; a CSV present in the child replaces the
    parent's table whole, and `[[patch]]` entries change single cells."""

    @model_validator(mode="after")
    def _horizon(self) -> ScenarioMeta:
        if self.first_year > self.last_year:
            raise PydanticCustomError(
                "order",
                f"first_year ({self.first_year}) is after last_year ({self.last_year})",
                {"column": "first_year"},
            )
        return self

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))


class SourceRow(Record):
    """`sources.csv`: neodymium oxide output of a producer or site, per year."""

    MAIN = "capacity_t"

    FILE = "sources.csv"
    KEY = ("source", "year")
    ORDERED = (("min_output_t", "capacity_t"),)
    REQUIRED = True

    source: Name
    """Producer or site (e.g. IREL OSCOM)."""
    year: Year
    """Calendar year [year]."""
    capacity_t: Tonnes
    """Most separated Nd oxide the source can produce in the year [t oxide/yr]."""
    min_output_t: Tonnes = 0.0
    """Least output in the year, e.g. a co-product of other rare earths [t oxide/yr]."""
    cost_usd_per_t: UsdPerT
    """Cost of producing one tonne of oxide [USD/t oxide]."""


class ContractRow(Record):
    """`contracts.csv`: export agreements, with a delivery window per year."""

    MAIN = "price_usd_per_t"

    FILE = "contracts.csv"
    KEY = ("contract", "year")
    ORDERED = (("min_t", "max_t"),)

    contract: Name
    """Agreement identifier (e.g. japan-2012)."""
    partner: Name
    """Country or company the oxide goes to."""
    year: Year
    """Calendar year [year]."""
    min_t: Tonnes
    """Committed minimum delivery; each tonne short costs breach_penalty_usd_per_t [t oxide/yr]."""
    max_t: Tonnes
    """Most the partner takes in the year; 0 means the contract is suspended [t oxide/yr]."""
    price_usd_per_t: UsdPerT
    """Price the partner pays per tonne delivered [USD/t oxide]."""
    breach_penalty_usd_per_t: UsdPerT = 0.0
    """Cost per tonne delivered below min_t: damages and diplomatic cost [USD/t oxide]."""
    halted: bool = False
    """True when the government stops exports under the contract in the year: nothing may be
    delivered, and each tonne short of min_t is still charged the breach penalty [true/false]."""


class MakerRow(Record):
    """`makers.csv`: domestic NdFeB magnet makers (oxide in, sintered magnets out)."""

    MAIN = "capacity_t"

    FILE = "makers.csv"
    KEY = ("maker", "year")

    maker: Name
    """Magnet plant or group of plants."""
    year: Year
    """Calendar year [year]."""
    capacity_t: Tonnes
    """Most finished magnets the maker can produce in the year [t magnet/yr]."""
    oxide_per_t: Annotated[float, Field(gt=0, le=10, allow_inf_nan=False)]
    """Oxide consumed per tonne of finished magnet, yield losses included [t oxide/t magnet]."""
    conversion_cost_usd_per_t: UsdPerT
    """Cost of turning oxide into one tonne of magnet, oxide excluded [USD/t magnet]."""


class DemandRow(Record):
    """`demand.csv`: NdFeB magnet demand by sector, per year."""

    MAIN = "demand_t"

    FILE = "demand.csv"
    KEY = ("sector", "year")
    REQUIRED = True

    sector: Name
    """Using sector (e.g. ev, wind, electronics-industry, defence)."""
    year: Year
    """Calendar year [year]."""
    demand_t: Tonnes
    """Magnets the sector needs in the year [t magnet/yr]."""
    shortage_penalty_usd_per_t: UsdPerT
    """Cost to the economy of each tonne not supplied; sets the sector's priority [USD/t magnet]."""
    import_share_max: Fraction = 1.0
    """Largest share of the sector's demand that imported magnets may meet, e.g. 0 for defence
    [fraction of demand_t]."""


class ImportRow(Record):
    """`imports.csv`: oxide or magnets available from abroad, per origin and year."""

    MAIN = "price_usd_per_t"

    FILE = "imports.csv"
    KEY = ("origin", "product", "year")

    origin: Name
    """Exporting country or supplier (e.g. china)."""
    product: Literal["oxide", "magnet"]
    """What is imported: 'oxide' (Nd oxide) or 'magnet' (finished NdFeB magnets)."""
    year: Year
    """Calendar year [year]."""
    max_t: Tonnes
    """Most that can be imported in the year, e.g. under export licences [t product/yr]."""
    price_usd_per_t: UsdPerT
    """Landed price per tonne of product [USD/t product]."""


class StockpileRow(Record):
    """`stockpiles.csv`: oxide stockpiles, with level and flow limits per year.

    A stockpile's rows must cover every year from its first row to the end of the horizon.
    """

    MAIN = "holding_cost_usd_per_t"

    FILE = "stockpiles.csv"
    KEY = ("stockpile", "year")
    ORDERED = (("min_t", "max_t"),)

    stockpile: Name
    """Stockpile identifier (e.g. national)."""
    year: Year
    """Calendar year [year]."""
    min_t: Tonnes = 0.0
    """Least level at the end of the year, e.g. a strategic reserve target [t oxide]."""
    max_t: Tonnes
    """Most the stockpile can hold at the end of the year [t oxide]."""
    max_inject_t: Tonnes
    """Most oxide that can be put into the stockpile in the year [t oxide/yr]."""
    max_release_t: Tonnes
    """Most oxide that can be taken out in the year [t oxide/yr]."""
    holding_cost_usd_per_t: UsdPerT = 0.0
    """Physical cost of holding one tonne for the year: storage, insurance, losses. Not the
    cost of capital: the objective's discounting already charges it [USD/t oxide/yr]."""
    handling_cost_usd_per_t: UsdPerT = 0.0
    """Cost of moving one tonne into or out of the stockpile: handling, packing, assay
    [USD/t oxide moved]."""
    terminal_value_usd_per_t: UsdPerT = 0.0
    """Value of one tonne still in stock at the end of the horizon, in USD of the last year
    (what it would fetch or save then); given on the row of the horizon's last year only, 0 on
    the others. The default 0 writes the stock off at the end [USD/t oxide]."""


class StockpileInitialRow(Record):
    """`stockpile_initial.csv`: stockpile levels before the first year of each stockpile.

    A stockpile without a row here starts empty.
    """

    MAIN = "initial_t"

    FILE = "stockpile_initial.csv"
    KEY = ("stockpile",)
    REFERS: ClassVar[dict[str, tuple[str, ...]]] = {"stockpile": ("stockpiles",)}

    stockpile: Name
    """Stockpile identifier, as in stockpiles.csv."""
    initial_t: Tonnes
    """Level at the start of the stockpile's first year [t oxide]."""


class RouteRow(Record):
    """`routes.csv` (optional): when present, oxide moves only along the listed routes.

    Origins are sources, oxide import origins and stockpiles (releases); destinations are
    contracts, makers and stockpiles (injections). A destination with no route gets no oxide.
    A routes.csv with its header and no rows is an error (it would send oxide nowhere): remove
    the file for oxide to move freely, or list the routes. (A workbook always has a routes
    sheet: one without rows is a scenario without routes.)
    """

    MAIN = "cost_usd_per_t"

    FILE = "routes.csv"
    KEY = ("origin", "destination")
    REFERS: ClassVar[dict[str, tuple[str, ...]]] = {
        "origin": ("sources", "imports", "stockpiles"),
        "destination": ("contracts", "makers", "stockpiles"),
    }

    origin: Name
    """Where the oxide comes from: a source, an oxide import origin or a stockpile."""
    destination: Name
    """Where the oxide goes: a contract, a maker or a stockpile."""
    cost_usd_per_t: UsdPerT = 0.0
    """Cost of moving one tonne along the route: freight, handling [USD/t oxide]."""


class RangeRow(Record):
    """`ranges.csv` (optional): plausible ranges of any numeric inputs, for the tornado, Monte
    Carlo and break-even search (docs/sensitivity.md). Each row names cells of another table,
    whose values must lie in its range; a cell lies in one range at most, and a main-column
    cell whose row has its own `low`/`high` in none. Inherited like any table."""

    MAIN = ""

    FILE = "ranges.csv"
    KEY = ("parameter",)
    ORDERED = (("low", "high"),)

    parameter: Annotated[str, Field(min_length=3, max_length=200)]
    """Cells the range applies to, as `TABLE.COLUMN[KEY@YEARS]` (the syntax of `--vary`; KEY
    and @YEARS optional), e.g. `contracts.breach_penalty_usd_per_t[japan-2012]` [selector]."""
    low: Annotated[float, Field(allow_inf_nan=False)]
    """Low end of the range, a value the named column can hold; the tornado sets every named
    cell to it [unit of the named column]."""
    high: Annotated[float, Field(allow_inf_nan=False)]
    """High end of the range [unit of the named column]."""


#: Every table of a scenario, by table name (the CSV file name without `.csv`), in load order.
TABLES: dict[str, type[Record]] = {
    "sources": SourceRow,
    "contracts": ContractRow,
    "makers": MakerRow,
    "demand": DemandRow,
    "imports": ImportRow,
    "stockpiles": StockpileRow,
    "stockpile_initial": StockpileInitialRow,
    "routes": RouteRow,
    "ranges": RangeRow,
}

#: The column of each table that names its entity (used by routes and references).
ENTITY_COLUMN: dict[str, str] = {
    "sources": "source",
    "contracts": "contract",
    "makers": "maker",
    "demand": "sector",
    "imports": "origin",
    "stockpiles": "stockpile",
    "stockpile_initial": "stockpile",
}


#: Columns every table may carry for provenance and uncertainty, written after the others.
PROVENANCE = ("low", "high", "citation")


def columns(model: type[BaseModel]) -> list[str]:
    """A table's columns in file order: keys and values first, provenance last."""
    fields = list(model.model_fields)
    return [f for f in fields if f not in PROVENANCE] + [f for f in fields if f in PROVENANCE]


def field_doc(model: type[BaseModel], field: str) -> str:
    """The documentation of one field (its attribute docstring), as one line."""
    info = model.model_fields[field]
    return " ".join((info.description or "").split())
