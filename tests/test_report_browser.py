"""The reports in a real browser: headless Chromium opens them from file:// URLs.

Debian's `chromium` (/usr/bin/chromium; `.ci/run` installs it when missing) is driven by
Playwright's Python package (`playwright` in the dev extra; its own browser download is never
used). For a run, a comparison, a tornado, a grid sweep, and a generated run with more
contracts, makers and sectors than a chart draws one by one (its charts capped), each page must
load with no console error, make no request but for the page itself, draw every chart (each
`.js-plotly-plot` holds a non-empty `svg.main-svg` with marks in it), and look like something
(a screenshot with many colours). Without Chromium or Playwright the tests fail under CI
(CI=true) and skip elsewhere.

Set NDALLOC_SCREENSHOTS=DIR to keep the screenshots (one PNG per page) for a look.
"""

from __future__ import annotations

import base64
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ndalloc.report import REPORT
from test_report import Folders, chart_ids, page, report_folders

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: A page that has drawn its charts has at least this many colours (anti-aliased text and
#: lines, bars, fills); a blank or broken page has a handful.
MIN_COLOURS = 64
VIEWPORT = {"width": 1280, "height": 900}


def _unavailable(reason: str) -> None:
    """Fail under CI, where the browser must be there; skip on a developer's machine."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"browser tests cannot run under CI: {reason}")
    pytest.skip(f"{reason} (CI=true makes this a failure)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.is_file() and shutil.which("chromium") is None:
        _unavailable(f"Chromium is not installed ({CHROMIUM}; apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    executable = str(CHROMIUM) if CHROMIUM.is_file() else shutil.which("chromium")
    with sync_playwright() as driver:
        launched = driver.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> Folders:
    return report_folders(tmp_path_factory.getbasetemp() / "reports")


def _path(folders: Folders, name: str) -> Path:
    return {
        "run": folders.run / REPORT,
        "compare": folders.compare,
        "tornado": folders.tornado / REPORT,
        "grid": folders.grid / REPORT,
        "big": folders.big / REPORT,
    }[name]


#: Counts the distinct colours of a PNG, decoded by the browser itself (no image library).
COUNT_COLOURS = """async (src) => {
    const img = new Image();
    img.src = src;
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = img.width; canvas.height = img.height;
    const ctx = canvas.getContext("2d");
    ctx.drawImage(img, 0, 0);
    const data = ctx.getImageData(0, 0, img.width, img.height).data;
    const seen = new Set();
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) {
        const rgb = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
        seen.add(rgb);
        if (data[i] < 200 || data[i + 1] < 200 || data[i + 2] < 200) ink += 1;
    }
    return {colours: seen.size, ink: ink / (data.length / 4), width: img.width, height: img.height};
}"""

#: For every chart: is it a plotly plot, with a non-empty main svg and marks drawn in it?
CHARTS = """() => Array.from(document.querySelectorAll("div.plotly-graph-div")).map((div) => {
    const svgs = Array.from(div.querySelectorAll("svg.main-svg"));
    const box = div.getBoundingClientRect();
    const marks = div.querySelectorAll(
        "g.barlayer path, g.scatterlayer path, g.sankey-node rect, g.sankey-link," +
        " g.hm image, g.heatmaplayer image, g.trace path"
    ).length;
    return {
        id: div.id,
        plotted: div.classList.contains("js-plotly-plot"),
        svgs: svgs.length,
        filled: svgs.filter((s) => s.childElementCount > 0).length,
        marks: marks,
        width: box.width,
        height: box.height,
    };
})"""


@pytest.mark.parametrize("name", ["run", "compare", "tornado", "grid", "big"])
def test_report_renders_offline_in_chromium(browser, folders, name, tmp_path):
    path = _path(folders, name)
    url = path.resolve().as_uri()
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    errors: list[str] = []
    requests: list[str] = []
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    tab.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    tab.on("request", lambda request: requests.append(request.url))
    try:
        tab.goto(url, wait_until="load")
        expected = chart_ids(page(path))
        assert expected, f"{name}: no chart in the page"
        tab.wait_for_function(
            f"document.querySelectorAll('.js-plotly-plot').length === {len(expected)}",
            timeout=20_000,
        )
        tab.wait_for_timeout(300)  # let the last chart finish its transitions
        charts = tab.evaluate(CHARTS)
        assert [c["id"] for c in charts] == expected
        for chart in charts:
            assert chart["plotted"], chart
            assert chart["svgs"] >= 1 and chart["filled"] >= 1, chart
            assert chart["marks"] > 0, chart
            assert chart["width"] > 300 and chart["height"] > 200, chart
        shot = tab.screenshot(full_page=True)
        keep = os.environ.get("NDALLOC_SCREENSHOTS")
        target = Path(keep) if keep else tmp_path
        target.mkdir(parents=True, exist_ok=True)
        (target / f"report-{name}.png").write_bytes(shot)
        look = tab.evaluate(
            COUNT_COLOURS, "data:image/png;base64," + base64.b64encode(shot).decode()
        )
        assert look["colours"] >= MIN_COLOURS, look
        assert look["ink"] > 0.02, look  # not a blank page
        assert look["height"] > VIEWPORT["height"], look  # the whole page, charts included
    finally:
        context.close()
    assert errors == [], errors
    assert requests == [url], requests  # the page itself and nothing else


def test_sankey_year_selector_switches_the_year(browser, folders):
    """Pick 2030 in the Oxide flows dropdown: the title and the flows change to that year's."""
    url = (folders.run / REPORT).resolve().as_uri()
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    tab.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    try:
        tab.goto(url, wait_until="load")
        chart = tab.locator("#chart-flows")
        chart.wait_for()
        tab.wait_for_function("document.querySelector('#chart-flows .sankey') !== null")
        assert "2025-2035 total" in (chart.locator(".gtitle").text_content() or "")
        chart.locator(".updatemenu-header").click()
        buttons = chart.locator(".updatemenu-dropdown-button")
        buttons.first.wait_for()
        texts = buttons.all_text_contents()
        assert texts[0] == "2025-2035 total" and "2035" in texts, texts
        buttons.nth(texts.index("2030")).click()
        tab.wait_for_function(
            "document.querySelector('#chart-flows .gtitle').textContent.includes('2030')"
        )
        labels = chart.locator(".sankey-node .node-label").all_text_contents()
        assert any(label.startswith("irel output: 1,200 t") for label in labels), labels
    finally:
        context.close()
    assert errors == [], errors
