"""A council officer plans where the next organisers go, saves, compares and accepts a patch."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from .helpers import axe_violations, sign_in

pytestmark = pytest.mark.browser

OFFICER = "council.officer@demo.commonground.test"


def test_plan_save_compare_and_accept(page: Any) -> None:
    sign_in(page, OFFICER)
    page.get_by_role("link", name="Make a plan").click()
    expect(
        page.get_by_role("heading", name="Where should the next organisers work?", level=1)
    ).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_label("Number of organisers to place").fill("4")
    page.get_by_label("Leave them out of every patch").check()
    page.get_by_role("button", name="Make the plan").click()
    expect(page.get_by_role("heading", name="Proposed patches for 4 organisers")).to_be_visible()
    expect(page.get_by_text("Proven best plan")).to_be_visible()
    expect(page.locator("#priorities-map path.leaflet-interactive")).to_have_count(115)
    table = page.get_by_role("table").filter(has_text="Proposed patches, most need first")
    expect(table.locator("tbody tr")).to_have_count(4)
    expect(page.get_by_role("heading", name="Compared with sorting a spreadsheet")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_label("Name this scenario").fill("Four organisers, browser check")
    page.get_by_role("button", name="Save scenario").click()
    expect(page.get_by_role("heading", name="Four organisers, browser check")).to_be_visible()

    page.get_by_role("link", name="Compare with other scenarios").click()
    page.get_by_label("Compare Four organisers, browser check").check()
    page.get_by_label("Compare Five more organisers, away from current placements (demo)").check()
    page.get_by_role("button", name="Compare the ticked scenarios").click()
    expect(page.get_by_role("heading", name="Compare scenarios", level=1)).to_be_visible()
    side_by_side = page.get_by_role("table").filter(has_text="Side by side")
    expect(side_by_side.get_by_role("columnheader")).to_have_count(2)
    assert axe_violations(page) == []

    side_by_side.get_by_role("link", name="Four organisers, browser check").click()
    page.get_by_label("Name of the neighbourhood for patch 1").fill("Planner browser patch")
    page.get_by_role("button", name="Accept patch 1").click()
    expect(page.get_by_role("heading", name="Planner browser patch", level=1)).to_be_visible()
    expect(page.get_by_text("Proposed by the planner")).to_be_visible()


def test_planning_without_javascript(browser: Any, live_site: str) -> None:
    context = browser.new_context(base_url=live_site, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, "forum.member@demo.commonground.test")
        page.goto("/priorities/")
        page.get_by_label("Number of organisers to place").fill("80")
        page.get_by_role("button", name="Make the plan").click()
        expect(page.get_by_role("alert")).to_contain_text(
            re.compile(r"Only \d+ disjoint patches .* so 80 organisers cannot each have")
        )
        page.get_by_label("Number of organisers to place").fill("3")
        page.get_by_role("button", name="Make the plan").click()
        table = page.get_by_role("table").filter(has_text="Proposed patches, most need first")
        expect(table.locator("tbody tr")).to_have_count(3)
        expect(page.get_by_role("button", name="Accept patch 1")).to_have_count(0)
    finally:
        context.close()


def test_the_result_fits_a_phone(page: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, OFFICER)
    page.goto("/priorities/scenarios/")
    page.get_by_role(
        "link", name="Five more organisers, away from current placements (demo)"
    ).click()
    expect(page.locator("#priorities-map path.leaflet-interactive")).to_have_count(115)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    assert axe_violations(page) == []
