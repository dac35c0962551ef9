"""Multi-label theme tagging that trains and runs on a laptop CPU with nothing to download.

Organisers confirm themes on conversations; those confirmed examples are all the tagger learns from.
It has to be usable for review queues, so it gives each theme a confidence that behaves like a
probability (a tag at 0.8 is right about four times in five on text like the training data), not
just a ranking.

How it works, in short:

* Features are a union of word 1-2 gram and character 2-5 gram TF-IDF (sublinear term frequency),
  plus one feature that says "this text is empty". Character n-grams make misspellings and word
  endings ("scooters", "scooter", "e-scooter") count as evidence; the empty flag lets a taxonomy
  that has a theme for blank answers learn it instead of guessing.
* One linear classifier per theme (one-vs-rest), class-weighted so that themes with a handful of
  examples still get a boundary.
* Out-of-fold decision scores from an inner cross-validation are mapped to probabilities with
  Platt scaling per theme, and the same out-of-fold probabilities choose a decision threshold per
  theme (themes with too few positives share one global threshold).
* Decoding uses the label cardinality seen in training: when every training text had exactly one
  theme the tagger returns the theme with the highest class-balanced score (which, unlike the
  calibrated probability, does not favour frequent themes); when (nearly) every text had at least
  one theme it never returns none; it never returns more themes than any training text had.
"""

from __future__ import annotations

import hashlib
import json
import platform
import re
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import joblib
import numpy as np
import scipy
import scipy.sparse as sp
import sklearn
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.svm import LinearSVC

FORMAT_VERSION = 1
MODEL_FILE = "model.joblib"
METADATA_FILE = "metadata.json"

ClassifierKind = Literal["logistic", "linear_svm"]


class TaggerError(Exception):
    """Raised when the tagger is used in a way that cannot give a meaningful answer."""


@dataclass(frozen=True)
class TaggerSettings:
    """Choices that change what the tagger learns; saved with every model so it can be rebuilt."""

    word_ngram_max: int = 2
    char_ngram_min: int = 2
    char_ngram_max: int = 5
    use_char_ngrams: bool = True
    min_document_frequency: int = 2
    max_char_features: int | None = 150_000
    classifier: ClassifierKind = "logistic"
    regularisation_strength: float = 4.0
    balanced_class_weight: bool = True
    calibration_folds: int = 3
    min_positives_for_own_threshold: int = 8
    random_state: int = 0


@dataclass(frozen=True)
class DecodingRule:
    """What the training data said about how many themes a text carries."""

    exactly_one: bool
    at_least_one: bool
    max_labels: int


@dataclass
class _FittedModel:
    word_vectoriser: TfidfVectorizer
    char_vectoriser: TfidfVectorizer | None
    coefficients: np.ndarray
    intercepts: np.ndarray
    platt_slopes: np.ndarray
    platt_offsets: np.ndarray
    thresholds: np.ndarray
    decoding: DecodingRule
    empty_text_seen: bool


@dataclass(frozen=True)
class TaggerMetadata:
    """Everything a reviewer needs to know which model tagged a conversation, kept beside it."""

    version: str
    format_version: int
    created_at: str
    training_size: int
    themes: list[str]
    settings: dict[str, Any]
    decoding: dict[str, Any]
    library_versions: dict[str, str]
    model_sha256: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


_WHITESPACE = re.compile(r"\s+")
_CONTENT_WORD = re.compile(r"(?u)\b[^\W\d_]{3,}\b")


def normalise_text(text: str | None) -> str:
    """Collapse whitespace so that blank answers ("", "  \\n") look alike to the empty-text flag."""
    if text is None:
        return ""
    return _WHITESPACE.sub(" ", str(text)).strip()


