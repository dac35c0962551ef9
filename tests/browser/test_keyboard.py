"""Each role's main journey done with a keyboard alone: Tab, Shift+Tab, Enter, Space and arrows.

No step clicks, fills or checks through the mouse or the DOM: fields are reached by tabbing and
typed into with the keyboard, radios are moved with the arrow keys, selects with the arrows, and
links and buttons are used with Enter or Space. At every stop the focused element must show a focus
indicator, and after every action that stays on the page the focus must stay on something, not fall
back to the page itself.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from commonground.programme.demo import DEMO_PASSWORD

from .helpers import current_code

pytestmark = pytest.mark.browser

ORGANISER = "organiser@demo.commonground.test"
HOST_MANAGER = "host.manager@demo.commonground.test"
OFFICER = "council.officer@demo.commonground.test"
ASSESSOR = "forum.member@demo.commonground.test"
MAX_TABS = 250

# Whether the focused element shows that it has focus. GOV.UK Frontend draws focus with a yellow
# background, a box shadow or an outline (a transparent outline only serves Windows high-contrast
# mode, so it does not count); its radios and checkboxes hide the real input and draw the ring on
# the label's ::before box.
FOCUS_STATE = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) {
    return {lost: true, visible: false, what: "the page itself"};
  }
  const transparent = c => c === "transparent" || /rgba\\(.*,\\s*0\\)$/.test(c);
  const shows = s => (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0
      && !transparent(s.outlineColor))
    || (s.boxShadow && s.boxShadow !== "none")
    || s.backgroundColor === "rgb(255, 221, 0)";
  let drawn = el;
  let style = getComputedStyle(el);
  if (el.matches(".govuk-radios__input, .govuk-checkboxes__input") && el.labels.length) {
    drawn = el.labels[0];
    style = getComputedStyle(drawn, "::before");
  }
  const box = drawn.getBoundingClientRect();
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  const name = (el.getAttribute("aria-label") || label || el.innerText || el.name || el.id || "")
    .trim().slice(0, 60);
  return {
    lost: false,
    visible: shows(style) && box.width > 0 && box.height > 0,
    what: `${el.tagName.toLowerCase()} "${name}"`,
    skipTarget: el.id === "main-content",
  };
}
"""


def focus_state(page: Any) -> dict[str, Any]:
    return page.evaluate(FOCUS_STATE)


def assert_focus_visible(page: Any) -> None:
    state = focus_state(page)
    assert not state["lost"], f"focus was lost to the page on {page.url}"
    assert state["visible"] or state["skipTarget"], (
        f"{state['what']} has focus but shows no focus indicator on {page.url}"
    )


def is_focused(locator: Any) -> bool:
    return bool(locator.evaluate_all("els => els.includes(document.activeElement)"))


def tab_to(page: Any, target: Any, *, backwards: bool = False) -> None:
    """Tab (or Shift+Tab) until one of `target`'s elements has focus, checking every stop on the
    way shows its focus; fails if it never arrives, which is also how a keyboard trap shows."""
    key = "Shift+Tab" if backwards else "Tab"
    wraps = 0
    for _press in range(MAX_TABS):
        page.keyboard.press(key)
        if focus_state(page)["lost"]:
            wraps += 1  # past the last control the focus visits the browser's own, then wraps
            if wraps > 1:
                break
            continue
        assert_focus_visible(page)
        if is_focused(target):
            return
    raise AssertionError(f"{MAX_TABS} presses of {key} never reached {target} on {page.url}")


def skip_to_main(page: Any) -> None:
    """The first Tab on a fresh page must reach the skip link, and Enter on it moves into main
    without adding `#main-content` to the address (a form posted afterwards would carry it to the
    next page, where the browser's jump to it drops the focus the error summary had taken)."""
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert is_focused(skip), f"the first Tab on {page.url} did not reach the skip link"
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    assert is_focused(page.locator("#main-content")), f"the skip link on {page.url} went nowhere"
    assert "#" not in page.url, page.url


def press_and_follow(page: Any, key: str = "Enter") -> None:
    """Presses a key that should open another page, and waits for it."""
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state("load")


def press_in_place(page: Any, key: str) -> None:
    """Presses a key that changes the page without leaving it: focus must stay on something."""
    page.keyboard.press(key)
    assert_focus_visible(page)


def type_into(page: Any, field: Any, text: str) -> None:
    tab_to(page, field)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def choose_option(page: Any, select: Any, label: str) -> None:
    """Moves a focused-by-Tab select to an option with the arrow keys, as a keyboard user would."""
    tab_to(page, select)
    labels: list[str] = select.evaluate("s => [...s.options].map(o => o.text.trim())")
    target = labels.index(label)
    current: int = select.evaluate("s => s.selectedIndex")
    step = "ArrowDown" if target > current else "ArrowUp"
    for _press in range(abs(target - current)):
        page.keyboard.press(step)
    assert select.evaluate("s => s.options[s.selectedIndex].text.trim()") == label
    assert_focus_visible(page)


