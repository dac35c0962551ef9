from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from commonground.impact import demo
from commonground.impact.models import Comparison, Measurement, Report, Target
from commonground.programme.demo import demo_load as programme_demo_load

pytestmark = pytest.mark.django_db


def test_the_demo_has_targets_a_published_and_a_draft_report_and_reruns_cleanly(db: Any) -> None:
    if not (settings.DATA_DIR / demo.FIXMYSTREET_FILE).is_file():
        pytest.skip("the FixMyStreet counts are not in data/")
    programme_demo_load()

    first = demo.demo_load()
    assert "1 report published, 1 draft" in first

    published = Report.objects.get(title=demo.PUBLISHED_TITLE)
    version = published.versions.get()
    assert version.pdf is not None and bytes(version.pdf).startswith(b"%PDF")
    assert version.snapshot["scope"]["key"] == "programme:better-together"
    assert [c["title"] for c in version.snapshot["comparisons"]] == [demo.COMPARISON_TITLE]
    draft = Report.objects.get(title=demo.DRAFT_TITLE)
    assert draft.status == "draft" and not draft.versions.exists()
    assert Target.objects.filter(scope_key="programme:better-together").count() == 2 * len(
        demo.TARGETS
    )
    survey = Measurement.objects.get(indicator__code="lonely_often_or_always")
    assert "synthetic demo" in survey.evidence

    # The Whiteway comparison reproduces the worked example in the method notes.
    result = Comparison.objects.get(title=demo.COMPARISON_TITLE).result
    assert result["n_treated"] == 2 and result["n_comparison"] == 10
    assert round(result["estimate"], 2) == 0.12

    counts = (Measurement.objects.count(), Target.objects.count(), Report.objects.count())
    again = demo.demo_load()
    assert "0 FixMyStreet yearly figures, 0 targets, 0 survey figures" in again
    assert "0 report published, 0 draft" in again
    assert (Measurement.objects.count(), Target.objects.count(), Report.objects.count()) == counts
