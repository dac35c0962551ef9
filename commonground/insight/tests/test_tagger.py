from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from commonground.insight.tagger import (
    METADATA_FILE,
    MODEL_FILE,
    DecodingRule,
    TaggerError,
    ThemeTagger,
    decode,
)

from .synthetic import doorstep_notes


@pytest.fixture(scope="module")
def multi_label_tagger() -> ThemeTagger:
    texts, label_sets = doorstep_notes(240, seed=1)
    return ThemeTagger().fit(texts, label_sets)


@pytest.fixture(scope="module")
def single_label_tagger() -> ThemeTagger:
    texts, label_sets = doorstep_notes(200, seed=2, multi_label=False)
    return ThemeTagger().fit(texts, label_sets)


def _sample_f1(truth: list[list[str]], predicted: list[list[str]]) -> float:
    scores = [
        1.0 if not t and not p else 2 * len(set(t) & set(p)) / (len(t) + len(p))
        for t, p in zip(truth, predicted, strict=True)
    ]
    return sum(scores) / len(scores)


def test_learns_multi_label_themes_from_examples(multi_label_tagger: ThemeTagger) -> None:
    texts, label_sets = doorstep_notes(80, seed=99)
    predictions = multi_label_tagger.predict(texts)
    assert _sample_f1(label_sets, predictions) > 0.9
    assert any(len(themes) > 1 for themes in predictions)


def test_unseen_wording_still_finds_the_theme(multi_label_tagger: ThemeTagger) -> None:
    predictions = multi_label_tagger.predict(
        ["There is so much fly tipping, a sofa was dumped by the garages", "The bus never comes"]
    )
    assert "flytipping" in predictions[0]
    assert predictions[1] == ["buses"]


def test_single_label_data_gives_exactly_one_theme_per_text(
    single_label_tagger: ThemeTagger,
) -> None:
    texts, label_sets = doorstep_notes(60, seed=98, multi_label=False)
    predictions = single_label_tagger.predict([*texts, "zzzz qqqq", "ok"])
    assert all(len(themes) == 1 for themes in predictions)
    assert single_label_tagger.metadata.decoding["exactly_one"] is True
    correct = sum(p == t for p, t in zip(predictions, label_sets, strict=False))
    assert correct / len(label_sets) > 0.9


def test_multi_label_tagger_never_returns_more_themes_than_training_texts_had(
    multi_label_tagger: ThemeTagger,
) -> None:
    text = " ".join(
        phrase
        for phrase in [
            "mattresses dumped in the lane",
            "the 38 bus never turns up",
            "damp and mould in the bedroom",
            "the youth club closed last year",
            "nobody to talk to most days",
        ]
    )
    assert len(multi_label_tagger.predict([text])[0]) <= 3
    assert multi_label_tagger.metadata.decoding["max_labels"] == 3


def test_confidences_are_probabilities_for_every_theme(multi_label_tagger: ThemeTagger) -> None:
    confidences = multi_label_tagger.predict_proba(["the 38 bus never turns up", "", "hello"])
    for row in confidences:
        assert set(row) == set(multi_label_tagger.themes)
        assert all(0.0 <= value <= 1.0 for value in row.values())
    assert confidences[0]["buses"] > 0.8
    assert confidences[0]["loneliness"] < 0.2


def test_confidence_is_calibrated_enough_for_a_review_threshold() -> None:
    """On noisy labels the stated confidence should track how often tags are right."""
    texts, label_sets = doorstep_notes(600, seed=5)
    generator = np.random.default_rng(5)
    themes = sorted({theme for labels in label_sets for theme in labels})
    noisy = [
        labels if generator.random() > 0.2 else [themes[int(generator.integers(len(themes)))]]
        for labels in label_sets
    ]
    tagger = ThemeTagger().fit(texts[:400], noisy[:400])
    confidences = tagger.predict_proba(texts[400:])
    stated = np.array([value for row in confidences for value in row.values()])
    observed = np.array(
        [
            theme in labels
            for row, labels in zip(confidences, noisy[400:], strict=True)
            for theme in row
        ]
    )
    bins = np.digitize(stated, [0.2, 0.4, 0.6, 0.8])
    gaps = [
        abs(stated[bins == b].mean() - observed[bins == b].mean()) * (bins == b).mean()
        for b in np.unique(bins)
    ]
    assert sum(gaps) < 0.1


def test_empty_text_gets_no_theme_unless_training_taught_one(
    multi_label_tagger: ThemeTagger,
) -> None:
    assert multi_label_tagger.predict(["", "   ", None])[0] == []  # type: ignore[list-item]
    assert multi_label_tagger.predict(["   "]) == [[]]

    texts, label_sets = doorstep_notes(150, seed=3)
    texts += [""] * 20 + ["  "] * 5
    label_sets += [["no comment"]] * 25
    tagger = ThemeTagger().fit(texts, label_sets)
    assert tagger.predict(["", "the 38 bus never turns up"]) == [["no comment"], ["buses"]]


def test_theme_with_very_few_examples_is_learned_without_failing() -> None:
    texts, label_sets = doorstep_notes(150, seed=4)
    texts += ["e-scooters racing on the pavement", "an e-scooter nearly hit my dog"]
    label_sets += [["e-scooters"], ["e-scooters"]]
    tagger = ThemeTagger().fit(texts, label_sets)
    assert "e-scooters" in tagger.themes
    confidence = tagger.predict_proba(["e-scooters on the pavement again"])[0]
    assert 0.0 <= confidence["e-scooters"] <= 1.0
    assert confidence["e-scooters"] == max(confidence.values())


