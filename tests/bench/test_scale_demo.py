from __future__ import annotations

from typing import Any

from django.db.models import Sum

from bench.scale_demo import scale_demo, scaled_client_id
from commonground.insight import services as insight_services
from commonground.insight.models import AreaMonth, ConversationInsight, ConversationTag
from commonground.listening.counting import (
    residents_listened_to,
    residents_listened_to_from_scratch,
)
from commonground.listening.demo import demo_load as listening_demo_load
from commonground.listening.models import ConsentTier, Conversation, ConversationVersion
from commonground.places.models import Neighbourhood
from commonground.privacy.models import Consent
from commonground.programme.demo import demo_load as programme_demo_load


def test_scaling_the_demo_keeps_every_invariant_and_is_idempotent(db: Any) -> None:
    programme_demo_load()
    listening_demo_load(scale=0.02)
    insight_services.taxonomy_load_defaults(actor=None)
    before = Conversation.objects.count()

    summary = scale_demo(target=before + 500, seed=11)

    assert summary.conversations_added == 500
    assert Conversation.objects.count() == before + 500
    scaled = Conversation.objects.filter(
        client_id__in=[scaled_client_id(index) for index in range(500)]
    ).select_related("lsoa", "neighbourhood")
    assert scaled.count() == 500
    listeners = set(scaled.values_list("organiser__full_name", flat=True))
    assert listeners == {"Organiser 0000 (scaled demo)"}, (
        "500 conversations per synthetic organiser"
    )
    assert ConversationVersion.objects.filter(conversation__in=scaled, number=1).count() == 500
    located = [c for c in scaled if c.lsoa_id is not None]
    assert 300 < len(located) < 500, "phone and online conversations have no place"
    for conversation in located:
        assert conversation.ward_id == conversation.lsoa.ward_id
        assert conversation.authority_id == conversation.lsoa.authority_id
        assert Neighbourhood.lsoas.through.objects.filter(
            neighbourhood_id=conversation.neighbourhood_id, lsoa_id=conversation.lsoa_id
        ).exists()
    for conversation in scaled.exclude(lsoa__isnull=False):
        assert conversation.ward_id is None and conversation.neighbourhood_id is None
    identified = scaled.exclude(consent_tier=ConsentTier.ANONYMOUS)
    assert identified.exists()
    assert not identified.filter(resident__isnull=True).exists()
    assert Consent.objects.filter(conversation__in=identified).count() == identified.count()
    assert not scaled.filter(
        special_category=True, resident__isnull=False, special_category_consent=False
    ).exists()
    everything = Conversation.objects.all()
    assert residents_listened_to(everything) == residents_listened_to_from_scratch(everything)
    assert ConversationTag.objects.filter(conversation__in=scaled).count() >= 500
    assert ConversationInsight.objects.filter(conversation__in=scaled, counted=True).count() == 500
    counted_in_authorities = AreaMonth.objects.filter(area_kind="authority").aggregate(
        total=Sum("conversations")
    )["total"]
    assert counted_in_authorities == everything.filter(authority__isnull=False).count()

    first = scaled.order_by("client_id").values_list("concerns", flat=True).first()
    again = scale_demo(target=before + 500, seed=11)
    assert again.conversations_added == 0
    assert Conversation.objects.count() == before + 500
    assert scaled.order_by("client_id").values_list("concerns", flat=True).first() == first

    scale_demo(target=before + 520, seed=11)
    assert Conversation.objects.filter(client_id=scaled_client_id(519)).exists()
