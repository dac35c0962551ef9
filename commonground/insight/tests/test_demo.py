from __future__ import annotations

import pytest

from commonground.insight import demo
from commonground.insight.models import ConversationInsight, ConversationTag, Quote, TaggerModel
from commonground.listening.models import Conversation

pytestmark = pytest.mark.django_db


def test_demo_tolerates_no_conversations() -> None:
    summary = demo.demo_load()
    assert "0 conversations recorded" in summary
    assert TaggerModel.objects.filter(status="active").count() == 1


def test_demo_conversations_arrive_tagged_with_some_to_review(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from commonground.programme.demo import demo_load as programme_demo

    monkeypatch.setattr(demo, "FALLBACK_CONVERSATIONS", 90)
    programme_demo()
    demo.demo_load()
    conversations = Conversation.objects.count()
    assert conversations > 60
    read = ConversationInsight.objects.filter(tagger__isnull=False, tagged_version=1).count()
    assert read == conversations, "every demo conversation has been through the tagger"
    untagged = Conversation.objects.filter(theme_tags__isnull=True)
    assert not untagged.filter(insight__needs_review=False).exists(), "no theme fitted: reviewed"
    assert untagged.count() < conversations / 10
    waiting = ConversationInsight.objects.filter(needs_review=True).count()
    assert 0 < waiting < conversations
    assert ConversationTag.objects.exclude(model_version="").exists()
    assert Quote.objects.filter(status="approved").exists()
    before = (ConversationTag.objects.count(), TaggerModel.objects.count(), Quote.objects.count())
    demo.demo_load()
    after = (ConversationTag.objects.count(), TaggerModel.objects.count(), Quote.objects.count())
    assert before == after, "running the demo again changes nothing"


def test_every_synthetic_theme_maps_to_a_default_theme() -> None:
    from commonground.insight.models import Theme
    from commonground.listening.textgen import THEMES

    assert set(demo.TEXTGEN_THEMES) == set(THEMES)
    slugs = set(demo.TEXTGEN_THEMES.values())
    assert set(Theme.objects.filter(slug__in=slugs).values_list("slug", flat=True)) == slugs
