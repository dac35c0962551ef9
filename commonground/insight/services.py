"""Every write in insight: the taxonomy, tags and their review, training, quotes, emerging themes and
house meetings. Each is atomic, validated and audited; counts are moved in the same transaction.

Tagging by the machine happens in :func:`conversations_tag`, which the background task calls for new
or corrected conversations (see :func:`tag_after_commit`, the hook listening calls when it records
one) and for every conversation after a better model is activated.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commonground.core.audit import audit_record
from commonground.core.services import unique_slug
from commonground.listening.models import Conversation, Resident
from commonground.privacy.models import Consent
from commonground.programme.models import Organisation

from . import aggregates, store
from .areas import Area
from .emerging import find_emerging_themes
from .evaluation import compare_on_holdout, score
from .models import (
    ConversationInsight,
    ConversationTag,
    EmergingCluster,
    HouseMeeting,
    Invitation,
    Quote,
    TaggerModel,
    Theme,
    TrainingExample,
)
from .redact import find_personal_details, redact
from .tagger import TaggerError, TaggerSettings, ThemeTagger
from .taxonomy import load_default_taxonomy

MIN_TRAINING_EXAMPLES = 10
MIN_HOLDOUT_EXAMPLES = 5
HOLDOUT_ONE_IN = 5
SUGGESTION_FLOOR = 0.15
UNFAMILIAR_BELOW = 0.5
QUOTE_MAX_CHARACTERS = 280

Status = ConversationTag.Status
Source = ConversationTag.Source


def review_threshold() -> float:
    return float(getattr(settings, "INSIGHT_REVIEW_THRESHOLD", 0.7))


def is_holdout(key: str) -> bool:
    """About one example in five is held back; a hash of a stable key, so it never changes."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return digest[0] % HOLDOUT_ONE_IN == 0


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


# --- taxonomy ------------------------------------------------------------------------------------


def _check_two_levels(theme: Theme, parent: Theme | None) -> None:
    if parent is None:
        return
    if parent.parent_id is not None:
        raise ValidationError({"parent": _("Choose a family: themes have two levels only.")})
    if theme.pk and parent.pk == theme.pk:
        raise ValidationError({"parent": _("A theme cannot be its own family.")})
    if theme.pk and theme.children.exists():
        raise ValidationError(
            {"parent": _("This is a family with themes in it; it cannot go inside another family.")}
        )


@transaction.atomic
def theme_create(
    *,
    actor: Any,
    name: str,
    parent: Theme | None = None,
    description: str = "",
    origin: str = Theme.Origin.LOCAL,
) -> Theme:
    name = name.strip()
    if Theme.objects.filter(name__iexact=name, parent=parent).exists():
        raise ValidationError({"name": _("There is already a theme with that name there.")})
    theme = Theme(
        slug=unique_slug(Theme, name, max_length=70, fallback="theme"),
        name=name,
        parent=parent,
        description=description,
        origin=origin,
    )
    _check_two_levels(theme, parent)
    theme.full_clean()
    theme.save()
    audit_record(
        actor=actor,
        action="theme.create",
        obj=theme,
        changes={"slug": theme.slug, "parent": parent.slug if parent else None, "origin": origin},
    )
    return theme


@transaction.atomic
def theme_update(
    *,
    actor: Any,
    theme: Theme,
    name: str,
    parent: Theme | None,
    description: str,
    is_active: bool,
) -> Theme:
    before = {
        "name": theme.name,
        "parent": theme.parent.slug if theme.parent_id else None,
        "description": theme.description,
        "is_active": theme.is_active,
    }
    _check_two_levels(theme, parent)
    theme.name = name.strip()
    theme.parent = parent
    theme.description = description
    theme.is_active = is_active
    theme.full_clean()
    theme.save()
    after = {
        "name": theme.name,
        "parent": parent.slug if parent else None,
        "description": theme.description,
        "is_active": theme.is_active,
    }
    audit_record(
        actor=actor,
        action="theme.update",
        obj=theme,
        changes={key: [before[key], after[key]] for key in after if before[key] != after[key]},
    )
    return theme


@transaction.atomic
def taxonomy_load_defaults(*, actor: Any) -> tuple[int, int]:
    created, kept = load_default_taxonomy(Theme, settings.DATA_DIR)
    audit_record(
        actor=actor,
        action="theme.load_defaults",
        object_type="insight.theme",
        changes={"created": created, "kept": kept},
    )
    return created, kept


# --- tagging by the machine ----------------------------------------------------------------------


