from __future__ import annotations

import random

import pytest

from commonground.insight.emerging import find_emerging_themes, low_confidence_indices
from commonground.insight.tagger import ThemeTagger

from .synthetic import doorstep_notes

PLANTED = [
    "E-scooters parked across the pavement again",
    "An e-scooter rider nearly knocked my mum over on the towpath",
    "Hire e-scooters abandoned outside the chemist",
    "Those e-scooters go far too quick through the precinct",
    "Kids doubling up on one e-scooter",
    "E-scooter left blocking the dropped kerb, my wheelchair could not pass",
    "Rental e-scooters dumped in the brook",
    "Can something be done about e-scooters on the pavement",
    "E-scooters zipping past the school gates",
    "Nobody checks the e-scooters are insured",
    "The e-scooter bay by the precinct is always overflowing",
    "Worried an e-scooter will hit a toddler",
    "E-scooters with no lights after dark",
    "The e-scooters are charging on the pavement outside flats",
    "Loud e-scooter riders at midnight",
]
UNRELATED = [
    "the library opening hours confuse everyone",
    "church bells are too early on a sunday",
    "the post office queue is out of the door",
    "wifi signal in the village hall is hopeless",
    "pigeons nesting under the railway bridge",
    "the pub quiz has moved to thursdays",
    "allotment waiting list is four years",
    "carnival float needs volunteers",
    "food bank needs more tins",
    "market stalls have gone up in price",
]


Planted = tuple[list[str], set[int], ThemeTagger]
SEED = 21


@pytest.fixture(scope="module")
def planted_conversations() -> Planted:
    return _planted_conversations(SEED)


def _planted_conversations(seed: int) -> Planted:
    generator = random.Random(seed)
    training_texts, training_labels = doorstep_notes(300, seed=seed)
    tagger = ThemeTagger().fit(training_texts, training_labels)
    covered, _ = doorstep_notes(120, seed=seed + 1)
    planted = list(PLANTED)
    texts = covered + UNRELATED + planted
    order = list(range(len(texts)))
    generator.shuffle(order)
    shuffled = [texts[i] for i in order]
    planted_positions = {
        position for position, i in enumerate(order) if i >= len(covered) + len(UNRELATED)
    }
    return shuffled, planted_positions, tagger


def test_a_planted_new_topic_is_found_among_poorly_covered_conversations(
    planted_conversations: Planted,
) -> None:
    texts, planted, tagger = planted_conversations
    clusters = find_emerging_themes(texts, tagger=tagger)

    assert clusters, "expected at least one emerging group"
    best = max(clusters, key=lambda cluster: len(planted & set(cluster.member_indices)))
    members = set(best.member_indices)
    assert len(planted & members) >= 0.8 * len(planted)
    assert len(planted & members) >= 0.8 * len(members)
    assert any("scooter" in term for term in best.key_terms)
    assert set(best.example_indices) <= members
    assert best.size == len(members)
    assert clusters[0] is best


def test_conversations_the_taxonomy_covers_are_not_reported(
    planted_conversations: Planted,
) -> None:
    texts, planted, tagger = planted_conversations
    covered, _ = doorstep_notes(120, seed=SEED + 1)
    clusters = find_emerging_themes(texts, tagger=tagger)
    reported = {index for cluster in clusters for index in cluster.member_indices}
    assert reported
    assert reported & planted
    assert not {texts[index] for index in reported} & set(covered)
    confidences = tagger.predict_proba(texts)
    coverage = tagger.vocabulary_coverage(texts)
    assert all(max(confidences[i].values()) < 0.8 or coverage[i] < 0.5 for i in reported)


def test_results_are_deterministic(planted_conversations: Planted) -> None:
    texts, _, tagger = planted_conversations
    confidences = tagger.predict_proba(texts)
    first = find_emerging_themes(texts, confidences=confidences, random_state=7)
    second = find_emerging_themes(texts, confidences=confidences, random_state=7)
    assert first == second


def test_too_few_poorly_covered_conversations_give_no_groups() -> None:
    texts, labels = doorstep_notes(100, seed=24)
    tagger = ThemeTagger().fit(texts, labels)
    assert find_emerging_themes(texts[:40], tagger=tagger) == []
    assert find_emerging_themes([], confidences=[]) == []
    assert find_emerging_themes(["", " ", ""]) == []


def test_low_confidence_selection_and_length_checks() -> None:
    confidences = [{"a": 0.9, "b": 0.1}, {"a": 0.3, "b": 0.4}, {}]
    assert low_confidence_indices(confidences, below=0.5) == [1, 2]
    with pytest.raises(ValueError, match="2 texts but 3 confidence rows"):
        find_emerging_themes(["a", "b"], confidences=confidences)
