"""Theme review by keyboard, and area evidence with its charts, tables and filters, in Chromium."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from .helpers import axe_violations, sign_in

pytestmark = pytest.mark.browser


def _waiting(page: Any) -> int:
    caption = page.locator(".govuk-caption-l").first.inner_text()
    return int(re.search(r"(\d+) conversations? waiting", caption).group(1))


def test_review_queue_by_keyboard(page: Any) -> None:
    sign_in(page, "organiser@demo.commonground.test")
    page.goto("/insight/review/")
    expect(page.get_by_role("heading", name="Review themes", level=1)).to_be_visible()
    assert axe_violations(page) == []
    waiting = _waiting(page)
    assert waiting > 0
    # The queue starts with the notes no theme fitted; skip (key s) to one with a theme to accept.
    for _ in range(150):
        if page.locator('[data-shortcut="1"]').count():
            break
        before_skip = page.url
        page.keyboard.press("s")
        page.wait_for_url(lambda url, before=before_skip: url != before)
    first_url = page.url

    first_theme = page.locator(".insight-tag-row").first.locator(".govuk-\\!-font-weight-bold")
    theme_name = re.sub(r"^\d+\s*", "", first_theme.inner_text()).strip()
    page.keyboard.press("1")
    expect(page.get_by_text(f"{theme_name} confirmed.")).to_be_visible()
    expect(page.locator(".insight-tag-row").first).to_contain_text("Confirmed by")
    # After the reload the keyboard is on the next decision, not at the top of the page.
    page.wait_for_load_state("load")
    assert page.evaluate("document.activeElement.dataset.shortcut") is not None

    page.keyboard.press("q")
    expect(page.get_by_text(re.compile(r" added\.$"))).to_be_visible()

    page.keyboard.press("a")
    expect(page.get_by_text("Themes saved. They will teach the tagger.")).to_be_visible()
    assert page.url.split("#")[0] != first_url.split("#")[0]
    assert _waiting(page) == waiting - 1
    assert axe_violations(page) == []

    # Typing in a field never triggers a shortcut.
    page.get_by_label("Or choose any theme").focus()
    before = page.url
    page.keyboard.press("a")
    assert page.url == before


def test_area_evidence_page(page: Any) -> None:
    sign_in(page, "council.officer@demo.commonground.test")
    page.goto("/insight/areas/")
    page.get_by_role("main").get_by_role("link", name="Whiteway").first.click()
    expect(page.get_by_role("heading", name="Whiteway", level=1)).to_be_visible()
    themes = page.locator("#themes-table tbody tr")
    expect(themes.first).to_be_visible()
    assert themes.count() >= 5
    for chart in ("themes", "authority", "ladder", "imd"):
        expect(page.locator(f'[data-insight-chart="{chart}"] svg')).to_have_count(1)
    expect(page.locator("#ladder-table tbody tr")).to_have_count(5)
    expect(page.locator("#imd-table tbody tr")).to_have_count(7)
    expect(page.locator("#who-ladder")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_text("Filter by period, theme or organiser").click()
    page.get_by_label("Period", exact=True).select_option("24")
    page.get_by_label("Theme", exact=True).select_option(label="Money, work and homes: Housing")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("Showing only:")).to_be_visible()
    expect(page.locator("#themes-table tbody tr")).to_have_count(1)
    expect(page.locator("#themes-table tbody tr").first).to_contain_text("Housing")
    assert axe_violations(page) == []

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    assert axe_violations(page) == []


def test_what_we_heard_without_signing_in(page: Any) -> None:
    page.goto("/insight/neighbourhoods/whiteway/what-we-heard/")
    expect(page.get_by_role("heading", name="What we heard in Whiteway", level=1)).to_be_visible()
    expect(page.locator("#what-we-heard-themes tbody tr").first).to_be_visible()
    assert axe_violations(page) == []
    with page.expect_response(re.compile(r"what-we-heard\.pdf$")) as pdf:
        page.evaluate(
            "url => fetch(url).then(r => r.status)",
            "/insight/neighbourhoods/whiteway/what-we-heard.pdf",
        )
    response = pdf.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