@dataclass
class TagRun:
    conversations: int = 0
    tagged: int = 0
    to_review: int = 0
    model_version: str = ""


def tag_after_commit(conversation_ids: Iterable[int]) -> None:
    """Queue tagging for these conversations once the current transaction commits.

    This is the hook for listening: call it from any service that records or corrects a
    conversation (``conversation_record``, ``conversation_correct``, an import). Outside a
    transaction it queues at once.
    """
    ids = sorted({int(pk) for pk in conversation_ids})
    if not ids:
        return
    from .tasks import tag_conversations

    transaction.on_commit(lambda: tag_conversations.enqueue(ids))


def _split_model_tags(
    tags: Sequence[ConversationTag],
) -> tuple[set[int], dict[int, ConversationTag]]:
    """Themes a person (or an officer naming a theme) has decided, and the machine's own tags."""
    decided = {
        tag.theme_id
        for tag in tags
        if tag.status in (Status.CONFIRMED, Status.REJECTED) or tag.source == Source.EMERGING
    }
    machine = {
        tag.theme_id: tag
        for tag in tags
        if tag.source == Source.MODEL and tag.status in (Status.APPLIED, Status.SUGGESTED)
    }
    return decided, machine


@transaction.atomic
def conversations_tag(*, conversation_ids: Iterable[int], force: bool = False) -> TagRun:
    """Tag conversations with the active model; unsure tags go to the review queue.

    A person's decisions are never overwritten: confirmed and rejected themes stay as they are, and a
    conversation reviewed since its text last changed is left alone. ``force`` re-tags even those
    the active model has already read (used after a taxonomy change).
    """
    ids = sorted({int(pk) for pk in conversation_ids})
    run = TagRun(conversations=len(ids))
    if not ids:
        return run
    conversations = list(
        Conversation.objects.filter(pk__in=ids).only(
            "id", "version", "loves", "concerns", "ideas", "would_do", "host_id"
        )
    )
    ConversationInsight.objects.bulk_create(
        [ConversationInsight(conversation_id=c.pk) for c in conversations], ignore_conflicts=True
    )
    insights = {
        insight.conversation_id: insight
        for insight in ConversationInsight.objects.select_for_update().filter(
            conversation_id__in=[c.pk for c in conversations]
        )
    }
    tags_by_conversation: dict[int, list[ConversationTag]] = {c.pk: [] for c in conversations}
    for tag in ConversationTag.objects.filter(conversation_id__in=tags_by_conversation):
        tags_by_conversation[tag.conversation_id].append(tag)

    record = store.active_model()
    run.model_version = record.version if record else ""
    pending = [
        c
        for c in conversations
        if not (
            insights[c.pk].reviewed_at is not None and insights[c.pk].reviewed_version >= c.version
        )
        and (
            force
            or record is None
            or insights[c.pk].tagger_id != record.pk
            or insights[c.pk].tagged_version != c.version
        )
    ]
    to_delete: list[int] = []
    to_create: list[ConversationTag] = []
    to_update: list[ConversationTag] = []
    changed_insights: list[ConversationInsight] = []
    if record is None:
        for conversation in pending:
            insight = insights[conversation.pk]
            counted = any(t.is_counted for t in tags_by_conversation[conversation.pk])
            insight.needs_review = bool(conversation.text) and not counted
            insight.review_reason = (
                ConversationInsight.ReviewReason.NO_MODEL if insight.needs_review else ""
            )
            insight.lowest_confidence = 0.0 if insight.needs_review else None
            changed_insights.append(insight)
    else:
        tagger = store.load(record)
        texts = [c.text for c in pending]
        chosen_rows = tagger.predict_with_confidence(texts) if texts else []
        probability_rows = tagger.predict_proba(texts) if texts else []
        coverage = tagger.vocabulary_coverage(texts) if texts else []
        themes = {
            theme.slug: theme
            for theme in Theme.objects.filter(slug__in=tagger.themes, is_active=True)
        }
        threshold = record.review_threshold
        now = timezone.now()
        for conversation, chosen, probabilities, familiar in zip(
            pending, chosen_rows, probability_rows, coverage, strict=True
        ):
            tags = tags_by_conversation[conversation.pk]
            decided, machine = _split_model_tags(tags)
            wanted: dict[int, tuple[str, float]] = {}
            for slug, confidence in chosen:
                theme = themes.get(slug)
                if confidence < min(threshold, SUGGESTION_FLOOR):
                    continue
                if theme is not None and theme.pk not in decided:
                    status = Status.APPLIED if confidence >= threshold else Status.SUGGESTED
                    wanted[theme.pk] = (status, confidence)
            has_text = bool(conversation.text)
            counted_elsewhere = any(
                t.is_counted for t in tags if t.theme_id in decided or t.source != Source.MODEL
            )
            if has_text and not wanted and not counted_elsewhere:
                ranked = sorted(probabilities.items(), key=lambda item: -item[1])
                for slug, confidence in ranked[:3]:
                    theme = themes.get(slug)
                    if confidence >= SUGGESTION_FLOOR and theme and theme.pk not in decided:
                        wanted[theme.pk] = (Status.SUGGESTED, confidence)
            for theme_id, tag in machine.items():
                if theme_id not in wanted:
                    to_delete.append(tag.pk)
            for theme_id, (status, confidence) in wanted.items():
                existing = machine.get(theme_id)
                if existing is None:
                    to_create.append(
                        ConversationTag(
                            conversation_id=conversation.pk,
                            theme_id=theme_id,
                            status=status,
                            source=Source.MODEL,
                            confidence=round(confidence, 4),
                            tagger=record,
                            model_version=record.version,
                        )
                    )
                else:
                    existing.status = status
                    existing.confidence = round(confidence, 4)
                    existing.tagger = record
                    existing.model_version = record.version
                    existing.updated_at = now
                    to_update.append(existing)
            suggested = [c for s, c in wanted.values() if s == Status.SUGGESTED]
            applied = [c for s, c in wanted.values() if s == Status.APPLIED]
            unfamiliar = has_text and familiar < UNFAMILIAR_BELOW
            insight = insights[conversation.pk]
            insight.tagger = record
            insight.tagged_version = conversation.version
            if suggested:
                reason = ConversationInsight.ReviewReason.LOW_CONFIDENCE
            elif has_text and not applied and not counted_elsewhere:
                reason = ConversationInsight.ReviewReason.NO_THEME
            elif unfamiliar:
                reason = ConversationInsight.ReviewReason.UNFAMILIAR
            else:
                reason = ""
            insight.needs_review = bool(reason)
            insight.review_reason = reason
            confidences = suggested + applied
            insight.lowest_confidence = min(confidences) if confidences else 0.0
            changed_insights.append(insight)
            run.tagged += 1
    if to_delete:
        ConversationTag.objects.filter(pk__in=to_delete).delete()
    if to_create:
        ConversationTag.objects.bulk_create(to_create)
    if to_update:
        ConversationTag.objects.bulk_update(
            to_update, ["status", "confidence", "tagger", "model_version", "updated_at"]
        )
    if changed_insights:
        ConversationInsight.objects.bulk_update(
            changed_insights,
            ["tagger", "tagged_version", "needs_review", "review_reason", "lowest_confidence"],
        )
    run.to_review = sum(1 for insight in changed_insights if insight.needs_review)
    aggregates.refresh(ids)
    audit_record(
        actor=None,
        action="conversation.tag",
        object_type="listening.conversation",
        object_repr=_("%(count)s conversations") % {"count": len(ids)},
        changes={
            "conversations": len(ids),
            "tagged": run.tagged,
            "to_review": run.to_review,
            "model_version": run.model_version,
        },
    )
    return run


