"""Measuring a theme tagger on confirmed examples it was not trained on.

The same numbers decide whether a retrained model replaces the one in use, so they are computed
here once, from plain CSV files that an analyst can open: one column ``text`` and one column
``themes`` with themes separated by ``"; "``.

Metrics:

* macro-F1 is the mean F1 over themes with at least ``MACRO_MIN_SUPPORT`` test examples, so that
  a theme seen once or twice in the test file does not swing the headline figure;
* micro-F1 pools every theme decision, so frequent themes dominate it;
* per-comment F1 averages, over test rows, the F1 between a row's true and predicted theme sets
  (a row with no true and no predicted themes counts as 1).
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from .tagger import ThemeTagger

TEXT_COLUMN = "text"
THEMES_COLUMN = "themes"
THEME_SEPARATOR = "; "
MACRO_MIN_SUPPORT = 5


class EvaluationDataError(ValueError):
    """A CSV that cannot be used, with the file, row and column that made it so."""


class Tagger(Protocol):
    version: str

    def fit(self, texts: Sequence[str], label_sets: Sequence[Sequence[str]]) -> object: ...

    def predict(self, texts: Sequence[str]) -> list[list[str]]: ...


@dataclass(frozen=True)
class LabelledTexts:
    texts: list[str]
    label_sets: list[list[str]]
    source: str


@dataclass(frozen=True)
class ThemeScore:
    theme: str
    precision: float
    recall: float
    f1: float
    support: int
    predicted: int


@dataclass(frozen=True)
class Scores:
    macro_f1: float
    macro_theme_count: int
    micro_f1: float
    micro_precision: float
    micro_recall: float
    per_comment_f1: float
    per_theme: list[ThemeScore]


@dataclass(frozen=True)
class EvaluationReport:
    train_path: str
    test_path: str
    predictions_path: str
    train_rows: int
    test_rows: int
    model_version: str
    scores: Scores
    training_seconds: float
    prediction_seconds: float
    predictions_per_second: float

    @property
    def macro_f1(self) -> float:
        return self.scores.macro_f1

    @property
    def micro_f1(self) -> float:
        return self.scores.micro_f1

    @property
    def per_comment_f1(self) -> float:
        return self.scores.per_comment_f1


def split_themes(cell: str) -> list[str]:
    """Themes in a cell; tolerant of ``;`` without a space and of stray blanks."""
    seen: dict[str, None] = {}
    for part in cell.split(";"):
        theme = part.strip()
        if theme:
            seen.setdefault(theme, None)
    return list(seen)


def join_themes(themes: Sequence[str]) -> str:
    return THEME_SEPARATOR.join(themes)


def read_labelled_csv(path: str | Path, *, require_themes: bool = False) -> LabelledTexts:
    """Read ``text``/``themes`` rows, naming the file, row and column of anything unusable.

    Row numbers are those a spreadsheet shows: the header is row 1. Only wholly empty lines are
    skipped; a row with an empty text is kept, so predictions line up with the test file.
    """
    file_path = Path(path)
    if not file_path.is_file():
        raise EvaluationDataError(f"{file_path}: file not found.")
    try:
        with file_path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise EvaluationDataError(
                    f"{file_path}: the file is empty; expected a header row with columns 'text' and 'themes'."
                )
            names = [name.strip() for name in header]
            missing = [name for name in (TEXT_COLUMN, THEMES_COLUMN) if name not in names]
            if missing:
                found = ", ".join(repr(name) for name in names) or "none"
                raise EvaluationDataError(
                    f"{file_path}, row 1: missing column {' and '.join(repr(m) for m in missing)} (columns found: {found})."
                )
            text_at = names.index(TEXT_COLUMN)
            themes_at = names.index(THEMES_COLUMN)
            texts: list[str] = []
            label_sets: list[list[str]] = []
            for row_number, row in enumerate(reader, start=2):
                if not row:
                    continue
                if len(row) <= max(text_at, themes_at):
                    short = TEXT_COLUMN if len(row) <= text_at else THEMES_COLUMN
                    raise EvaluationDataError(
                        f"{file_path}, row {row_number}, column '{short}': the row has {len(row)} cells, "
                        f"fewer than the header's {len(names)}."
                    )
                themes = split_themes(row[themes_at])
                if require_themes and not themes:
                    raise EvaluationDataError(
                        f"{file_path}, row {row_number}, column '{THEMES_COLUMN}': no themes given."
                    )
                texts.append(row[text_at])
                label_sets.append(themes)
    except UnicodeDecodeError as error:
        raise EvaluationDataError(
            f"{file_path}: not UTF-8 text ({error.reason} at byte {error.start})."
        ) from error
    except csv.Error as error:
        raise EvaluationDataError(f"{file_path}: not a readable CSV file ({error}).") from error
    if not texts:
        raise EvaluationDataError(f"{file_path}: the file has a header but no data rows.")
    return LabelledTexts(texts=texts, label_sets=label_sets, source=str(file_path))


def write_predictions_csv(
    path: str | Path, texts: Sequence[str], predictions: Sequence[Sequence[str]]
) -> None:
    """One row per test row, in the same order, so the file lines up with the test file."""
    if len(texts) != len(predictions):
        raise ValueError(f"{len(texts)} texts but {len(predictions)} predictions.")
    file_path = Path(path)
    if file_path.parent and not file_path.parent.exists():
        file_path.parent.mkdir(parents=True, exist_ok=True)
    with file_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([TEXT_COLUMN, THEMES_COLUMN])
        for text, themes in zip(texts, predictions, strict=True):
            writer.writerow([text, join_themes(themes)])


def score(
    truth: Sequence[Sequence[str]],
    predicted: Sequence[Sequence[str]],
    *,
    macro_min_support: int = MACRO_MIN_SUPPORT,
) -> Scores:
    """Set-based multi-label scores; themes are those in either the truth or the predictions."""
    if len(truth) != len(predicted):
        raise ValueError(f"{len(truth)} true label sets but {len(predicted)} predicted ones.")
    true_sets = [set(labels) for labels in truth]
    predicted_sets = [set(labels) for labels in predicted]
    themes = sorted(set().union(*true_sets, *predicted_sets)) if true_sets else []
    per_theme: list[ThemeScore] = []
    total_true_positive = total_false_positive = total_false_negative = 0
    for theme in themes:
        true_positive = sum(
            1 for t, p in zip(true_sets, predicted_sets, strict=True) if theme in t and theme in p
        )
        support = sum(1 for t in true_sets if theme in t)
        predicted_count = sum(1 for p in predicted_sets if theme in p)
        false_positive = predicted_count - true_positive
        false_negative = support - true_positive
        total_true_positive += true_positive
        total_false_positive += false_positive
        total_false_negative += false_negative
        precision = true_positive / predicted_count if predicted_count else 0.0
        recall = true_positive / support if support else 0.0
        f1 = _f1(true_positive, false_positive, false_negative)
        per_theme.append(ThemeScore(theme, precision, recall, f1, support, predicted_count))
    counted = [entry for entry in per_theme if entry.support >= macro_min_support]
    macro_f1 = sum(entry.f1 for entry in counted) / len(counted) if counted else 0.0
    micro_predicted = total_true_positive + total_false_positive
    micro_actual = total_true_positive + total_false_negative
    per_comment = [
        1.0 if not t and not p else 2 * len(t & p) / (len(t) + len(p))
        for t, p in zip(true_sets, predicted_sets, strict=True)
    ]
    return Scores(
        macro_f1=macro_f1,
        macro_theme_count=len(counted),
        micro_f1=_f1(total_true_positive, total_false_positive, total_false_negative),
        micro_precision=total_true_positive / micro_predicted if micro_predicted else 0.0,
        micro_recall=total_true_positive / micro_actual if micro_actual else 0.0,
        per_comment_f1=sum(per_comment) / len(per_comment) if per_comment else 0.0,
        per_theme=per_theme,
    )


def evaluate(
    train_csv: str | Path,
    test_csv: str | Path,
    predictions_csv: str | Path,
    *,
    make_tagger: Callable[[], Tagger] = ThemeTagger,
) -> EvaluationReport:
    """Train on one file, tag another, write the tags and score them against the confirmed themes."""
    train = read_labelled_csv(train_csv, require_themes=False)
    test = read_labelled_csv(test_csv, require_themes=False)
    if not any(train.label_sets):
        raise EvaluationDataError(
            f"{train.source}, column '{THEMES_COLUMN}': no row has any theme to learn from."
        )
    tagger = make_tagger()
    started = time.perf_counter()
    tagger.fit(train.texts, train.label_sets)
    training_seconds = time.perf_counter() - started
    started = time.perf_counter()
    predictions = tagger.predict(test.texts)
    prediction_seconds = time.perf_counter() - started
    write_predictions_csv(predictions_csv, test.texts, predictions)
    return EvaluationReport(
        train_path=str(train_csv),
        test_path=str(test_csv),
        predictions_path=str(predictions_csv),
        train_rows=len(train.texts),
        test_rows=len(test.texts),
        model_version=str(tagger.version),
        scores=score(test.label_sets, predictions),
        training_seconds=training_seconds,
        prediction_seconds=prediction_seconds,
        predictions_per_second=len(test.texts) / prediction_seconds
        if prediction_seconds > 0
        else float("inf"),
    )


def format_report(report: EvaluationReport, *, per_theme: bool = True) -> str:
    """Plain text for a terminal or an e-mail; widest theme names are cut to keep columns aligned."""
    scores = report.scores
    lines = [
        f"Model version:       {report.model_version}",
        f"Training rows:       {report.train_rows} ({report.train_path})",
        f"Test rows:           {report.test_rows} ({report.test_path})",
        f"Predictions written: {report.predictions_path}",
        "",
        f"Macro-F1:            {scores.macro_f1:.3f} (over {scores.macro_theme_count} themes with at least {MACRO_MIN_SUPPORT} test examples)",
        f"Micro-F1:            {scores.micro_f1:.3f} (precision {scores.micro_precision:.3f}, recall {scores.micro_recall:.3f})",
        f"Per-comment F1:      {scores.per_comment_f1:.3f}",
        f"Training time:       {report.training_seconds:.1f} s",
        f"Tagging speed:       {report.predictions_per_second:,.0f} comments per second",
    ]
    if per_theme:
        width = min(48, max((len(entry.theme) for entry in scores.per_theme), default=5))
        lines += ["", f"{'theme':<{width}}  precision  recall     f1  support  predicted"]
        for entry in sorted(scores.per_theme, key=lambda e: (-e.support, e.theme)):
            name = entry.theme if len(entry.theme) <= width else entry.theme[: width - 1] + "…"
            lines.append(
                f"{name:<{width}}  {entry.precision:9.3f}  {entry.recall:6.3f}  {entry.f1:5.3f}  {entry.support:7d}  {entry.predicted:9d}"
            )
    return "\n".join(lines)


def _f1(true_positive: int, false_positive: int, false_negative: int) -> float:
    denominator = 2 * true_positive + false_positive + false_negative
    return 2 * true_positive / denominator if denominator else 0.0


@dataclass(frozen=True)
class ModelComparison:
    current: Scores
    candidate: Scores

    @property
    def candidate_should_replace(self) -> bool:
        """A retrained model replaces the one in use only if it is at least as good on both averages.

        Ties go to the candidate because it has learned from more confirmed examples.
        """
        return (
            self.candidate.macro_f1 >= self.current.macro_f1
            and self.candidate.micro_f1 >= self.current.micro_f1
        )


def compare_on_holdout(
    current: Tagger, candidate: Tagger, texts: Sequence[str], label_sets: Sequence[Sequence[str]]
) -> ModelComparison:
    """Score the model in use and a retrained one on the same held-back confirmed examples."""
    return ModelComparison(
        current=score(label_sets, current.predict(texts)),
        candidate=score(label_sets, candidate.predict(texts)),
    )