def choose_radio(page: Any, group: Any, label: str) -> None:
    """Tabs into a radio group and moves to `label` with the arrow keys, then Space to be sure."""
    tab_to(page, group)
    for _press in range(20):
        if page.evaluate("document.activeElement.labels[0].innerText.trim()") == label:
            break
        press_in_place(page, "ArrowDown")
    else:
        raise AssertionError(f"no radio labelled {label!r}")
    press_in_place(page, "Space")


def sign_in_by_keyboard(page: Any, email: str) -> None:
    page.goto("/accounts/login/")
    skip_to_main(page)
    type_into(page, page.get_by_label("E-mail address"), email)
    type_into(page, page.get_by_label("Password"), DEMO_PASSWORD)
    tab_to(page, page.get_by_role("button", name="Sign in"))
    press_and_follow(page)
    if "/two-factor/" in page.url:
        skip_to_main(page)
        type_into(page, page.get_by_label("Code from your authenticator app"), current_code(email))
        press_and_follow(page)
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


def follow_link(page: Any, name: str, *, within: Any = None, exact: bool = True) -> None:
    scope = within if within is not None else page
    tab_to(page, scope.get_by_role("link", name=name, exact=exact).first)
    press_and_follow(page)


def test_tab_order_reaches_the_footer_without_a_trap(page: Any) -> None:
    """From the top of a page Tab must pass the menu and the content and reach the footer, and
    Shift+Tab must come back: a widget that holds the focus (a map, a chart) would stop it."""
    for path in ("/", "/public/neighbourhoods/whiteway/", "/places/wards/E05012488/"):
        page.goto(path)
        footer_link = page.get_by_role("link", name="API")
        tab_to(page, footer_link)
        tab_to(page, page.get_by_role("link", name="Skip to main content"), backwards=True)


def test_organiser_records_a_conversation(page: Any) -> None:
    sign_in_by_keyboard(page, ORGANISER)
    skip_to_main(page)
    follow_link(page, "Record a conversation")
    expect(page.get_by_role("heading", name="Record a conversation", level=1)).to_be_visible()
    skip_to_main(page)

    # Sending it empty puts the focus on the list of problems, not nowhere.
    tab_to(page, page.get_by_role("button", name="Save conversation"))
    press_in_place(page, "Enter")
    expect(page.locator("#client-errors")).to_contain_text("There is a problem")
    assert is_focused(page.locator("#client-errors .govuk-error-summary"))

    marker = f"keyboard-{uuid.uuid4().hex[:10]}"
    type_into(page, page.get_by_label("Postcode", exact=True), "BA3 3EP")
    type_into(page, page.get_by_label("What concerns them most?"), f"Buses stop at six {marker}")
    choose_radio(
        page, page.locator('input[name="consent_tier"]'), "Identified, for follow-up by this host"
    )
    type_into(page, page.get_by_label("Name", exact=True), "Ffion Marchbank")
    type_into(page, page.get_by_label("Phone number"), "07700 900 123")
    tab_to(page, page.get_by_label("The resident agreed to the wording above"))
    press_in_place(page, "Space")
    expect(page.get_by_label("The resident agreed to the wording above")).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Save conversation"))
    press_in_place(page, "Enter")
    expect(page.locator("#capture-status")).to_contain_text("Saved and sent")
    assert_focus_visible(page)

    page.goto(f"/listening/?q={marker}")
    expect(page.locator("#conversation-table tbody tr")).to_have_count(1)


def test_host_manager_reviews_a_theme(page: Any) -> None:
    sign_in_by_keyboard(page, HOST_MANAGER)
    page.goto("/insight/review/")
    expect(page.get_by_role("heading", name="Review themes", level=1)).to_be_visible()
    first = page.url
    skip_to_main(page)
    add = page.locator("main button").filter(has_text="Add").first
    theme = add.inner_text().split("\n")[-1].strip()
    tab_to(page, add)
    press_and_follow(page)
    expect(page.get_by_text(f"{theme} added.")).to_be_visible()
    # After the page reloads the focus is put back on the next decision, not left on the page.
    assert_focus_visible(page)
    tab_to(page, page.get_by_role("button", name="Accept the rest and go to the next"))
    press_and_follow(page)
    expect(page.get_by_text("Themes saved. They will teach the tagger.")).to_be_visible()
    assert page.url.split("#")[0] != first.split("#")[0]


