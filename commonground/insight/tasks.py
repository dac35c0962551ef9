"""Background work: tagging, retraining, re-tagging after a better model, finding emerging themes.

Tasks are thin: they call a service and return a small summary that the worker records.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django_tasks import task

from commonground.listening.models import Conversation

from . import services

RETAG_BATCH = 500


@task()
def tag_conversations(conversation_ids: list[int]) -> dict[str, Any]:
    """Tag newly recorded or corrected conversations with the active model."""
    run = services.conversations_tag(conversation_ids=conversation_ids)
    return {"tagged": run.tagged, "to_review": run.to_review, "model_version": run.model_version}


@task()
def retag_all(force: bool = False) -> dict[str, Any]:
    """Re-tag every conversation the active model has not read yet, in batches of 500."""
    tagged = to_review = 0
    last_id = 0
    while True:
        batch = list(
            Conversation.objects.filter(pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:RETAG_BATCH]
        )
        if not batch:
            break
        run = services.conversations_tag(conversation_ids=batch, force=force)
        tagged += run.tagged
        to_review += run.to_review
        last_id = batch[-1]
    return {"tagged": tagged, "to_review": to_review}


@task()
def retrain(actor_id: int | None = None) -> dict[str, Any]:
    """Train a new version and keep it only if it scores at least as well on held-back examples."""
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    outcome = services.tagger_retrain(actor=actor)
    return {
        "version": outcome.record.version,
        "activated": outcome.activated,
        "reason": outcome.reason,
    }


@task()
def find_emerging(actor_id: int | None = None, days: int = 90) -> dict[str, Any]:
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    clusters = services.emerging_refresh(actor=actor, days=days)
    return {"groups": len(clusters)}
