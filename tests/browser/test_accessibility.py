"""Every page a role can reach by following links passes axe-core's WCAG 2.2 AA rules.

The crawl starts from the home page, the dashboard and the menu, follows same-site links and renders
one instance of each URL pattern in Chromium. Link discovery is per role (each role reaches different
pages), but a pattern already checked for an earlier role is only read for its links, not checked
again, so the crawl stays quick; each role's dashboard is always checked because its panels differ.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve, reverse
from playwright.sync_api import expect

from .helpers import axe_violations, sign_in

pytestmark = pytest.mark.browser

ROLES = [
    "anonymous",
    "organiser@demo.commonground.test",
    "host.manager@demo.commonground.test",
    "council.officer@demo.commonground.test",
    "partner.officer@demo.commonground.test",
    "councillor@demo.commonground.test",
    "forum.member@demo.commonground.test",
    "admin@demo.commonground.test",
]
START_PATHS = ["/", "/dashboard/"]
SKIPPED_PREFIXES = ("/admin/", "/api/", "/static/", "/media/", "/open311/", "/accounts/logout/")
DOWNLOAD_SUFFIXES = re.compile(r"\.(pdf|csv|zip|ics|json|geojson|xml|xlsx|js|png|jpe?g|webp)$")
# Views that answer with a file or a machine-readable feed rather than a page.
DOWNLOAD_VIEWS = {
    "action:photo",
    "funding:attachment_download",
    "listening:import_template",
    "listening:service_worker",
}
DOWNLOAD_NAMESPACES = {"action": ("openreferral_",)}
# The page each app opens on: the crawl must reach every one of them.
MAIN_PAGES = {
    "listening": "listening:conversation_list",
    "insight": "insight:index",
    "action": "action:index",
    "funding": "funding:fund_list",
    "impact": "impact:index",
    "priorities": "priorities:planner",
    "privacy": "privacy:index",
    "places": "places:authority_list",
    "programme": "programme:programme_list",
    "public": "public:index",
}
PHONE = {"width": 390, "height": 844}


class _LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


@dataclass
class Crawl:
    """What the crawl reached and what axe found, shared across roles."""

    checked: dict[str, str] = field(default_factory=dict)  # URL pattern -> the URL checked
    reached: dict[str, set[str]] = field(default_factory=dict)  # role -> URL patterns
    failures: list[str] = field(default_factory=list)
    phone: bool = False


def url_pattern(path: str) -> str | None:
    """The route a path resolves to, e.g. `action/matters/<uuid:public_id>/`; None for a file,
    a feed or an address outside the site's pages."""
    if path.startswith(SKIPPED_PREFIXES) or DOWNLOAD_SUFFIXES.search(path):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.view_name in DOWNLOAD_VIEWS:
        return None
    if match.namespace in DOWNLOAD_NAMESPACES and match.url_name.startswith(
        DOWNLOAD_NAMESPACES[match.namespace]
    ):
        return None
    return match.route


def same_site_paths(base: str, page_url: str, hrefs: list[str]) -> list[str]:
    origin = urlsplit(base)
    paths = []
    for href in hrefs:
        target = urlsplit(urljoin(page_url, href))
        if (target.scheme, target.netloc) == (origin.scheme, origin.netloc):
            paths.append(target.path)
    return paths


def links_on(page: Any) -> list[str]:
    return page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")


def links_by_reading(page: Any, path: str) -> list[str]:
    """The links on a page fetched without rendering it, for a pattern another role has checked."""
    response = page.request.get(path)
    if not response.ok or "text/html" not in response.headers.get("content-type", ""):
        return []
    parser = _LinkParser()
    parser.feed(response.text())
    return parser.hrefs


def page_frame(page: Any) -> list[str]:
    """What every page shares: the skip link first in the Tab order, and the accessibility
    statement in the footer (a printable version is a bare document, with neither)."""
    if resolve(urlsplit(page.url).path).url_name.endswith("_print"):
        return []
    problems = []
    page.keyboard.press("Tab")
    if not page.evaluate("document.activeElement.classList.contains('govuk-skip-link')"):
        problems.append("the first Tab does not reach the skip link")
    if page.locator("footer a[href='/accessibility/']").count() != 1:
        problems.append("no link to the accessibility statement in the footer")
    return problems