def test_tiny_training_set_still_trains() -> None:
    tagger = ThemeTagger().fit(
        ["bus late", "bins overflowing", "bus cancelled"], [["buses"], ["litter"], ["buses"]]
    )
    assert tagger.predict(["bus late again"])[0][0] == "buses"


def test_save_and_load_round_trip_gives_identical_predictions(
    multi_label_tagger: ThemeTagger, tmp_path: Path
) -> None:
    texts, _ = doorstep_notes(40, seed=97)
    directory = multi_label_tagger.save(tmp_path / "model")
    loaded = ThemeTagger.load(directory)
    assert loaded.predict(texts) == multi_label_tagger.predict(texts)
    assert loaded.predict_proba(texts) == multi_label_tagger.predict_proba(texts)
    assert loaded.version == multi_label_tagger.version
    metadata = json.loads((directory / METADATA_FILE).read_text())
    assert metadata["version"] == multi_label_tagger.version
    assert metadata["training_size"] == 240
    assert metadata["themes"] == multi_label_tagger.themes
    assert metadata["created_at"].endswith("+00:00")
    assert {"scikit-learn", "numpy", "scipy", "python"} <= set(metadata["library_versions"])


def test_load_refuses_a_model_file_that_does_not_match_its_metadata(
    multi_label_tagger: ThemeTagger, single_label_tagger: ThemeTagger, tmp_path: Path
) -> None:
    first = multi_label_tagger.save(tmp_path / "first")
    second = single_label_tagger.save(tmp_path / "second")
    (first / MODEL_FILE).write_bytes((second / MODEL_FILE).read_bytes())
    with pytest.raises(TaggerError, match="checksum"):
        ThemeTagger.load(first)
    with pytest.raises(TaggerError, match="does not hold a saved tagger"):
        ThemeTagger.load(tmp_path / "missing")
    metadata = json.loads((second / METADATA_FILE).read_text())
    (second / METADATA_FILE).write_text(json.dumps({**metadata, "format_version": 99}))
    with pytest.raises(TaggerError, match="format 99 tagger"):
        ThemeTagger.load(second)


def test_version_differs_between_models_trained_on_different_data(
    multi_label_tagger: ThemeTagger, single_label_tagger: ThemeTagger
) -> None:
    assert multi_label_tagger.version != single_label_tagger.version
    assert multi_label_tagger.version.split("-")[-1] != single_label_tagger.version.split("-")[-1]


def test_untrained_or_invalid_use_raises_clear_errors() -> None:
    with pytest.raises(TaggerError, match="not been trained"):
        ThemeTagger().predict(["hello"])
    with pytest.raises(TaggerError, match="not been trained"):
        _ = ThemeTagger().version
    with pytest.raises(TaggerError, match="2 texts but 1 label sets"):
        ThemeTagger().fit(["a", "b"], [["x"]])
    with pytest.raises(TaggerError, match="no themes"):
        ThemeTagger().fit(["a", "b"], [[], [" "]])


def test_decode_applies_the_cardinality_learned_in_training() -> None:
    probabilities = np.array([[0.9, 0.8, 0.7], [0.1, 0.2, 0.3], [0.6, 0.1, 0.1]])
    scores = np.log(probabilities / (1 - probabilities))
    thresholds = np.array([0.5, 0.5, 0.5])

    at_most_two = DecodingRule(exactly_one=False, at_least_one=True, max_labels=2)
    decided = decode(scores, probabilities, thresholds, at_most_two, has_text=[True, True, False])
    assert decided.tolist() == [
        [True, True, False],
        [False, False, True],
        [False, False, False],
    ]

    may_be_empty = DecodingRule(exactly_one=False, at_least_one=False, max_labels=3)
    decided = decode(scores, probabilities, thresholds, may_be_empty, has_text=[True] * 3)
    assert decided.sum(axis=1).tolist() == [3, 0, 1]

    one = DecodingRule(exactly_one=True, at_least_one=True, max_labels=1)
    balanced_scores = np.array([[0.1, 0.2, 0.3], [2.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    decided = decode(balanced_scores, probabilities, thresholds, one, [True, True, True])
    assert decided.tolist() == [
        [False, False, True],
        [True, False, False],
        [True, False, False],
    ]


def test_predictions_are_ordered_by_confidence(multi_label_tagger: ThemeTagger) -> None:
    results = multi_label_tagger.predict_with_confidence(
        ["the 38 bus never turns up and damp and mould in the bedroom"]
    )[0]
    assert {theme for theme, _ in results} == {"buses", "housing repairs"}
    confidences = [confidence for _, confidence in results]
    assert confidences == sorted(confidences, reverse=True)


def test_vocabulary_coverage_flags_notes_about_unseen_subjects(
    multi_label_tagger: ThemeTagger,
) -> None:
    familiar, unfamiliar, empty = multi_label_tagger.vocabulary_coverage(
        ["the bus stop shelter is smashed", "e-scooters abandoned by the precinct", ""]
    )
    assert familiar == 1.0
    assert unfamiliar == 0.0
    assert empty == 1.0