# --- review by a person --------------------------------------------------------------------------


def _locked_insight(conversation: Conversation) -> ConversationInsight:
    ConversationInsight.objects.get_or_create(conversation=conversation)
    return ConversationInsight.objects.select_for_update().get(conversation=conversation)


def _after_person_change(
    *, actor: Any, conversation: Conversation, finished: bool
) -> ConversationInsight:
    insight = _locked_insight(conversation)
    tags = list(conversation.theme_tags.all())
    suggested = [t for t in tags if t.status == Status.SUGGESTED]
    if finished:
        insight.needs_review = False
        insight.review_reason = ""
        insight.reviewed_by = _user(actor)
        insight.reviewed_at = timezone.now()
        insight.reviewed_version = conversation.version
        _training_example_from_review(actor=actor, conversation=conversation, tags=tags)
    elif suggested:
        insight.needs_review = True
        insight.review_reason = (
            insight.review_reason or ConversationInsight.ReviewReason.LOW_CONFIDENCE
        )
        insight.lowest_confidence = min(t.confidence or 0.0 for t in suggested)
    insight.save()
    aggregates.refresh([conversation.pk])
    return insight


def _training_example_from_review(
    *, actor: Any, conversation: Conversation, tags: Sequence[ConversationTag]
) -> TrainingExample:
    themes = sorted(
        {
            tag.theme.slug
            for tag in tags
            if tag.status == Status.CONFIRMED or tag.source == Source.EMERGING
        }
    )
    example, _created = TrainingExample.objects.update_or_create(
        conversation=conversation,
        defaults={
            "themes": themes,
            "source": TrainingExample.Source.REVIEW,
            "is_holdout": is_holdout(str(conversation.public_id)),
            "created_by": _user(actor),
        },
    )
    return example