class ThemeTagger:
    """A versioned multi-label theme tagger; see the module docstring for the method."""

    def __init__(self, settings: TaggerSettings | None = None) -> None:
        self.settings = settings or TaggerSettings()
        self._model: _FittedModel | None = None
        self._metadata: TaggerMetadata | None = None
        self.themes: list[str] = []

    @property
    def is_fitted(self) -> bool:
        return self._model is not None

    @property
    def version(self) -> str:
        """Identifies the trained model; changes whenever data, settings or training time change."""
        return self._require_metadata().version

    @property
    def metadata(self) -> TaggerMetadata:
        return self._require_metadata()

    def fit(self, texts: Sequence[str], label_sets: Sequence[Sequence[str]]) -> ThemeTagger:
        """Learn from confirmed examples; texts with no themes are kept as negatives for all."""
        if len(texts) != len(label_sets):
            raise TaggerError(f"{len(texts)} texts but {len(label_sets)} label sets were given.")
        if len(texts) == 0:
            raise TaggerError("Cannot train a tagger on no examples.")
        cleaned = [normalise_text(text) for text in texts]
        label_lists = [
            sorted({str(label).strip() for label in labels if str(label).strip()})
            for labels in label_sets
        ]
        themes = sorted({label for labels in label_lists for label in labels})
        if not themes:
            raise TaggerError("The training examples carry no themes.")
        theme_index = {theme: position for position, theme in enumerate(themes)}
        targets = np.zeros((len(cleaned), len(themes)), dtype=bool)
        for row, labels in enumerate(label_lists):
            for label in labels:
                targets[row, theme_index[label]] = True

        decoding = _learn_decoding_rule(targets, cleaned)
        word_vectoriser, char_vectoriser = self._make_vectorisers(len(cleaned))
        features = _fit_features(word_vectoriser, char_vectoriser, cleaned)

        out_of_fold_scores = self._out_of_fold_scores(cleaned, targets)
        slopes, offsets = _fit_platt(out_of_fold_scores, targets)
        out_of_fold_probabilities = _sigmoid(out_of_fold_scores * slopes + offsets)
        thresholds = _choose_thresholds(
            out_of_fold_probabilities, targets, self.settings.min_positives_for_own_threshold
        )
        coefficients, intercepts = self._train_linear(features, targets)

        self._model = _FittedModel(
            word_vectoriser=word_vectoriser,
            char_vectoriser=char_vectoriser,
            coefficients=coefficients,
            intercepts=intercepts,
            platt_slopes=slopes,
            platt_offsets=offsets,
            thresholds=thresholds,
            decoding=decoding,
            empty_text_seen=any(not text for text in cleaned),
        )
        self.themes = themes
        created = datetime.now(UTC)
        digest = _training_digest(cleaned, label_lists, self.settings)
        self._metadata = TaggerMetadata(
            version=f"{created:%Y%m%dT%H%M%SZ}-{digest[:10]}",
            format_version=FORMAT_VERSION,
            created_at=created.isoformat(),
            training_size=len(cleaned),
            themes=list(themes),
            settings=asdict(self.settings),
            decoding=asdict(decoding),
            library_versions=_library_versions(),
        )
        return self

    def predict_proba(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """Per-text confidence for every theme, calibrated on held-out folds of the training data."""
        _, probabilities = self._score_matrices(texts)
        return [
            {theme: float(value) for theme, value in zip(self.themes, row, strict=True)}
            for row in probabilities
        ]

    def predict(self, texts: Sequence[str]) -> list[list[str]]:
        """Themes for each text, most confident first."""
        scores, probabilities = self._score_matrices(texts)
        decisions = self._decide(scores, probabilities, [normalise_text(text) for text in texts])
        predictions: list[list[str]] = []
        for row_probabilities, row_decision in zip(probabilities, decisions, strict=True):
            chosen = np.flatnonzero(row_decision)
            ordered = chosen[np.argsort(-row_probabilities[chosen], kind="stable")]
            predictions.append([self.themes[index] for index in ordered])
        return predictions

    def vocabulary_coverage(self, texts: Sequence[str]) -> list[float]:
        """Share of each text's content words that occurred in the confirmed training examples.

        Confidence is calibrated on text like the training data; a note made mostly of words the
        model never saw ("e-scooters", "precinct") can still get a confident tag from its few
        familiar words. Low coverage is the signal that the taxonomy has not met the subject yet.
        An empty text has coverage 1 (there is nothing unfamiliar in it).
        """
        model = self._require_model()
        vocabulary = model.word_vectoriser.vocabulary_
        analyse = model.word_vectoriser.build_preprocessor()
        shares: list[float] = []
        for text in texts:
            words = [
                word
                for word in _CONTENT_WORD.findall(analyse(normalise_text(text)))
                if word not in ENGLISH_STOP_WORDS
            ]
            shares.append(sum(word in vocabulary for word in words) / len(words) if words else 1.0)
        return shares

    def predict_with_confidence(self, texts: Sequence[str]) -> list[list[tuple[str, float]]]:
        """Chosen themes with their confidence, for review queues that sort by doubt."""
        scores, probabilities = self._score_matrices(texts)
        decisions = self._decide(scores, probabilities, [normalise_text(text) for text in texts])
        results: list[list[tuple[str, float]]] = []
        for row_probabilities, row_decision in zip(probabilities, decisions, strict=True):
            chosen = np.flatnonzero(row_decision)
            ordered = chosen[np.argsort(-row_probabilities[chosen], kind="stable")]
            results.append([(self.themes[i], float(row_probabilities[i])) for i in ordered])
        return results

    def save(self, path: str | Path) -> Path:
        """Write the model and a readable metadata file into a directory; returns that directory.

        The metadata records a SHA-256 of the model file so that :meth:`load` refuses a model file
        that does not belong to it. Model files are pickles: load only ones your organisation made.
        """
        model = self._require_model()
        metadata = self._require_metadata()
        directory = Path(path)
        directory.mkdir(parents=True, exist_ok=True)
        model_path = directory / MODEL_FILE
        joblib.dump(
            {"settings": asdict(self.settings), "themes": self.themes, "model": model},
            model_path,
            compress=3,
        )
        saved = TaggerMetadata(**{**asdict(metadata), "model_sha256": _sha256(model_path)})
        (directory / METADATA_FILE).write_text(
            json.dumps(asdict(saved), indent=2) + "\n", encoding="utf-8"
        )
        self._metadata = saved
        return directory

    @classmethod
    def load(cls, path: str | Path) -> ThemeTagger:
        directory = Path(path)
        metadata_path = directory / METADATA_FILE
        model_path = directory / MODEL_FILE
        if not metadata_path.is_file() or not model_path.is_file():
            raise TaggerError(
                f"{directory} does not hold a saved tagger ({METADATA_FILE} and {MODEL_FILE})."
            )
        try:
            recorded = json.loads(metadata_path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise TaggerError(f"{metadata_path} is not readable metadata ({error}).") from error
        if not isinstance(recorded, dict) or recorded.get("format_version") != FORMAT_VERSION:
            found = recorded.get("format_version") if isinstance(recorded, dict) else None
            raise TaggerError(
                f"{directory} holds a format {found} tagger; this code reads format {FORMAT_VERSION}."
            )
        known = TaggerMetadata.__dataclass_fields__
        metadata = TaggerMetadata(**{key: value for key, value in recorded.items() if key in known})
        if metadata.model_sha256 != _sha256(model_path):
            raise TaggerError(f"{model_path} does not match the checksum in {metadata_path}.")
        payload = joblib.load(model_path)
        tagger = cls(TaggerSettings(**payload["settings"]))
        tagger.themes = list(payload["themes"])
        tagger._model = payload["model"]
        tagger._metadata = metadata
        return tagger

    def _require_model(self) -> _FittedModel:
        if self._model is None:
            raise TaggerError("The tagger has not been trained or loaded yet.")
        return self._model

    def _require_metadata(self) -> TaggerMetadata:
        if self._metadata is None:
            raise TaggerError("The tagger has not been trained or loaded yet.")
        return self._metadata

    def _make_vectorisers(self, size: int) -> tuple[TfidfVectorizer, TfidfVectorizer | None]:
        min_df = self.settings.min_document_frequency if size >= 50 else 1
        word_vectoriser = TfidfVectorizer(
            analyzer="word",
            ngram_range=(1, self.settings.word_ngram_max),
            token_pattern=r"(?u)\b\w+\b",
            strip_accents="unicode",
            sublinear_tf=True,
            min_df=min_df,
            max_df=1.0,
            dtype=np.float32,
        )
        if not self.settings.use_char_ngrams:
            return word_vectoriser, None
        char_vectoriser = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(self.settings.char_ngram_min, self.settings.char_ngram_max),
            strip_accents="unicode",
            sublinear_tf=True,
            min_df=min_df,
            max_features=self.settings.max_char_features,
            dtype=np.float32,
        )
        return word_vectoriser, char_vectoriser

    def _out_of_fold_scores(self, texts: list[str], targets: np.ndarray) -> np.ndarray:
        """Decision scores for each training text from models that never saw it."""
        folds = max(2, min(self.settings.calibration_folds, len(texts)))
        scores = np.zeros(targets.shape, dtype=np.float64)
        splitter = KFold(n_splits=folds, shuffle=True, random_state=self.settings.random_state)
        text_array = np.asarray(texts, dtype=object)
        for train_rows, held_out_rows in splitter.split(text_array):
            word_vectoriser, char_vectoriser = self._make_vectorisers(len(train_rows))
            train_features = _fit_features(
                word_vectoriser, char_vectoriser, list(text_array[train_rows])
            )
            held_out_features = _transform_features(
                word_vectoriser, char_vectoriser, list(text_array[held_out_rows])
            )
            coefficients, intercepts = self._train_linear(train_features, targets[train_rows])
            scores[held_out_rows] = _decision(held_out_features, coefficients, intercepts)
        return scores

    def _train_linear(
        self, features: sp.csr_matrix, targets: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """One binary linear model per theme; constant themes get a constant score."""
        theme_count = targets.shape[1]
        coefficients = np.zeros((theme_count, features.shape[1]), dtype=np.float32)
        intercepts = np.zeros(theme_count, dtype=np.float64)
        for theme in range(theme_count):
            column = targets[:, theme]
            positives = int(column.sum())
            if positives == 0 or positives == len(column):
                intercepts[theme] = 10.0 if positives else -10.0
                continue
            estimator = self._binary_estimator()
            with warnings.catch_warnings():
                # Stopping at max_iter leaves a model close to the optimum, and the calibration is
                # fitted to the scores it actually gives, so the warning would only alarm users.
                warnings.simplefilter("ignore", category=ConvergenceWarning)
                estimator.fit(features, column)
            coefficients[theme] = estimator.coef_.ravel()
            intercepts[theme] = float(estimator.intercept_[0])
        return coefficients, intercepts

    def _binary_estimator(self) -> LogisticRegression | LinearSVC:
        class_weight = "balanced" if self.settings.balanced_class_weight else None
        if self.settings.classifier == "linear_svm":
            return LinearSVC(
                C=self.settings.regularisation_strength,
                class_weight=class_weight,
                random_state=self.settings.random_state,
            )
        # The dual problem has one variable per text rather than per feature; with many more
        # n-gram features than texts it reaches the same optimum over ten times faster.
        return LogisticRegression(
            C=self.settings.regularisation_strength,
            class_weight=class_weight,
            solver="liblinear",
            dual=True,
            max_iter=1000,
            random_state=self.settings.random_state,
        )

    def _score_matrices(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Raw decision scores and calibrated probabilities, texts by themes."""
        model = self._require_model()
        cleaned = [normalise_text(text) for text in texts]
        if not cleaned:
            empty = np.zeros((0, len(self.themes)))
            return empty, empty
        features = _transform_features(model.word_vectoriser, model.char_vectoriser, cleaned)
        scores = _decision(features, model.coefficients, model.intercepts)
        probabilities = _sigmoid(scores * model.platt_slopes + model.platt_offsets)
        if not model.empty_text_seen:
            probabilities[[not text for text in cleaned]] = 0.0
        return scores, probabilities

    def _decide(
        self, scores: np.ndarray, probabilities: np.ndarray, cleaned: list[str]
    ) -> np.ndarray:
        model = self._require_model()
        return decode(
            scores,
            probabilities,
            model.thresholds,
            model.decoding,
            has_text=[bool(text) or model.empty_text_seen for text in cleaned],
        )


def decode(
    scores: np.ndarray,
    probabilities: np.ndarray,
    thresholds: np.ndarray,
    rule: DecodingRule,
    has_text: Sequence[bool],
) -> np.ndarray:
    """Turn scores into theme choices under the cardinality seen in training.

    With one theme per text the class-weighted raw scores decide: they
    already balance rare against frequent themes, which calibration deliberately undoes.
    """
    decisions = probabilities >= thresholds
    if probabilities.shape[0] == 0:
        return decisions
    best = np.argmax(probabilities, axis=1)
    rows = np.arange(probabilities.shape[0])
    if rule.exactly_one:
        best = np.argmax(scores, axis=1)
        decisions = np.zeros_like(decisions)
        decisions[rows, best] = True
    else:
        if rule.at_least_one:
            decisions[rows, best] = True
        too_many = decisions.sum(axis=1) > rule.max_labels
        for row in np.flatnonzero(too_many):
            keep = np.argsort(-probabilities[row])[: rule.max_labels]
            decisions[row] = False
            decisions[row, keep] = True
    decisions[~np.asarray(has_text, dtype=bool)] = False
    return decisions


def _learn_decoding_rule(targets: np.ndarray, texts: list[str]) -> DecodingRule:
    with_text = np.asarray([bool(text) for text in texts])
    counts = targets.sum(axis=1)
    relevant = counts[with_text] if with_text.any() else counts
    exactly_one = bool(np.all(relevant == 1))
    at_least_one = bool(np.mean(relevant >= 1) >= 0.95)
    return DecodingRule(
        exactly_one=exactly_one, at_least_one=at_least_one, max_labels=max(1, int(counts.max()))
    )


def _fit_features(
    word_vectoriser: TfidfVectorizer, char_vectoriser: TfidfVectorizer | None, texts: list[str]
) -> sp.csr_matrix:
    blocks = [word_vectoriser.fit_transform(texts)]
    if char_vectoriser is not None:
        blocks.append(char_vectoriser.fit_transform(texts))
    blocks.append(_empty_flag(texts))
    return sp.hstack(blocks, format="csr", dtype=np.float32)


def _transform_features(
    word_vectoriser: TfidfVectorizer, char_vectoriser: TfidfVectorizer | None, texts: list[str]
) -> sp.csr_matrix:
    blocks = [word_vectoriser.transform(texts)]
    if char_vectoriser is not None:
        blocks.append(char_vectoriser.transform(texts))
    blocks.append(_empty_flag(texts))
    return sp.hstack(blocks, format="csr", dtype=np.float32)


def _empty_flag(texts: list[str]) -> sp.csr_matrix:
    return sp.csr_matrix(np.asarray([[0.0 if text else 1.0] for text in texts], dtype=np.float32))


def _decision(
    features: sp.csr_matrix, coefficients: np.ndarray, intercepts: np.ndarray
) -> np.ndarray:
    return np.asarray(features @ coefficients.T, dtype=np.float64) + intercepts


def _sigmoid(values: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(values, -35.0, 35.0)))


def _fit_platt(scores: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Platt scaling per theme with his smoothed targets, which keeps rare themes from going to 0/1."""
    theme_count = scores.shape[1]
    slopes = np.ones(theme_count)
    offsets = np.zeros(theme_count)
    for theme in range(theme_count):
        column = targets[:, theme]
        positives = int(column.sum())
        negatives = len(column) - positives
        smoothed = np.where(column, (positives + 1.0) / (positives + 2.0), 1.0 / (negatives + 2.0))
        x = scores[:, theme]
        scale = float(np.std(x)) or 1.0

        def loss_and_gradient(
            params: np.ndarray, x: np.ndarray = x / scale, t: np.ndarray = smoothed
        ) -> tuple[float, np.ndarray]:
            z = params[0] * x + params[1]
            log_p = -np.logaddexp(0.0, -z)
            log_not_p = -np.logaddexp(0.0, z)
            loss = -float(np.sum(t * log_p + (1.0 - t) * log_not_p))
            residual = _sigmoid(z) - t
            return loss, np.array([float(residual @ x), float(residual.sum())])

        prior = np.log((positives + 1.0) / (negatives + 1.0))
        result = minimize(loss_and_gradient, x0=np.array([1.0, prior]), jac=True, method="L-BFGS-B")
        slopes[theme] = max(float(result.x[0]), 0.0) / scale
        offsets[theme] = float(result.x[1])
    return slopes, offsets


def _choose_thresholds(
    probabilities: np.ndarray, targets: np.ndarray, min_positives: int
) -> np.ndarray:
    """Per-theme F1-optimal thresholds, with a shared threshold for themes too rare to trust."""
    grid = np.linspace(0.05, 0.95, 91)
    predicted = probabilities[:, :, None] >= grid[None, None, :]
    truth = targets[:, :, None]
    true_positive = np.sum(predicted & truth, axis=0)
    false_positive = np.sum(predicted & ~truth, axis=0)
    false_negative = np.sum(~predicted & truth, axis=0)
    f1 = 2 * true_positive / np.maximum(2 * true_positive + false_positive + false_negative, 1)
    pooled_f1 = (
        2
        * true_positive.sum(0)
        / np.maximum(2 * true_positive.sum(0) + false_positive.sum(0) + false_negative.sum(0), 1)
    )
    shared = float(grid[int(np.argmax(pooled_f1))])
    thresholds = np.full(targets.shape[1], shared)
    positives = targets.sum(axis=0)
    own = positives >= min_positives
    thresholds[own] = grid[np.argmax(f1[own], axis=1)]
    return thresholds


def _training_digest(
    texts: list[str], label_lists: list[list[str]], settings: TaggerSettings
) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps(asdict(settings), sort_keys=True).encode())
    for text, labels in zip(texts, label_lists, strict=True):
        digest.update(text.encode("utf-8", "replace"))
        digest.update(b"\x1f")
        digest.update("\x1e".join(labels).encode("utf-8", "replace"))
        digest.update(b"\x1d")
    return digest.hexdigest()


def _library_versions() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "joblib": joblib.__version__,
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
