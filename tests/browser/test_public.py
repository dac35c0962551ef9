"""You said, we did: a resident's journey without signing in, without JavaScript and on a phone."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from .helpers import axe_violations

pytestmark = pytest.mark.browser


def test_you_said_we_did_without_javascript_on_a_phone(browser: Any, live_site: str) -> None:
    context = browser.new_context(
        base_url=live_site, java_script_enabled=False, viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.goto("/public/")
    expect(page.get_by_role("heading", name="You said, we did", level=1)).to_be_visible()
    page.get_by_role("link", name="Whiteway").click()
    expect(page.get_by_role("heading", name="Whiteway", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="You said", level=2)).to_be_visible()
    expect(page.get_by_role("heading", name="We did", level=2)).to_be_visible()
    expect(page.locator("#themes tbody tr")).not_to_have_count(0)
    expect(page.locator("#resolved")).to_contain_text("Fly-tipping behind the Whiteway Road shops")
    expect(page.locator("#projects")).to_contain_text("Proud of Your Doorstep")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    assert page.get_by_role("link", name="Sign in").count() == 1  # nobody is signed in
    context.close()


def test_you_said_we_did_passes_axe(page: Any) -> None:
    page.goto("/public/neighbourhoods/radstock/")
    expect(page.get_by_role("heading", name="Radstock", level=1)).to_be_visible()
    assert axe_violations(page) == []
    page.goto("/public/")
    assert axe_violations(page) == []