def _decide(tag: ConversationTag, *, actor: Any, status: str) -> None:
    tag.status = status
    tag.person = _user(actor)
    tag.decided_at = timezone.now()
    tag.full_clean()
    tag.save()


@transaction.atomic
def tag_confirm(*, actor: Any, tag: ConversationTag) -> ConversationTag:
    """One click: the person agrees with a theme the tagger suggested or applied."""
    before = tag.status
    _decide(tag, actor=actor, status=Status.CONFIRMED)
    _after_person_change(actor=actor, conversation=tag.conversation, finished=False)
    audit_record(
        actor=actor,
        action="tag.confirm",
        obj=tag,
        organisation_id=tag.conversation.host_id,
        changes={"theme": tag.theme.slug, "status": [before, tag.status]},
    )
    return tag


@transaction.atomic
def tag_reject(*, actor: Any, tag: ConversationTag) -> ConversationTag:
    """One click: the theme does not fit. The tag is kept, rejected, so the tagger never re-adds it."""
    before = tag.status
    _decide(tag, actor=actor, status=Status.REJECTED)
    _after_person_change(actor=actor, conversation=tag.conversation, finished=False)
    audit_record(
        actor=actor,
        action="tag.reject",
        obj=tag,
        organisation_id=tag.conversation.host_id,
        changes={"theme": tag.theme.slug, "status": [before, tag.status]},
    )
    return tag


@transaction.atomic
def tag_add(*, actor: Any, conversation: Conversation, theme: Theme) -> ConversationTag:
    """One click: a theme the tagger missed. Families are not tags; choose a theme inside one."""
    if theme.is_family and theme.children.exists():
        raise ValidationError({"theme": _("Choose a theme inside the family, not the family.")})
    if not theme.is_active:
        raise ValidationError({"theme": _("That theme is no longer in use.")})
    tag, created = ConversationTag.objects.get_or_create(
        conversation=conversation,
        theme=theme,
        defaults={"status": Status.CONFIRMED, "source": Source.PERSON, "person": _user(actor)},
    )
    if not created:
        _decide(tag, actor=actor, status=Status.CONFIRMED)
    else:
        tag.decided_at = timezone.now()
        tag.save(update_fields=["decided_at"])
    _after_person_change(actor=actor, conversation=conversation, finished=False)
    audit_record(
        actor=actor,
        action="tag.add",
        obj=tag,
        organisation_id=conversation.host_id,
        changes={"theme": theme.slug},
    )
    return tag


@transaction.atomic
def review_finish(*, actor: Any, conversation: Conversation) -> ConversationInsight:
    """One click: accept every theme still standing and take the conversation off the queue.

    The confirmed set becomes a training example; so does an empty set ("no theme fits"), which
    teaches the tagger what is not a theme.
    """
    now = timezone.now()
    standing = list(conversation.theme_tags.filter(status__in=[Status.SUGGESTED, Status.APPLIED]))
    for tag in standing:
        tag.status = Status.CONFIRMED
        tag.person = _user(actor)
        tag.decided_at = now
    ConversationTag.objects.bulk_update(standing, ["status", "person", "decided_at"])
    insight = _after_person_change(actor=actor, conversation=conversation, finished=True)
    audit_record(
        actor=actor,
        action="tag.review_finish",
        obj=conversation,
        object_repr=str(conversation.public_id),
        organisation_id=conversation.host_id,
        changes={"confirmed": sorted(tag.theme.slug for tag in standing)},
    )
    return insight


# --- training ------------------------------------------------------------------------------------


@dataclass
class RetrainOutcome:
    record: TaggerModel
    activated: bool
    reason: str
    holdout_scores: dict[str, float] = field(default_factory=dict)


def _examples() -> tuple[list[str], list[list[str]], list[str], list[list[str]]]:
    active_slugs = set(Theme.objects.filter(is_active=True).values_list("slug", flat=True))
    train_texts: list[str] = []
    train_labels: list[list[str]] = []
    hold_texts: list[str] = []
    hold_labels: list[list[str]] = []
    for example in TrainingExample.objects.select_related("conversation").order_by("pk"):
        text = example.conversation.text if example.conversation_id else example.text
        labels = sorted(slug for slug in example.themes if slug in active_slugs)
        if example.is_holdout:
            hold_texts.append(text)
            hold_labels.append(labels)
        else:
            train_texts.append(text)
            train_labels.append(labels)
    return train_texts, train_labels, hold_texts, hold_labels


