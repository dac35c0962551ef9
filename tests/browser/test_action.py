"""The action app's main journeys in a real Chromium, each page checked with axe-core."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from .helpers import axe_violations, sign_in

pytestmark = pytest.mark.browser

PARTNER = "partner.officer@demo.commonground.test"
HOST_MANAGER = "host.manager@demo.commonground.test"
OFFICER = "council.officer@demo.commonground.test"
ORGANISER = "organiser@demo.commonground.test"
FORUM_MEMBER = "forum.member@demo.commonground.test"


def no_sideways_scroll(page: Any, width: int = 390) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page scrolls sideways on a phone ({scroll}px)"


def test_partner_acknowledges_updates_and_closes_a_matter(page: Any) -> None:
    sign_in(page, PARTNER)
    expect(
        page.get_by_role("heading", name="Matters for your organisation", level=2)
    ).to_be_visible()
    page.get_by_role("link", name="Your queue").click()
    expect(page.get_by_role("heading", name="Your queue", level=1)).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Motorbikes ridden across the green at night").click()
    expect(page.get_by_text("Sent, not yet acknowledged")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("button", name="Acknowledge").click()
    expect(
        page.get_by_text("Acknowledged. Everyone who should know has been told.")
    ).to_be_visible()

    page.get_by_role("link", name="Update status").click()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Save and tell people").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("In progress").check()
    page.get_by_label("Public note").fill(
        "Officers will patrol the green on Friday and Saturday nights."
    )
    page.get_by_role("button", name="Save and tell people").click()
    expect(page.get_by_text("Officers will patrol the green").first).to_be_visible()

    page.get_by_role("link", name="Close", exact=True).click()
    page.get_by_label("Resolved").check()
    page.get_by_label("What was done").fill(
        "Patrols stopped the riding; the gate to the green is now locked."
    )
    page.get_by_role("button", name="Close and tell people").click()
    expect(page.locator("main .govuk-tag").filter(has_text="Resolved").first).to_be_visible()
    assert axe_violations(page) == []


def test_raising_a_matter_offers_the_one_already_raised(page: Any) -> None:
    sign_in(page, HOST_MANAGER)
    page.goto("/action/matters/new/")
    expect(page.get_by_role("heading", name="Raise a matter", level=1)).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Title").fill("More rubbish at the garage block")
    page.get_by_label("Description").fill("Bags and a broken chair left by the garages again.")
    page.get_by_label("Category").select_option(label="Fly-tipping")
    page.locator("input[name=conversations]").first.check()
    page.get_by_label("Neighbourhood").select_option(label="Whiteway")
    page.get_by_role("button", name="Raise and send").click()
    expect(page.get_by_text("This may already have been raised")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Add my conversations to this matter").first.click()
    expect(page.get_by_text("The conversations were added to this matter.")).to_be_visible()
    expect(page.get_by_role("heading", name="What happened")).to_be_visible()
    assert axe_violations(page) == []


def test_where_would_this_go_and_routing_rules(page: Any) -> None:
    sign_in(page, OFFICER)
    page.goto("/action/routing/")
    expect(page.get_by_role("heading", name="Where matters go", level=1)).to_be_visible()
    expect(
        page.get_by_role("table").filter(has_text="Rules").locator("tbody tr")
    ).not_to_have_count(0)
    assert axe_violations(page) == []
    page.get_by_role("link", name="Where would this go?").click()
    page.get_by_label("Category").select_option(label="Safety and anti-social behaviour")
    page.get_by_label("Neighbourhood").select_option(label="Radstock")
    page.get_by_role("button", name="Show where it would go").click()
    expect(page.locator("#route-result")).to_contain_text("Somer Valley Neighbourhood Team")
    expect(page.get_by_role("heading", name="Every rule that matched, best first")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Category").select_option(label="Graffiti")
    page.get_by_role("button", name="Show where it would go").click()
    expect(page.locator("#route-result")).to_contain_text("Community Engagement")
    expect(page.locator("#route-result")).to_contain_text("default owner")


def test_forum_meeting_with_a_draft_agenda_and_calendar(page: Any) -> None:
    sign_in(page, FORUM_MEMBER)
    page.goto("/action/forums/")
    expect(page.get_by_role("link", name="Keynsham Area Cluster")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Somer Valley Cluster").click()
    expect(page.get_by_role("heading", name="Actions carried forward")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("heading", name="Next meetings").locator(
        "xpath=following-sibling::ul[1]"
    ).get_by_role("link").first.click()
    agenda = page.locator("#agenda")
    expect(agenda).to_contain_text("Actions carried forward")
    expect(agenda).to_contain_text("Open and overdue matters")
    expect(agenda).to_contain_text("Projects needing help")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Publish the agenda").click()
    expect(page.get_by_text("The agenda was published.")).to_be_visible()
    calendar = page.request.get("/action/forums/somer-valley-cluster/meetings.ics")
    assert calendar.ok and calendar.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in calendar.text()


def test_action_plan_and_its_six_monthly_report(page: Any) -> None:
    sign_in(page, OFFICER)
    page.goto("/action/plans/")
    page.get_by_role("link", name="Somer Valley Cluster action plan").click()
    expect(page.get_by_role("table").filter(has_text="Items").locator("tbody tr")).to_have_count(5)
    assert axe_violations(page) == []
    page.get_by_role("heading", name="Six-monthly progress reports").locator(
        "xpath=following-sibling::ul[1]"
    ).get_by_role("link").last.click()
    expect(page.get_by_role("heading", name="Item by item")).to_be_visible()
    assert axe_violations(page) == []


def test_network_as_a_list_and_a_drawing(page: Any, browser: Any, live_site: str) -> None:
    sign_in(page, ORGANISER)
    page.goto("/action/network/")
    page.get_by_role("link", name="Whiteway").click()
    expect(page.get_by_role("heading", name="Whiteway", level=1)).to_be_visible()
    expect(page.locator("#network-list .govuk-summary-list__row")).not_to_have_count(0)
    expect(page.locator("#network-graph svg circle")).not_to_have_count(0)
    expect(page.locator("#growth-table tbody tr")).to_have_count(12)
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    no_sideways_scroll(page)


def test_project_volunteer_time_and_toolkit_link(page: Any) -> None:
    sign_in(page, HOST_MANAGER)
    page.goto("/action/projects/")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Proud of Your Doorstep: Whiteway clean-ups").click()
    expect(page.get_by_text("Self-sustaining", exact=True)).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Record volunteer time").click()
    page.get_by_label("Date").fill("2026-11-01")
    page.get_by_label("Volunteers").fill("7")
    page.get_by_label("Total volunteer hours").fill("14")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The volunteer time was recorded.")).to_be_visible()
    page.get_by_role(
        "link", name="Proud of Your Doorstep: how Whiteway organised its clean-ups"
    ).click()
    expect(page.get_by_role("heading", name="Projects that used it")).to_be_visible()
    assert axe_violations(page) == []


def test_groups_and_people_with_consent(page: Any) -> None:
    sign_in(page, ORGANISER)
    page.goto("/action/groups/")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Whiteway Residents' Association").click()
    expect(page.get_by_role("heading", name="People", level=2)).to_be_visible()
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    no_sideways_scroll(page)


def test_ideas_pipeline_savings_and_moving_an_idea_on(page: Any) -> None:
    sign_in(page, OFFICER)
    page.goto("/action/ideas/pipeline/")
    expect(page.get_by_role("heading", name="Ideas pipeline", level=1)).to_be_visible()
    assert axe_violations(page) == []
    page.goto("/action/ideas/savings/")
    expect(page.locator("#by-neighbourhood tbody tr")).not_to_have_count(0)
    expect(page.locator("#by-organiser tbody tr")).not_to_have_count(0)
    assert axe_violations(page) == []
    page.goto("/action/ideas/?status=idea")
    page.get_by_role("link", name="Share the cost of a later bus with the parishes").click()
    expect(page.get_by_text("Response overdue")).to_be_visible()
    page.get_by_role("link", name="Move it on").click()
    page.get_by_label("Assessed").check()
    page.get_by_label("What happened").fill("Costed with the operator.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#timeline")).to_contain_text("Costed with the operator.")
    assert axe_violations(page) == []


def test_toolkit_search_without_signing_in_or_javascript(browser: Any, live_site: str) -> None:
    context = browser.new_context(base_url=live_site, java_script_enabled=False)
    page = context.new_page()
    page.goto("/action/toolkit/")
    page.get_by_label("Search").fill("bus")
    page.get_by_role("button", name="Search").click()
    expect(
        page.locator("#toolkit-results").get_by_role("link", name="Getting a bus route back")
    ).to_be_visible()
    page.get_by_role("link", name="Getting a bus route back").click()
    expect(page.get_by_role("heading", name="Getting a bus route back", level=1)).to_be_visible()
    context.close()
    checked = browser.new_context(base_url=live_site)
    page = checked.new_page()
    page.goto("/action/toolkit/?q=youth")
    assert axe_violations(page) == []
    checked.close()


OFFICER_PAGES = [
    ("/action/", "From what residents said to what changed"),
    ("/action/matters/", "Matters"),
    ("/action/routing/rules/new/", "Add a routing rule"),
    ("/action/routing/default/", "Name the default owner"),
    ("/action/routing/categories/new/", "Add a category of matter"),
    ("/action/forums/new/", "Add a forum or cluster"),
    ("/action/forums/somer-valley-cluster/members/new/", "Add a member"),
    ("/action/forums/somer-valley-cluster/meetings/new/", "Plan a meeting"),
    ("/action/plans/new/", "Start an action plan"),
    ("/action/ideas/", "Ideas and business cases"),
    ("/action/ideas/new/", "Bring an idea"),
]
HOST_PAGES = [
    ("/action/groups/new/", "Add a group"),
    ("/action/groups/whiteway-residents-association/people/new/", "Add someone to the group"),
    ("/action/groups/whiteway-residents-association/activities/new/", "Add an activity or service"),
    ("/action/network/links/new/", "Record a link"),
    ("/action/projects/new/", "Start a project"),
    ("/action/projects/foxhill-pocket-park/photos/new/", "Add a photo"),
    ("/action/projects/foxhill-pocket-park/milestones/new/", "Add a milestone"),
    ("/action/toolkit/new/", "Write a toolkit entry"),
]


@pytest.mark.parametrize(
    ("email", "pages"),
    [(OFFICER, OFFICER_PAGES), (HOST_MANAGER, HOST_PAGES)],
    ids=["officer", "host-manager"],
)
def test_every_other_page_opens_and_passes_axe(
    page: Any, email: str, pages: list[tuple[str, str]]
) -> None:
    sign_in(page, email)
    for path, heading in pages:
        page.goto(path)
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        assert axe_violations(page) == [], path
