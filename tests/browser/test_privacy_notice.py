"""The privacy notice a resident reads, and the record of processing an officer prints."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from .helpers import axe_violations, sign_in

pytestmark = pytest.mark.browser


def test_privacy_notice_on_a_phone_without_signing_in(browser: Any, live_site: str) -> None:
    context = browser.new_context(base_url=live_site, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto("/public/")
    page.get_by_role("link", name="Privacy notice").click()
    expect(page.get_by_role("heading", name="Privacy notice", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="How long we keep it", level=2)).to_be_visible()
    expect(page.locator("#retention li")).to_have_count(5)
    expect(page.locator("#retention")).to_contain_text("2 years after we were last in touch")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    assert axe_violations(page) == []
    context.close()


def test_capture_form_links_to_the_notice(page: Any) -> None:
    sign_in(page, "organiser@demo.commonground.test")
    page.goto("/listening/capture/")
    link = page.get_by_role("link", name="the privacy notice (opens in new tab)")
    expect(link).to_have_attribute("href", "/privacy/")
    with page.context.expect_page() as opened:
        link.click()
    notice = opened.value
    expect(notice.get_by_role("heading", name="Privacy notice", level=1)).to_be_visible()


def test_record_of_processing_for_an_officer(page: Any) -> None:
    sign_in(page, "host.manager@demo.commonground.test")
    page.goto("/privacy/processing/")
    expect(page.get_by_role("heading", name="Record of processing", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Retention schedule", level=2)).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Printable version").click()
    expect(
        page.get_by_role("heading", name="Record of processing (UK GDPR article 30)", level=1)
    ).to_be_visible()
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/privacy/processing/")
    expect(page.get_by_role("heading", name="Record of processing", level=1)).to_be_visible()
    assert axe_violations(page) == []