@transaction.atomic
def tagger_retrain(
    *, actor: Any = None, tagger_settings: TaggerSettings | None = None
) -> RetrainOutcome:
    """Train a new version on the confirmed examples; use it only if it does at least as well.

    Both the version in use and the new one are scored on the held-back examples (which neither
    trained on). The new one replaces the old only if its macro-F1 and micro-F1 are both at least
    as high; otherwise it is kept on record as rejected and nothing changes.
    """
    train_texts, train_labels, hold_texts, hold_labels = _examples()
    if len(train_texts) < MIN_TRAINING_EXAMPLES or not any(train_labels):
        raise ValidationError(
            _(
                "There are %(count)s confirmed examples to learn from; at least %(needed)s with "
                "themes are needed. Review some conversations first."
            )
            % {"count": len(train_texts), "needed": MIN_TRAINING_EXAMPLES}
        )
    candidate = ThemeTagger(tagger_settings)
    try:
        candidate.fit(train_texts, train_labels)
    except TaggerError as error:
        raise ValidationError(str(error)) from error
    current = store.active_model()
    activated = True
    holdout_scores: dict[str, float] = {}
    compared: dict[str, Any] = {}
    if hold_texts:
        candidate_scores = score(hold_labels, candidate.predict(hold_texts))
        holdout_scores = {
            "macro_f1": candidate_scores.macro_f1,
            "micro_f1": candidate_scores.micro_f1,
        }
    if current is None:
        reason = _("The first version: nothing to compare with.")
    elif len(hold_texts) < MIN_HOLDOUT_EXAMPLES:
        activated = False
        reason = _(
            "Only %(count)s held-back examples: too few to show the new version is at least as "
            "good, so the version in use stays."
        ) % {"count": len(hold_texts)}
    else:
        comparison = compare_on_holdout(store.load(current), candidate, hold_texts, hold_labels)
        compared = {
            "compared_with": current.version,
            "compared_macro_f1": comparison.current.macro_f1,
            "compared_micro_f1": comparison.current.micro_f1,
        }
        activated = comparison.candidate_should_replace
        values = {
            "new_macro": f"{comparison.candidate.macro_f1:.3f}",
            "new_micro": f"{comparison.candidate.micro_f1:.3f}",
            "old_macro": f"{comparison.current.macro_f1:.3f}",
            "old_micro": f"{comparison.current.micro_f1:.3f}",
        }
        reason = (
            _(
                "Replaced the version in use: on held-back examples macro-F1 %(new_macro)s vs "
                "%(old_macro)s, micro-F1 %(new_micro)s vs %(old_micro)s."
            )
            if activated
            else _(
                "Kept the version in use: on held-back examples the new one scored macro-F1 "
                "%(new_macro)s vs %(old_macro)s, micro-F1 %(new_micro)s vs %(old_micro)s."
            )
        ) % values
    version = candidate.version
    candidate.save(store.directory_for(version))
    if activated and current is not None:
        current.status = TaggerModel.Status.RETIRED
        current.save(update_fields=["status", "updated_at"])
    record = TaggerModel(
        version=version,
        status=TaggerModel.Status.ACTIVE if activated else TaggerModel.Status.REJECTED,
        directory=version,
        training_size=len(train_texts),
        holdout_size=len(hold_texts),
        themes=list(candidate.themes),
        macro_f1=holdout_scores.get("macro_f1"),
        micro_f1=holdout_scores.get("micro_f1"),
        decision=str(reason),
        review_threshold=review_threshold(),
        metadata={
            "created_at": candidate.metadata.created_at,
            "settings": candidate.metadata.settings,
            "decoding": candidate.metadata.decoding,
            "library_versions": candidate.metadata.library_versions,
            "model_sha256": candidate.metadata.model_sha256,
        },
        trained_by=_user(actor),
        activated_at=timezone.now() if activated else None,
        **compared,
    )
    record.full_clean()
    record.save()
    if activated:
        store.remember(record, candidate)
        from .tasks import retag_all

        transaction.on_commit(lambda: retag_all.enqueue())
    audit_record(
        actor=actor,
        action="tagger.retrain",
        obj=record,
        changes={
            "version": version,
            "activated": activated,
            "training_size": len(train_texts),
            "holdout_size": len(hold_texts),
            **holdout_scores,
            **compared,
        },
    )
    return RetrainOutcome(record, activated, str(reason), holdout_scores)


