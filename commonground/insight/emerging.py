"""Finding what residents are starting to talk about that the theme taxonomy does not yet cover.

A taxonomy is edited by people and lags behind the doorstep: e-scooters, a new housing
development, a closed library. Conversations about such things get low confidence from the tagger
(no theme fits) or consist mostly of words it never saw in training, so those are the ones grouped
here, by similarity of their words and word pieces (TF-IDF, reduced with SVD, then average-linkage
clustering with a cosine distance cut-off, so nobody has to guess the number of groups). Groups are described by their most
distinctive words and a few example conversations, for an organiser to name and, if it is real,
add to the taxonomy. Everything is seeded so the same conversations give the same groups.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import scipy.sparse as sp
from sklearn.cluster import AgglomerativeClustering
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import (
    ENGLISH_STOP_WORDS,
    TfidfVectorizer,
    strip_accents_unicode,
)
from sklearn.preprocessing import normalize

DOORSTEP_STOP_WORDS = frozenset(
    [
        "really",
        "just",
        "like",
        "think",
        "people",
        "area",
        "live",
        "lived",
        "living",
        "thing",
        "things",
        "lot",
        "lots",
        "bit",
        "get",
        "got",
        "good",
        "nice",
        "would",
        "could",
        "also",
        "know",
        "much",
        "many",
        "always",
        "never",
        "ever",
        "still",
        "want",
        "well",
        "yes",
        "don",
        "dont",
        "im",
        "ive",
        "can't",
        "cant",
        "isnt",
        "doesnt",
    ]
)


_STOP_WORDS = ENGLISH_STOP_WORDS | DOORSTEP_STOP_WORDS
_WORD = re.compile(r"(?u)\b[^\W\d_]{2,}\b")


class ConfidenceSource(Protocol):
    def predict_proba(self, texts: Sequence[str]) -> list[dict[str, float]]: ...

    def vocabulary_coverage(self, texts: Sequence[str]) -> list[float]: ...


@dataclass(frozen=True)
class EmergingCluster:
    """A group of poorly covered conversations; indices refer to the texts passed in."""

    key_terms: list[str]
    size: int
    example_indices: list[int]
    member_indices: list[int]
    cohesion: float


def low_confidence_indices(
    confidences: Sequence[Mapping[str, float]], *, below: float
) -> list[int]:
    """Conversations whose best theme is still below ``below``: the taxonomy did not fit them."""
    return [
        index for index, row in enumerate(confidences) if max(row.values(), default=0.0) < below
    ]


def find_emerging_themes(
    texts: Sequence[str],
    *,
    tagger: ConfidenceSource | None = None,
    confidences: Sequence[Mapping[str, float]] | None = None,
    confidence_below: float = 0.8,
    coverage_below: float = 0.5,
    distance_threshold: float = 0.8,
    min_cluster_size: int = 3,
    max_clusters: int = 10,
    max_conversations: int = 4000,
    examples_per_cluster: int = 3,
    key_term_count: int = 6,
    random_state: int = 0,
) -> list[EmergingCluster]:
    """Group the conversations that no theme fits, largest and tightest groups first.

    Give a trained ``tagger`` (or precomputed ``confidences``) to look only at poorly covered
    conversations: those whose best theme is below ``confidence_below``, and, with a tagger, those
    in which fewer than ``coverage_below`` of the content words were ever seen in training. Give
    neither to cluster everything.
    """
    coverage: Sequence[float] | None = None
    if tagger is not None:
        coverage = tagger.vocabulary_coverage(list(texts))
        if confidences is None:
            confidences = tagger.predict_proba(list(texts))
    if confidences is not None:
        if len(confidences) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(confidences)} confidence rows.")
        candidates = low_confidence_indices(confidences, below=confidence_below)
        if coverage is not None:
            unfamiliar = {i for i, share in enumerate(coverage) if share < coverage_below}
            candidates = sorted(set(candidates) | unfamiliar)
    else:
        candidates = list(range(len(texts)))
    candidates = [index for index in candidates if str(texts[index]).strip()]
    if len(candidates) < 2 * min_cluster_size:
        return []

    word_vectoriser = TfidfVectorizer(analyzer=content_terms, sublinear_tf=True, min_df=2)
    try:
        weights = word_vectoriser.fit_transform([str(texts[index]) for index in candidates])
    except ValueError:
        return []
    has_terms = np.asarray(weights.sum(axis=1)).ravel() > 0
    kept = [candidate for candidate, keep in zip(candidates, has_terms, strict=True) if keep]
    weights = weights[has_terms]
    if len(kept) < 2 * min_cluster_size or weights.shape[1] < 2:
        return []
    if len(kept) > max_conversations:
        selected = np.sort(
            np.argsort(_best_confidence(confidences, kept), kind="stable")[:max_conversations]
        )
        kept = [kept[i] for i in selected]
        weights = weights[selected]

    reduced = _similarity_space([str(texts[index]) for index in kept], weights, random_state)
    labels = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=distance_threshold
    ).fit_predict(reduced)

    terms = word_vectoriser.get_feature_names_out()
    clusters: list[EmergingCluster] = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        if len(members) < min_cluster_size:
            continue
        inside = np.asarray(weights[members].mean(axis=0)).ravel()
        others = labels != label
        outside = np.asarray(weights[others].mean(axis=0)).ravel() if others.any() else 0.0
        distinctive = inside - outside
        top = [
            terms[i]
            for i in np.argsort(-distinctive, kind="stable")[:key_term_count]
            if distinctive[i] > 0
        ]
        centre = reduced[members].mean(axis=0)
        centre_norm = float(np.linalg.norm(centre)) or 1.0
        closeness = reduced[members] @ (centre / centre_norm)
        ordered = members[np.argsort(-closeness, kind="stable")]
        clusters.append(
            EmergingCluster(
                key_terms=_drop_contained_terms(top),
                size=len(members),
                example_indices=[kept[i] for i in ordered[:examples_per_cluster]],
                member_indices=sorted(kept[i] for i in members),
                cohesion=float(closeness.mean()),
            )
        )
    clusters.sort(key=lambda cluster: (-cluster.size * cluster.cohesion, cluster.member_indices[0]))
    return clusters[:max_clusters]


def content_terms(text: str) -> list[str]:
    """Content words, crudely made singular, and their adjacent pairs.

    Residents write "scooter" and "scooters", "e-scooter" and "escooters"; without folding plurals
    the same subject splits into two groups.
    """
    words = [
        _singular(word)
        for word in _WORD.findall(strip_accents_unicode(str(text).lower()))
        if word not in _STOP_WORDS
    ]
    return words + [f"{first} {second}" for first, second in itertools.pairwise(words)]


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _similarity_space(
    texts: list[str], word_weights: sp.csr_matrix, random_state: int
) -> np.ndarray:
    """Words plus character n-grams of the content words, so "e-scooter" and "scooters" meet."""
    content = [" ".join(term for term in content_terms(text) if " " not in term) for text in texts]
    characters = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2
    )
    try:
        character_weights = characters.fit_transform(content)
        combined = sp.hstack([word_weights, character_weights], format="csr")
    except ValueError:
        combined = word_weights
    components = min(100, combined.shape[1] - 1, len(texts) - 1)
    reduced = TruncatedSVD(n_components=components, random_state=random_state).fit_transform(
        combined
    )
    return normalize(reduced)


def _best_confidence(
    confidences: Sequence[Mapping[str, float]] | None, indices: list[int]
) -> np.ndarray:
    if confidences is None:
        return np.zeros(len(indices))
    return np.asarray([max(confidences[i].values(), default=0.0) for i in indices])


def _drop_contained_terms(terms: list[str]) -> list[str]:
    """Drop a word pair whose words are both listed already: it tells the reader nothing new."""
    words = {term for term in terms if " " not in term}
    return [term for term in terms if " " not in term or not set(term.split()) <= words]