def test_a_matter_is_raised_and_routed_by_keyboard(browser: Any, live_site: str) -> None:
    """A host manager raises a matter from residents' conversations (a council officer holds no
    conversations to raise one from), and the council officer sends it to another service."""
    raiser = browser.new_context(base_url=live_site)
    page = raiser.new_page()
    sign_in_by_keyboard(page, HOST_MANAGER)
    skip_to_main(page)
    follow_link(page, "Raise a matter")
    expect(page.get_by_role("heading", name="Raise a matter", level=1)).to_be_visible()
    skip_to_main(page)
    send = page.get_by_role("button", name="Raise and send")
    tab_to(page, send)
    press_and_follow(page)
    # GOV.UK Frontend puts the focus on the list of problems; its links lead to the fields.
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert is_focused(page.locator(".govuk-error-summary"))

    title = f"Graffiti on the underpass wall {uuid.uuid4().hex[:6]}"
    type_into(page, page.get_by_label("Title"), title)
    type_into(page, page.get_by_label("Description"), "Painted again overnight by the shops.")
    choose_option(page, page.get_by_label("Category"), "Graffiti")
    tab_to(page, page.locator("input[name=conversations]").first)
    press_in_place(page, "Space")
    choose_option(page, page.get_by_label("Neighbourhood"), "Whiteway")
    tab_to(page, page.get_by_role("button", name=re.compile("Raise and send|as a new matter")))
    press_and_follow(page)
    if page.get_by_role("button", name="Raise it as a new matter anyway").count():
        skip_to_main(page)
        tab_to(page, page.get_by_role("button", name="Raise it as a new matter anyway"))
        press_and_follow(page)
    expect(page.get_by_role("heading", name=re.compile(re.escape(title)))).to_be_visible()
    raiser.close()

    router = browser.new_context(base_url=live_site)
    page = router.new_page()
    sign_in_by_keyboard(page, OFFICER)
    follow_link(page, "Your queue")
    follow_link(page, "Matters", within=page.get_by_role("navigation", name="Action"))
    expect(page.get_by_role("heading", name="Matters", level=1)).to_be_visible()
    skip_to_main(page)
    follow_link(page, title)
    skip_to_main(page)
    follow_link(page, "Send it somewhere else")
    skip_to_main(page)
    choose_option(page, page.get_by_label("Send to"), "Avon and Somerset Police")
    type_into(page, page.get_by_label("Team"), "Somer Valley Neighbourhood Team")
    type_into(page, page.get_by_label("Why"), "The underpass belongs to the police station.")
    tab_to(page, page.get_by_role("button", name="Send"))
    press_and_follow(page)
    expect(page.get_by_text("The matter was sent on.")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Somer Valley Neighbourhood Team")
    router.close()


def test_resident_finds_their_neighbourhood_and_area(page: Any) -> None:
    page.goto("/")
    skip_to_main(page)
    follow_link(page, "What residents said and what was done")
    expect(page.get_by_role("heading", name="You said, we did", level=1)).to_be_visible()
    skip_to_main(page)
    follow_link(page, "Whiteway")
    expect(page.get_by_role("heading", name="Whiteway", level=1)).to_be_visible()
    tab_to(page, page.get_by_role("link", name="Places"), backwards=True)
    press_and_follow(page)
    skip_to_main(page)
    search = page.get_by_role("searchbox").or_(page.get_by_label(re.compile("Search|Find")))
    type_into(page, search.first, "E01014370")
    press_and_follow(page)
    follow_link(page, "Bath and North East Somerset 007A")
    expect(page.get_by_role("heading", name=re.compile("007A"), level=1)).to_be_visible()


def test_assessor_scores_an_application(page: Any) -> None:
    sign_in_by_keyboard(page, ASSESSOR)
    skip_to_main(page)
    panel = page.get_by_role("region", name="Applications to score")
    # Not the application the pointer journey in test_funding scores.
    application = panel.get_by_role("link").filter(has_not_text="Whiteway summer street party")
    tab_to(page, application.first)
    press_and_follow(page)
    if page.get_by_role("heading", name="Declare your interests", level=1).count():
        skip_to_main(page)
        choose_radio(page, page.get_by_role("radio"), "No")
        tab_to(page, page.get_by_role("button", name="Continue"))
        press_and_follow(page)

    expect(page.get_by_role("heading", name=re.compile("Score"), level=1)).to_be_visible()
    skip_to_main(page)
    scores = page.locator("main form select")
    for index in range(scores.count()):
        score = scores.nth(index)
        tab_to(page, score)
        for _press in range(4):
            page.keyboard.press("ArrowDown")
        assert score.evaluate("s => s.value") != ""
    expect(page.locator("#score-total")).to_contain_text("Weighted total")
    tab_to(page, page.get_by_role("button", name="Submit scores"))
    press_and_follow(page)
    expect(page.get_by_text("Your scores were submitted. Thank you.")).to_be_visible()