@transaction.atomic
def training_examples_add(
    *, actor: Any, examples: Sequence[tuple[str, Sequence[str]]], source: str
) -> int:
    """Add labelled texts that do not come from a conversation (a seed set, an imported file).

    All or nothing: every theme must be an active theme's slug, and the message lists every row
    that is not.
    """
    known = set(Theme.objects.filter(is_active=True).values_list("slug", flat=True))
    problems = [
        _("Row %(row)s: unknown themes %(themes)s.")
        % {"row": number, "themes": ", ".join(sorted(set(themes) - known))}
        for number, (_text, themes) in enumerate(examples, start=1)
        if set(themes) - known
    ]
    if problems:
        raise ValidationError(problems)
    existing = set(
        TrainingExample.objects.filter(conversation__isnull=True, source=source).values_list(
            "text", flat=True
        )
    )
    new = [
        TrainingExample(
            text=text,
            themes=sorted(set(themes)),
            source=source,
            is_holdout=is_holdout(f"{source}:{text}"),
            created_by=_user(actor),
        )
        for text, themes in examples
        if text not in existing
    ]
    TrainingExample.objects.bulk_create(new)
    audit_record(
        actor=actor,
        action="training_example.add",
        object_type="insight.trainingexample",
        changes={"source": source, "added": len(new), "already_there": len(examples) - len(new)},
    )
    return len(new)


# --- emerging themes -----------------------------------------------------------------------------


@transaction.atomic
def emerging_refresh(*, actor: Any = None, days: int = 90) -> list[EmergingCluster]:
    """Look again for groups of recent conversations that no theme fits well."""
    since = timezone.now() - timedelta(days=days)
    rows = list(
        Conversation.objects.filter(happened_at__gte=since)
        .order_by("-happened_at")
        .only("id", "loves", "concerns", "ideas", "would_do", "special_category")[:4000]
    )
    texts = [row.text for row in rows]
    record = store.active_model()
    tagger = store.load(record) if record else None
    found = find_emerging_themes(texts, tagger=tagger) if texts else []
    EmergingCluster.objects.filter(status=EmergingCluster.Status.OPEN).delete()
    clusters: list[EmergingCluster] = []
    for group in found:
        members = [rows[index] for index in group.member_indices]
        by_closeness = [rows[index] for index in group.example_indices] + members
        examples: list[int] = []
        for row in by_closeness:
            if not row.special_category and row.pk not in examples:
                examples.append(row.pk)
            if len(examples) == 3:
                break
        clusters.append(
            EmergingCluster.objects.create(
                key_terms=group.key_terms,
                size=group.size,
                cohesion=round(group.cohesion, 4),
                member_ids=[row.pk for row in members],
                example_ids=examples,
                window_days=days,
            )
        )
    audit_record(
        actor=actor,
        action="emerging.refresh",
        object_type="insight.emergingcluster",
        changes={"conversations": len(rows), "groups": len(clusters), "days": days},
    )
    return clusters


