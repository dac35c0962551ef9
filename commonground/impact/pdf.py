"""The printable impact report for the forum, made with WeasyPrint from a frozen snapshot.

Charts and the map are SVG drawn on the server and placed inline, the stylesheet is read from the
app's own folder and every URL other than ``data:`` is refused, so a PDF is made the same way on a
laptop with no network as on the server. The file is tagged (PDF/UA-1): headings become bookmarks
and charts become figures with their text alternative, so screen readers can follow it.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from .presentation import report_charts

STYLESHEET = Path(__file__).resolve().parent / "static" / "impact" / "report-print.css"


@dataclass(frozen=True)
class MadePdf:
    content: bytes
    pages: int
    sha256: str


def offline_fetcher() -> URLFetcher:
    """Fetch nothing but inline ``data:`` URLs: a report must never reach out to the network."""
    return URLFetcher(allowed_protocols={"data"}, timeout=1)


def render_report_pdf(
    snapshot: dict[str, Any], *, version: int | None = None, published_at: Any = None
) -> MadePdf:
    with translation.override("en-gb"):
        html = render_to_string(
            "impact/report_print.html",
            {
                "report": snapshot,
                "charts": report_charts(snapshot),
                "version": version,
                "published_at": published_at,
            },
        )
    document = HTML(string=html, url_fetcher=offline_fetcher()).render(
        stylesheets=[CSS(string=STYLESHEET.read_text(encoding="utf-8"))]
    )
    buffer = io.BytesIO()
    document.write_pdf(buffer, pdf_variant="pdf/ua-1")
    content = buffer.getvalue()
    return MadePdf(
        content=content, pages=len(document.pages), sha256=hashlib.sha256(content).hexdigest()
    )
