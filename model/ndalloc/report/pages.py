"""The report of one run, and the report comparing several runs.

The pages live by concern: `run_report` (one run), `comparison_report` (several runs),
`compare_charts` (the charts of a comparison) and `page_parts` (what the pages share);
this module names them in one place.
"""

from __future__ import annotations

from ndalloc.report.compare_charts import contracts_compare as _contracts_compare
from ndalloc.report.compare_charts import magnets_compare as _magnets_compare
from ndalloc.report.compare_charts import stockpile_compare as _stockpile_compare
from ndalloc.report.comparison_report import COMPARE_CHARTS, compare_page
from ndalloc.report.page_parts import footer, status_css
from ndalloc.report.run_report import RUN_CHARTS, TOTALS, run_page

__all__ = [
    "COMPARE_CHARTS",
    "RUN_CHARTS",
    "TOTALS",
    "_contracts_compare",
    "_magnets_compare",
    "_stockpile_compare",
    "compare_page",
    "footer",
    "run_page",
    "status_css",
]