def crawl_as(page: Any, base: str, role: str, crawl: Crawl) -> None:
    if role != "anonymous":
        sign_in(page, role)
    reached = crawl.reached.setdefault(role, set())
    queue = deque(START_PATHS if role != "anonymous" else START_PATHS[:1])
    visited_patterns: set[str] = set()
    while queue:
        path = queue.popleft()
        pattern = url_pattern(path)
        if pattern is None or pattern in visited_patterns:
            continue
        visited_patterns.add(pattern)
        must_check = pattern not in crawl.checked or pattern == "dashboard/"
        if must_check:
            response = page.goto(path)
            if response is None or not response.ok:
                continue  # a link to a page this role may not open is not this test's concern
            if "text/html" not in response.headers.get("content-type", ""):
                continue
            final_pattern = url_pattern(urlsplit(page.url).path)
            if final_pattern != pattern:
                # Redirected, e.g. to sign in or to the next item in a queue: check where it landed.
                if final_pattern is None or final_pattern in visited_patterns:
                    continue
                pattern = final_pattern
                visited_patterns.add(pattern)
            crawl.checked.setdefault(pattern, page.url)
            violations = axe_violations(page)
            if violations:
                crawl.failures.append(f"{role} {page.url} ({pattern}): {violations}")
            crawl.failures.extend(f"{role} {page.url}: {problem}" for problem in page_frame(page))
            if crawl.phone:
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > PHONE["width"]:
                    crawl.failures.append(f"{role} {page.url} scrolls sideways ({width}px)")
            hrefs = links_on(page)
            current = page.url
        else:
            hrefs = links_by_reading(page, path)
            current = base + path
        reached.add(pattern)
        queue.extend(same_site_paths(base, current, hrefs))


def test_every_reachable_page_passes_axe_for_every_role(browser: Any, live_site: str) -> None:
    crawl = Crawl()
    for role in ROLES:
        context = browser.new_context(base_url=live_site, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15000)
        try:
            crawl_as(page, live_site, role, crawl)
        finally:
            context.close()

    everything = set().union(*crawl.reached.values())
    summary = "\n".join(
        f"{role}: {len(patterns)} URL patterns" for role, patterns in crawl.reached.items()
    )
    print(f"\n{summary}\n{len(crawl.checked)} patterns checked with axe:")
    print("\n".join(sorted(crawl.checked)))
    assert not crawl.failures, "axe found violations:\n" + "\n".join(crawl.failures)
    main_pages = {app: resolve(reverse(name)).route for app, name in MAIN_PAGES.items()}
    missing = {app: route for app, route in main_pages.items() if route not in everything}
    assert not missing, f"the crawl never reached these apps' main pages: {missing}"
    for role in ROLES[1:]:
        assert "dashboard/" in crawl.reached[role], role


def test_public_pages_and_the_capture_form_on_a_phone(browser: Any, live_site: str) -> None:
    """Residents mostly arrive on a phone, and organisers record conversations on one."""
    crawl = Crawl(phone=True)
    context = browser.new_context(base_url=live_site, viewport=PHONE)
    page = context.new_page()
    crawl_as(page, live_site, "anonymous", crawl)
    context.close()
    assert {"", "public/", "public/neighbourhoods/<slug:slug>/", "accessibility/"} <= set(
        crawl.checked
    ), sorted(crawl.checked)

    context = browser.new_context(base_url=live_site, viewport=PHONE)
    page = context.new_page()
    sign_in(page, "organiser@demo.commonground.test")
    page.goto("/listening/capture/")
    expect(page.get_by_role("heading", name="Record a conversation", level=1)).to_be_visible()
    violations = axe_violations(page)
    if violations:
        crawl.failures.append(f"organiser /listening/capture/: {violations}")
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        crawl.failures.append(f"organiser /listening/capture/ scrolls sideways ({width}px)")
    context.close()
    print("\nChecked on a 390 px screen:", ", ".join(sorted(crawl.checked)))
    assert not crawl.failures, "on a phone:\n" + "\n".join(crawl.failures)


def test_accessibility_statement_is_dated_and_says_how_it_is_tested(page: Any) -> None:
    page.goto("/accessibility/")
    expect(page.get_by_role("heading", name="Accessibility statement", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="How we test", level=2)).to_be_visible()
    expect(page.locator("main")).to_contain_text("WCAG 2.0, 2.1 and 2.2 at levels A and AA")
    prepared = re.search(
        r"prepared on (\d{1,2} \w+ \d{4})", page.locator("#statement-date").inner_text()
    )
    assert prepared, "the statement does not say when it was prepared"
    when = datetime.strptime(prepared.group(1), "%d %B %Y").replace(tzinfo=UTC)
    assert when <= datetime.now(tz=UTC), "the statement is dated in the future"
    assert axe_violations(page) == []
