"""Impact in a real Chromium: a host writes the annual report; anyone reads what was published."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from .helpers import axe_violations, sign_in

pytestmark = pytest.mark.browser

PUBLISHED = "Better Together: impact report 2025/26"
DRAFT = "Better Together: impact report 2026/27"


def test_host_manager_finishes_the_draft_report(page: Any) -> None:
    sign_in(page, "host.manager@demo.commonground.test")
    panel = page.get_by_role("region", name="Impact", exact=True)
    expect(panel).to_be_visible()
    panel.get_by_role("link", name=DRAFT).click()

    expect(page.get_by_role("heading", name=DRAFT, level=1)).to_be_visible()
    for heading in (
        "Indicators against targets",
        "What residents said",
        "Money in and out",
        "Equality reach: who was listened to",
        "Did it make a difference?",
    ):
        expect(page.get_by_role("heading", name=heading, level=2)).to_be_visible()
    expect(page.get_by_role("img", name="Chart: indicators against their targets")).to_be_visible()
    expect(page.get_by_role("img", name="Map: residents listened to in each LSOA")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("link", name="Edit Lessons learned").click()
    expect(page.get_by_role("heading", name="Edit “Lessons learned”", level=1)).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Text").fill(
        "Evening sessions at the community centre reached people in work."
    )
    page.get_by_role("button", name="Save the section").click()
    expect(page.get_by_text("The section was saved.")).to_be_visible()
    expect(page.get_by_text("Evening sessions at the community centre")).to_be_visible()

    page.get_by_role("link", name="Publish").first.click()
    expect(page.get_by_role("heading", name="Publish version 1", level=1)).to_be_visible()
    assert axe_violations(page) == []


def test_anyone_reads_the_published_report_and_its_pdf(browser: Any, live_site: str) -> None:
    context = browser.new_context(base_url=live_site, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto("/impact/open-data/")
    expect(
        page.get_by_role("heading", name="Open data: published impact figures", level=1)
    ).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name=PUBLISHED).click()

    expect(page.get_by_role("heading", name=PUBLISHED, level=1)).to_be_visible()
    expect(page.get_by_text("Version 1, published")).to_be_visible()
    assert axe_violations(page) == []
    pdf_link = page.get_by_role("link", name="Download the PDF")
    response = page.request.get(pdf_link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    figures = page.request.get(
        page.get_by_role("link", name="Figures as CSV").get_attribute("href")
    )
    assert figures.status == 200 and b"residents_listened_to" in figures.body()

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the report scrolls sideways on a phone ({width}px)"
    assert axe_violations(page) == []
    context.close()


def test_officer_compares_whiteway_with_similar_places(page: Any) -> None:
    sign_in(page, "council.officer@demo.commonground.test")
    page.goto("/impact/compare/")
    expect(page.get_by_role("heading", name="Did it make a difference?", level=1)).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Indicator measured per LSOA each year").select_option(
        label="Rubbish reports to FixMyStreet (including fly-tipping)"
    )
    page.get_by_label("…or the LSOA codes").fill("E01014461 E01014458")
    page.get_by_label("Year the work began").fill("2009")
    page.get_by_label("First year to use (optional)").fill("2007")
    page.get_by_label("Last year to use (optional)").fill("2017")
    page.get_by_label("Leave out LSOAs where organisers have worked").uncheck()
    page.get_by_role("button", name="Compare").click()

    expect(page.get_by_role("heading", name="What this can and cannot show")).to_be_visible()
    expect(page.get_by_text("consistent with no difference at all")).to_be_visible()
    expect(
        page.get_by_role(
            "img",
            name="Chart: Rubbish reports to FixMyStreet (including fly-tipping) per LSOA each year",
        )
    ).to_be_visible()
    assert axe_violations(page) == []