@transaction.atomic
def emerging_name(
    *,
    actor: Any,
    cluster: EmergingCluster,
    name: str,
    parent: Theme | None = None,
    description: str = "",
) -> Theme:
    """Add the group as a new theme, tag its conversations with it and teach the tagger.

    The group's conversations become training examples of the new theme (with the themes they
    already had), and a retrain is queued; if the retrained version is at least as good it is
    activated and re-tags every past conversation, so the new theme appears wherever it fits.
    """
    if cluster.status != EmergingCluster.Status.OPEN:
        raise ValidationError(_("This group has already been dealt with."))
    theme = theme_create(
        actor=actor,
        name=name,
        parent=parent,
        description=description or ", ".join(cluster.key_terms),
        origin=Theme.Origin.EMERGING,
    )
    members = list(Conversation.objects.filter(pk__in=cluster.member_ids))
    existing = set(
        ConversationTag.objects.filter(conversation__in=members, theme=theme).values_list(
            "conversation_id", flat=True
        )
    )
    ConversationTag.objects.bulk_create(
        [
            ConversationTag(
                conversation=conversation,
                theme=theme,
                status=Status.APPLIED,
                source=Source.EMERGING,
                person=_user(actor),
                decided_at=timezone.now(),
            )
            for conversation in members
            if conversation.pk not in existing
        ]
    )
    counted: dict[int, set[str]] = {conversation.pk: set() for conversation in members}
    for conversation_id, slug in ConversationTag.objects.filter(
        conversation__in=members, status__in=ConversationTag.COUNTED
    ).values_list("conversation_id", "theme__slug"):
        counted[conversation_id].add(slug)
    reviewed = {
        example.conversation_id: example
        for example in TrainingExample.objects.filter(conversation__in=members)
    }
    for conversation in members:
        example = reviewed.get(conversation.pk)
        if example is not None:
            example.themes = sorted({*example.themes, theme.slug})
            example.save(update_fields=["themes", "updated_at"])
        else:
            TrainingExample.objects.create(
                conversation=conversation,
                themes=sorted(counted[conversation.pk] | {theme.slug}),
                source=TrainingExample.Source.EMERGING,
                is_holdout=is_holdout(str(conversation.public_id)),
                created_by=_user(actor),
            )
    cluster.status = EmergingCluster.Status.NAMED
    cluster.theme = theme
    cluster.decided_by = _user(actor)
    cluster.decided_at = timezone.now()
    cluster.save()
    aggregates.refresh([conversation.pk for conversation in members])
    audit_record(
        actor=actor,
        action="emerging.name",
        obj=cluster,
        changes={"theme": theme.slug, "conversations": len(members)},
    )
    from .tasks import retrain

    actor_id = actor.pk if _user(actor) else None
    transaction.on_commit(lambda: retrain.enqueue(actor_id))
    return theme


@transaction.atomic
def emerging_dismiss(*, actor: Any, cluster: EmergingCluster) -> EmergingCluster:
    if cluster.status != EmergingCluster.Status.OPEN:
        raise ValidationError(_("This group has already been dealt with."))
    cluster.status = EmergingCluster.Status.DISMISSED
    cluster.decided_by = _user(actor)
    cluster.decided_at = timezone.now()
    cluster.save()
    audit_record(actor=actor, action="emerging.dismiss", obj=cluster)
    return cluster


# --- quotes --------------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text or "") if len(part.strip()) > 3]


def best_excerpt(conversation: Conversation, theme: Theme) -> str:
    """The sentence that says most about the theme, by the tagger's confidence if there is one."""
    parts = sentences(conversation.text)
    if not parts:
        return ""
    record = store.active_model()
    if record is not None and theme.slug in record.themes and len(parts) > 1:
        tagger = store.load(record)
        confidences = [row.get(theme.slug, 0.0) for row in tagger.predict_proba(parts)]
        best = max(range(len(parts)), key=lambda index: confidences[index])
        excerpt = parts[best]
    else:
        excerpt = parts[0]
    if len(excerpt) > QUOTE_MAX_CHARACTERS:
        excerpt = excerpt[: QUOTE_MAX_CHARACTERS - 1].rsplit(" ", 1)[0] + "…"
    return excerpt


@transaction.atomic
def quote_propose(*, actor: Any, conversation: Conversation, theme: Theme) -> Quote:
    """Take an excerpt, remove personal details automatically and queue it for a person's approval."""
    if conversation.special_category:
        raise ValidationError(
            _("This conversation holds health, beliefs or similar information; it is never quoted.")
        )
    if not conversation.theme_tags.filter(theme=theme, status__in=ConversationTag.COUNTED).exists():
        raise ValidationError(_("This conversation is not tagged with that theme."))
    existing = Quote.objects.filter(conversation=conversation, theme=theme).first()
    if existing is not None:
        return existing
    excerpt = best_excerpt(conversation, theme)
    if not excerpt:
        raise ValidationError(_("There is nothing in this conversation to quote."))
    quote = Quote(
        conversation=conversation,
        theme=theme,
        text=redact(excerpt),
        removed_details=len(find_personal_details(excerpt)),
        proposed_by=_user(actor),
    )
    quote.full_clean()
    quote.save()
    audit_record(
        actor=actor,
        action="quote.propose",
        obj=quote,
        object_repr=str(quote.public_id),
        organisation_id=conversation.host_id,
        changes={"theme": theme.slug, "removed_details": quote.removed_details},
    )
    return quote


