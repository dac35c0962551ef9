"""Work too slow for a request: making a published report's PDF."""

from __future__ import annotations

from django_tasks import task

from .models import ReportVersion


@task()
def make_report_pdf(version_id: int) -> str:
    """Render the PDF of a published version; a version that already has one is left alone."""
    from .services import report_version_make_pdf

    version = ReportVersion.objects.filter(pk=version_id, pdf__isnull=True).first()
    if version is None:
        return "skipped"
    report_version_make_pdf(version=version)
    return f"{version.pdf_pages} pages"
