"""Each role signs in, sees their dashboard, opens the map and an area page, in a real Chromium."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from .helpers import axe_violations, sign_in

pytestmark = pytest.mark.browser

ROLES = [
    ("organiser@demo.commonground.test", "Your placement"),
    ("host.manager@demo.commonground.test", "Your organisers"),
    ("council.officer@demo.commonground.test", "Co-operation agreements"),
    ("partner.officer@demo.commonground.test", "Co-operation agreements"),
    ("councillor@demo.commonground.test", "Your wards"),
    ("forum.member@demo.commonground.test", "Programmes"),
    ("admin@demo.commonground.test", "Administration"),
]


@pytest.mark.parametrize(("email", "panel"), ROLES, ids=[email.split("@")[0] for email, _ in ROLES])
def test_role_journey(page: Any, email: str, panel: str) -> None:
    sign_in(page, email)
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name=panel, level=2)).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Places").click()
    page.get_by_role("main").get_by_role(
        "link", name="Bath and North East Somerset", exact=True
    ).click()
    expect(
        page.get_by_role("heading", name="Bath and North East Somerset", level=1)
    ).to_be_visible()
    expect(page.locator("#area-map path.leaflet-interactive")).to_have_count(115)
    expect(
        page.get_by_role("table").filter(has_text="LSOAs, most deprived first").locator("tbody tr")
    ).to_have_count(115)
    assert axe_violations(page) == []

    page.get_by_role("main").get_by_role("link", name="Twerton", exact=True).first.click()
    expect(page.get_by_role("heading", name="Twerton", level=1)).to_be_visible()
    expect(page.locator("#area-map path.leaflet-interactive")).to_have_count(5)
    assert axe_violations(page) == []


def test_organiser_on_a_phone(page: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "organiser@demo.commonground.test")
    expect(page.get_by_role("heading", name="Your placement")).to_be_visible()
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    menu.click()
    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", name="Your account", level=1)).to_be_visible()
    page.goto("/places/neighbourhoods/whiteway/")
    expect(page.get_by_role("heading", name="Whiteway", level=1)).to_be_visible()
    expect(page.locator("#area-map path.leaflet-interactive")).to_have_count(2)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    assert axe_violations(page) == []


def test_neighbourhood_editor_by_map_and_keyboard(page: Any) -> None:
    sign_in(page, "council.officer@demo.commonground.test")
    page.goto("/places/authorities/E07000041/neighbourhoods/new/")
    page.get_by_label("Name").fill("Exwick Riverside")
    expect(page.locator("#area-map path.leaflet-interactive")).to_have_count(74)
    page.locator("#area-map path.leaflet-interactive").nth(10).click()
    expect(page.locator("#lsoa-checkboxes input:checked")).to_have_count(1)
    page.get_by_label("E01019980", exact=False).focus()
    page.keyboard.press("Space")
    expect(page.locator("#lsoa-checkboxes input:checked")).to_have_count(2)
    expect(page.locator("#selection-summary")).to_contain_text("2 LSOAs chosen")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Save neighbourhood").click()
    expect(page.get_by_role("heading", name="Exwick Riverside", level=1)).to_be_visible()
    expect(page.locator("#lsoa-table tbody tr")).to_have_count(2)


def test_public_pages_work_without_javascript(browser: Any, live_site: str) -> None:
    context = browser.new_context(base_url=live_site, java_script_enabled=False)
    page = context.new_page()
    page.goto("/places/authorities/E07000041/")
    expect(page.get_by_role("heading", name="Exeter", level=1)).to_be_visible()
    expect(page.locator("#lsoa-table tbody tr")).to_have_count(74)
    page.goto("/places/?q=E01014370")
    expect(page.get_by_role("link", name="Bath and North East Somerset 007A")).to_be_visible()
    context.close()
