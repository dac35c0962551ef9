"""Grant funds in a real Chromium: an officer opens the Main Fund's grants; an assessor scores."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from .helpers import axe_violations, sign_in

pytestmark = pytest.mark.browser


def test_officer_opens_the_fund_view(page: Any) -> None:
    sign_in(page, "council.officer@demo.commonground.test")
    panel = page.get_by_role("region", name="Grant funds you run")
    expect(panel).to_be_visible()
    panel.get_by_role("link", name="Performance Reward Main Fund (demo)").click()
    expect(page.get_by_role("heading", name="Every grant in this fund", level=1)).to_be_visible()
    rows = page.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(16)
    expect(rows.filter(has_text="Better Together")).to_contain_text("£106,000")
    expect(page.locator(".govuk-tag--red", has_text="At risk")).not_to_have_count(0)
    assert axe_violations(page) == []

    page.get_by_role("navigation", name="Show grants").get_by_role("link", name="Late").click()
    late = page.get_by_role("table").locator("tbody tr")
    expect(late.first).to_be_visible()
    assert 0 < late.count() < 16

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the fund view scrolls sideways on a phone ({width}px)"
    assert axe_violations(page) == []


def test_assessor_declares_and_scores_an_application(page: Any) -> None:
    sign_in(page, "forum.member@demo.commonground.test")
    panel = page.get_by_role("region", name="Applications to score")
    expect(panel).to_be_visible()
    panel.get_by_role("link", name="Whiteway summer street party").click()

    expect(page.get_by_role("heading", name="Declare your interests", level=1)).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("radio", name="No").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Score “Whiteway summer street party”")).to_be_visible()
    page.get_by_label("Local need shown (weight 2)").select_option("4")
    page.get_by_label("Residents run it (weight 2)").select_option("5")
    page.get_by_label("Comment on Residents run it").fill("The residents' association runs it.")
    page.get_by_label("Value for money (weight 1)").select_option("3")
    # (2*4/5 + 2*5/5 + 1*3/5) / 5 * 100 = 84.0, shown as the assessor scores.
    expect(page.locator("#score-total")).to_have_text("Weighted total: 84.0 out of 100.")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Submit scores").click()

    expect(page.get_by_text("Your scores were submitted. Thank you.")).to_be_visible()
    row = page.get_by_role("row", name="Whiteway summer street party")
    expect(row).to_contain_text("Scores submitted")
    # An application the assessor was not asked to score stays closed to them.
    expect(page.get_by_role("link", name="Paulton lunch club")).to_have_count(0)
    assert axe_violations(page) == []