@transaction.atomic
def quote_approve(*, actor: Any, quote: Quote, text: str) -> Quote:
    """A person publishes the quote, possibly shortened; edited text is checked again."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Enter the words to publish.")})
    found = find_personal_details(text)
    if found:
        raise ValidationError(
            {
                "text": _(
                    "The text still holds what looks like personal details (%(details)s). Remove "
                    "them before publishing."
                )
                % {"details": ", ".join(sorted({finding.replacement for finding in found}))}
            }
        )
    before = quote.status
    quote.text = text
    quote.status = Quote.Status.APPROVED
    quote.decided_by = _user(actor)
    quote.decided_at = timezone.now()
    quote.full_clean()
    quote.save()
    audit_record(
        actor=actor,
        action="quote.approve",
        obj=quote,
        object_repr=str(quote.public_id),
        organisation_id=quote.conversation.host_id,
        changes={"status": [before, quote.status]},
    )
    return quote


@transaction.atomic
def quote_reject(*, actor: Any, quote: Quote) -> Quote:
    before = quote.status
    quote.status = Quote.Status.REJECTED
    quote.decided_by = _user(actor)
    quote.decided_at = timezone.now()
    quote.save()
    audit_record(
        actor=actor,
        action="quote.reject",
        obj=quote,
        object_repr=str(quote.public_id),
        organisation_id=quote.conversation.host_id,
        changes={"status": [before, quote.status]},
    )
    return quote


# --- from theme to action ------------------------------------------------------------------------


def resident_may_be_contacted(resident: Resident, host: Organisation) -> bool:
    return (
        resident.host_id == host.pk
        and not resident.is_merged
        and resident.contact_removed_at is None
        and resident.has_contact_details
        and resident.consents.filter(
            withdrawn_at__isnull=True,
            host=host,
            purpose__in=[Consent.Purpose.FOLLOW_UP, Consent.Purpose.REFERRAL],
        ).exists()
    )


@transaction.atomic
def meeting_create(
    *,
    actor: Any,
    host: Organisation,
    theme: Theme,
    area: Area,
    title: str,
    meets_at: datetime,
    venue: str,
    notes: str = "",
    invite: Sequence[Resident] = (),
    method: str = Invitation.Method.IN_PERSON,
) -> HouseMeeting:
    """Record a house meeting on a theme in an area, and who was invited to it, all or nothing."""
    if timezone.is_naive(meets_at):
        raise ValidationError({"meets_at": _("Give the time with its time zone.")})
    meeting = HouseMeeting(
        host=host,
        theme=theme,
        area_kind=area.kind,
        area_code=area.code,
        area_name=area.name,
        title=title.strip(),
        meets_at=meets_at,
        venue=venue.strip(),
        notes=notes,
        created_by=_user(actor),
    )
    meeting.full_clean()
    meeting.save()
    audit_record(
        actor=actor,
        action="house_meeting.create",
        obj=meeting,
        organisation_id=host.pk,
        changes={"theme": theme.slug, "area": f"{area.kind}:{area.code}"},
    )
    for resident in invite:
        invitation_record(actor=actor, meeting=meeting, resident=resident, method=method)
    return meeting


@transaction.atomic
def invitation_record(
    *, actor: Any, meeting: HouseMeeting, resident: Resident, method: str
) -> Invitation:
    """Record that a resident was invited; only those who consented to be contacted can be."""
    if method not in Invitation.Method.values:
        raise ValidationError({"method": _("Choose how the resident was invited.")})
    if not resident_may_be_contacted(resident, meeting.host):
        raise ValidationError(
            _("This resident has no consent in force for your organisation to contact them.")
        )
    invitation, created = Invitation.objects.get_or_create(
        meeting=meeting,
        resident=resident,
        defaults={"method": method, "invited_by": _user(actor)},
    )
    if not created:
        raise ValidationError(_("This resident has already been invited."))
    audit_record(
        actor=actor,
        action="house_meeting.invite",
        obj=meeting,
        organisation_id=meeting.host_id,
        changes={"resident": str(resident.public_id), "method": method},
    )
    return invitation


@transaction.atomic
def invitation_update(
    *, actor: Any, invitation: Invitation, response: str, attended: bool | None
) -> Invitation:
    before = {"response": invitation.response, "attended": invitation.attended}
    invitation.response = response
    invitation.attended = attended
    invitation.full_clean()
    invitation.save()
    audit_record(
        actor=actor,
        action="house_meeting.attendance",
        obj=invitation.meeting,
        organisation_id=invitation.meeting.host_id,
        changes={
            "resident": str(invitation.resident.public_id),
            "response": [before["response"], response],
            "attended": [before["attended"], attended],
        },
    )
    return invitation


def conversations_forget(*, conversation_ids: Iterable[int]) -> int:
    """Take conversations out of the evidence before they are erased (for the privacy app)."""
    with transaction.atomic():
        return aggregates.remove(conversation_ids)
