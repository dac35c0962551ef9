"""Residents' rights in a real Chromium: find a demo resident, see what is held, preview erasure."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from .helpers import axe_violations, sign_in

pytestmark = pytest.mark.browser

MANAGER = "host.manager@demo.commonground.test"


def test_host_manager_finds_a_resident_and_previews_erasure(page: Any) -> None:
    sign_in(page, MANAGER)
    page.goto("/listening/residents/")
    first = page.locator("table tbody tr").first.get_by_role("link")
    name = first.inner_text().strip()
    assert name

    page.goto("/privacy/manage/")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Residents' rights: subject access and erasure").click()
    page.get_by_label("Name, e-mail address, phone number or postcode").fill(name)
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("heading", name=re.compile(r"residents? found$"))).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name=name).first.click()

    expect(page.get_by_role("heading", name=f"What is held about {name}")).to_be_visible()
    expect(page.get_by_role("button", name="Download everything held (.zip)")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("link", name="Preview erasure").click()
    expect(page.get_by_role("heading", name=f"Erase {name}")).to_be_visible()
    expect(page.get_by_role("heading", name="Anonymised")).to_be_visible()
    expect(page.get_by_role("row", name="Conversations")).to_be_visible()
    assert axe_violations(page) == []
    if os.environ.get("SCREENSHOTS"):
        page.screenshot(path=f"{os.environ['SCREENSHOTS']}/erase-preview.png", full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=f"{os.environ['SCREENSHOTS']}/erase-preview-390.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 800})

    # Sending the confirmation without ticking the box changes nothing and says why.
    page.get_by_role("button", name="Erase now").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("cannot be undone")
    assert axe_violations(page) == []
    page.goto("/privacy/residents/?q=" + name.replace(" ", "+"))
    expect(page.get_by_role("link", name=name).first).to_be_visible()
