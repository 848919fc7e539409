"""The dashboard in a real browser: Chromium (Debian's, headless, driven by
Playwright) against a real ``interop serve`` over a prepared store.

Every page renders with its data and its charts drawn; a booking's journey is
reached by clicking from the national page (nation, state, jurisdiction,
booking); the what-if page shows both policies; at 360 px no page scrolls
sideways. Screenshots go to ``tests/browser/artifacts/``.

Outside CI a missing Chromium (``/usr/bin/chromium``) or Playwright skips the
module; under ``CI=true`` it fails.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from interop.store import Store
from interop.store.transparency import load_or_create_log_key
from tests.web.test_dashboard import Prepared, prepare

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}

if os.environ.get("CI") == "true":
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} missing under CI", pytrace=False)
    from playwright.sync_api import Page, sync_playwright  # under CI a missing one fails
else:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not installed", allow_module_level=True)
    pytest.importorskip("playwright")
    from playwright.sync_api import Page, sync_playwright


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    base: str
    prepared: Prepared


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``interop serve`` on a free loopback port over a store the pipeline has filled."""
    home = tmp_path_factory.mktemp("interop-home")
    store = Store.open(f"sqlite:///{home / 'interop.db'}")
    try:
        prepared = prepare(store, load_or_create_log_key(home / "log-key.pem"))
    finally:
        store.close()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("INTEROP_DATABASE_URL", "INTEROP_LOG_KEY", "INTEROP_POLICY")
    }
    env["INTEROP_HOME"] = str(home)
    port = _free_port()
    log = (home / "serve.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-c", "from interop.cli import app; app()", "serve",
         "--port", str(port), "--workers", "0"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                if server.poll() is not None:
                    break
                time.sleep(0.1)
        else:
            pytest.fail("the server did not start")
        if server.poll() is not None:
            pytest.fail(f"the server stopped: {(home / 'serve.log').read_text()[-2000:]}")
        yield Served(base, prepared)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def browser(served: Served) -> Iterator[Any]:
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def _charts_drawn(page: Page) -> int:
    """How many charts the page shows, after checking each is drawn and named."""
    charts = page.locator("svg[role=img]")
    n = charts.count()
    for i in range(n):
        chart = charts.nth(i)
        box = chart.bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 50
        assert chart.get_attribute("aria-label")
        assert chart.locator("title").count() == 1
        assert chart.locator("path").count() > 5  # axes, ticks, lines or bars
    return n


def _no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow} px"


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_from_the_nation_to_a_booking_s_journey(served: Served, browser: Any) -> None:
    p = served.prepared
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{served.base}/")  # redirected to the dashboard
    assert page.url == f"{served.base}/dashboard/"
    assert page.get_by_role("heading", level=1).inner_text() == "National overview"
    assert _charts_drawn(page) == 3
    assert (
        page.get_by_role(
            "table", name="States: jurisdictions, activation and figures (cumulative)"
        ).count()
        == 1
    )
    _shot(page, "1-national")

    page.get_by_role("link", name=f"California ({p.detainer_state})").click()
    page.wait_for_url(f"**/dashboard/states/{p.detainer_state}")
    assert page.get_by_role("heading", level=1).inner_text() == "California (CA)"
    assert _charts_drawn(page) == 3  # timeline, levels, non-criminal share
    _shot(page, "2-state")

    page.get_by_role("link", name=p.jurisdiction_name, exact=True).click()
    page.wait_for_url(f"**/dashboard/jurisdictions/{p.detainer_ori}")
    assert _charts_drawn(page) == 1
    assert page.get_by_role("heading", name="Recent bookings").count() == 1
    _shot(page, "3-jurisdiction")

    page.get_by_role("link", name=f"Journey of booking {p.detainer_tcn}").click()
    page.wait_for_url(f"**/dashboard/bookings/{p.detainer_tcn}")
    assert page.get_by_role("heading", level=1).inner_text() == f"Booking {p.detainer_tcn}"
    messages = page.get_by_role("table", name=f"Messages of booking {p.detainer_tcn}")
    assert messages.locator("tbody tr").count() >= 10
    decisions = page.get_by_role("table", name=f"Policy decisions on booking {p.detainer_tcn}")
    assert decisions.locator("tbody tr").count() >= 3
    assert page.get_by_role("heading", name="Detainer").count() == 1
    proofs = page.locator("details.proof")
    assert proofs.count() == messages.locator("tbody tr").count()
    assert proofs.filter(has_text=": verified").count() == proofs.count()
    proofs.first.locator("summary").click()  # open one: its fields show
    assert proofs.first.get_by_text("Audit path").is_visible()
    assert proofs.filter(has_text="path leads to the signed root: yes").count() == proofs.count()
    assert proofs.filter(has_text="head signature: valid").count() == proofs.count()
    _shot(page, "4-booking")
    context.close()


def test_the_what_if_page_shows_both_policies(served: Served, browser: Any) -> None:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{served.base}/dashboard/what-if?a=as-operated&b=honor-opt-out&state=CA")
    assert page.get_by_role("heading", level=1).inner_text() == "Policy what-if"
    if importlib.util.find_spec("interop.reports.whatif") is None:
        pytest.skip("interop.reports.whatif is not in the tree yet")
    side = page.locator(".columns .card")
    assert side.count() == 2
    assert "Policy A: as-operated" in side.nth(0).inner_text()
    assert "Policy B: honor-opt-out" in side.nth(1).inner_text()
    headers = (
        page.get_by_role(
            "table", name="Outcomes under as-operated (A) and honor-opt-out (B), in CA"
        )
        .locator("thead th")
        .all_inner_texts()
    )
    assert headers == ["Outcome", "A: as-operated", "B: honor-opt-out", "B - A"]
    assert _charts_drawn(page) == 1
    # the two cards sit side by side on a wide screen
    a, b = side.nth(0).bounding_box(), side.nth(1).bounding_box()
    assert a is not None and b is not None and abs(a["y"] - b["y"]) < 1 and b["x"] > a["x"]
    # the form asks again
    page.get_by_role("combobox", name="Policy B").select_option("as-operated+level-1-only")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url("**/what-if?*")
    assert "Policy B: as-operated+level-1-only" in page.locator(".columns").inner_text()
    _shot(page, "5-what-if")
    context.close()


def test_every_page_fits_a_phone(served: Served, browser: Any) -> None:
    p = served.prepared
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    page = context.new_page()
    for name, path in [
        ("national", "/dashboard/"),
        ("state", f"/dashboard/states/{p.detainer_state}"),
        ("jurisdiction", f"/dashboard/jurisdictions/{p.detainer_ori}"),
        ("booking", f"/dashboard/bookings/{p.detainer_tcn}"),
        ("what-if", "/dashboard/what-if?state=CA"),
        ("proofs", "/dashboard/proofs"),
    ]:
        page.goto(served.base + path)
        assert page.get_by_role("heading", level=1).is_visible()
        _no_sideways_scroll(page)
        # open every data table too: they scroll inside their own container
        for summary in page.locator("details > summary").all():
            summary.click()
        _no_sideways_scroll(page)
        # a chart keeps legible text: it scrolls sideways inside its own box
        for box in page.locator(".chart-scroll").all():
            frame = box.bounding_box()
            assert frame is not None and frame["x"] >= 0
            assert frame["x"] + frame["width"] <= PHONE["width"]
        _shot(page, f"phone-{name}")
    context.close()


def test_the_skip_link_leads_to_the_main_content(served: Served, browser: Any) -> None:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{served.base}/dashboard/proofs")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("e => e === document.activeElement")
    assert skip.is_visible()  # shown when focused
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    context.close()
