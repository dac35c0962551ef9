"""The printed report: made without a network, tagged, with headings, charts and the map."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from pypdf import PdfReader

from commonground.impact import services
from commonground.impact.pdf import offline_fetcher, render_report_pdf
from commonground.impact.reporting import build_snapshot
from commonground.impact.scopes import Scope

from .factories import build_world, conversation, indicator, report

pytestmark = pytest.mark.django_db


def outline_titles(outline: list[Any]) -> list[str]:
    titles: list[str] = []
    for item in outline:
        if isinstance(item, list):
            titles += outline_titles(item)
        else:
            titles.append(str(item.title))
    return titles


def figures(node: Any) -> list[str]:
    """Text alternatives of every figure in the PDF's structure tree."""
    node = node.get_object()
    found = []
    if node.get("/S") == "/Figure":
        found.append(str(node.get("/Alt", "")))
    kids = node.get("/K")
    if kids is None:
        return found
    for kid in kids if isinstance(kids, list) else [kids]:
        try:
            found += figures(kid)
        except AttributeError:
            continue
    return found


@pytest.fixture
def published(db: Any) -> Any:
    world = build_world("own")
    for day in range(1, 21):
        conversation(world, day=date(2026, 6, day), ladder="attended" if day % 3 else "listened")
    made = report(world)
    for section in made.sections.all():
        services.report_section_save(
            actor=None,
            report=made,
            section=section,
            heading=section.heading,
            body=f"What we learned about {section.heading.lower()}.\n\nA second paragraph.",
        )
    services.target_set(
        actor=None,
        indicator=indicator("residents_listened_to"),
        scope=Scope.of(world["programme"]),
        organisation=world["host"],
        period_start=made.period_start,
        period_end=made.period_end,
        value=100,
    )
    return services.report_publish(actor=None, report=made, make_pdf_now=True)


def test_the_published_pdf_has_its_pages_headings_and_charts(published: Any) -> None:
    reader = PdfReader(io.BytesIO(bytes(published.pdf)))

    assert len(reader.pages) == published.pdf_pages
    assert 6 <= len(reader.pages) <= 16
    assert reader.metadata.title == published.snapshot["title"]
    headings = outline_titles(reader.outline)
    for expected in (
        published.snapshot["title"],
        "Summary",
        "Indicators against targets",
        "What residents said",
        "What changed",
        "Money in and out",
        "Case studies",
        "Equality reach: who was listened to",
        "Lessons learned",
        "About these figures",
    ):
        assert expected in headings, expected
    assert headings.index("Summary") < headings.index("Indicators against targets")
    alternatives = figures(reader.trailer["/Root"]["/StructTreeRoot"])
    assert "Chart: indicators against their targets" in alternatives
    assert "Chart: who was listened to, by how deprived their area is" in alternatives
    assert "Map: residents listened to in each LSOA" in alternatives
    text = "".join(page.extract_text() for page in reader.pages)
    assert "20% (20 of 100)" in text, "the chart's own labels are in the PDF"
    assert "What we learned about lessons learned." in text


def test_the_cover_names_the_version_and_the_footer_counts_pages(published: Any) -> None:
    reader = PdfReader(io.BytesIO(bytes(published.pdf)))
    cover = reader.pages[0].extract_text()
    assert "Version 1, published" in cover
    last = reader.pages[-1].extract_text()
    assert f"Page {len(reader.pages)} of {len(reader.pages)}" in last


def test_pdfs_are_made_without_the_network(published: Any) -> None:
    fetcher = offline_fetcher()
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher.fetch("https://example.com/style.css")
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher.fetch("file:///etc/passwd")
    snapshot = dict(published.snapshot)
    snapshot["sections"] = [
        {"kind": "summary", "heading": "Summary", "body": '<img src="https://example.com/x.png">'}
    ]
    made = render_report_pdf(snapshot)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(made.content)).pages)
    assert '<img src="https://example.com/x.png">' in text, "narrative is text, never markup"


def test_a_draft_renders_the_same_way(db: Any) -> None:
    world = build_world("own")
    made = render_report_pdf(build_snapshot(report(world)))
    assert made.content.startswith(b"%PDF") and made.pages >= 5
