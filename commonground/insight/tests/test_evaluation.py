from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import pytest

from commonground.insight.evaluation import (
    EvaluationDataError,
    compare_on_holdout,
    evaluate,
    format_report,
    read_labelled_csv,
    score,
    split_themes,
)
from commonground.insight.tagger import ThemeTagger

from .synthetic import doorstep_notes


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


class FixedAnswers:
    """Answers each text from a lookup, so metrics can be checked by hand end to end."""

    version = "fixed-1"

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.trained_on = 0

    def fit(self, texts: Sequence[str], label_sets: Sequence[Sequence[str]]) -> FixedAnswers:
        self.trained_on = len(texts)
        return self

    def predict(self, texts: Sequence[str]) -> list[list[str]]:
        return [self.answers.get(text, []) for text in texts]


def test_scores_match_a_hand_computed_example() -> None:
    truth = [["a"], ["a", "b"], ["b"], ["c"], []]
    predicted = [["a"], ["a"], ["a", "b"], [], []]
    result = score(truth, predicted, macro_min_support=1)
    by_theme = {entry.theme: entry for entry in result.per_theme}
    # a: tp 2, fp 1, fn 0 -> P 2/3, R 1, F1 0.8; b: tp 1, fp 0, fn 1 -> F1 2/3; c: F1 0
    assert by_theme["a"].precision == pytest.approx(2 / 3)
    assert by_theme["a"].recall == pytest.approx(1.0)
    assert by_theme["a"].f1 == pytest.approx(0.8)
    assert by_theme["b"].f1 == pytest.approx(2 / 3)
    assert by_theme["c"].f1 == 0.0
    assert (by_theme["a"].support, by_theme["b"].support, by_theme["c"].support) == (2, 2, 1)
    assert result.macro_f1 == pytest.approx((0.8 + 2 / 3 + 0.0) / 3)
    # micro: tp 3, fp 1, fn 2 -> 6 / 9
    assert result.micro_f1 == pytest.approx(6 / 9)
    assert result.micro_precision == pytest.approx(3 / 4)
    assert result.micro_recall == pytest.approx(3 / 5)
    # per comment: 1, 2/3, 2/3, 0, 1 (nothing expected and nothing given counts as right)
    assert result.per_comment_f1 == pytest.approx((1 + 2 / 3 + 2 / 3 + 0 + 1) / 5)


def test_macro_f1_counts_only_themes_with_enough_test_examples() -> None:
    truth = [["common"]] * 5 + [["rare"]]
    predicted = [["common"]] * 5 + [[]]
    result = score(truth, predicted)
    assert result.macro_theme_count == 1
    assert result.macro_f1 == pytest.approx(1.0)
    assert score(truth, predicted, macro_min_support=1).macro_f1 == pytest.approx(0.5)


def test_themes_cell_parsing_tolerates_spacing_and_repeats() -> None:
    assert split_themes("Buses; Litter;Litter ;  ; Housing repairs") == [
        "Buses",
        "Litter",
        "Housing repairs",
    ]
    assert split_themes("") == []


def test_evaluate_writes_predictions_in_test_order_and_scores_them(tmp_path: Path) -> None:
    train = _write(tmp_path / "train.csv", [["text", "themes"], ["x", "a"], ["y", "b"]])
    test = _write(
        tmp_path / "test.csv",
        [["id", "text", "themes"], ["1", "one", "a"], ["2", "two", "a; b"], ["3", "three", "b"]],
    )
    tagger = FixedAnswers({"one": ["a"], "two": ["a"], "three": ["a", "b"]})
    out = tmp_path / "out" / "predictions.csv"
    report = evaluate(train, test, out, make_tagger=lambda: tagger)

    assert tagger.trained_on == 2
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [["text", "themes"], ["one", "a"], ["two", "a"], ["three", "a; b"]]
    assert report.test_rows == 3
    assert report.train_rows == 2
    assert report.model_version == "fixed-1"
    # a: tp 2 fp 1 fn 0 -> 0.8; b: tp 1 fp 0 fn 1 -> 2/3; neither has 5 test rows
    assert report.scores.macro_theme_count == 0
    assert report.micro_f1 == pytest.approx(6 / 8)
    assert report.per_comment_f1 == pytest.approx((1 + 2 / 3 + 2 / 3) / 3)
    assert report.predictions_per_second > 0
    text = format_report(report)
    assert "Micro-F1:            0.750" in text
    assert "fixed-1" in text


def test_evaluate_with_the_real_tagger_keeps_row_count(tmp_path: Path) -> None:
    texts, label_sets = doorstep_notes(150, seed=11)
    rows = [["text", "themes"]] + [
        [text, "; ".join(labels)] for text, labels in zip(texts, label_sets, strict=True)
    ]
    train = _write(tmp_path / "train.csv", rows[:121])
    test = _write(tmp_path / "test.csv", [rows[0], *rows[121:], ["", ""]])
    report = evaluate(train, test, tmp_path / "predictions.csv")
    predictions = read_labelled_csv(tmp_path / "predictions.csv")
    assert len(predictions.texts) == report.test_rows == 31
    assert predictions.texts == [*texts[120:], ""]
    assert predictions.label_sets[-1] == []
    assert report.per_comment_f1 > 0.85
    assert report.macro_f1 > 0.85


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", r"empty\.csv: the file is empty"),
        ("text,themes\n", r"empty\.csv: the file has a header but no data rows"),
        ("text,labels\nhello,a\n", r"empty\.csv, row 1: missing column 'themes'"),
        ("comment\nhello\n", r"missing column 'text' and 'themes'"),
        ("themes,text\na,hello\nb\n", r"empty\.csv, row 3, column 'text': the row has 1 cells"),
    ],
)
def test_bad_csv_files_are_reported_with_file_row_and_column(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "empty.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(EvaluationDataError, match=message):
        read_labelled_csv(path)


def test_missing_and_non_utf8_files_are_reported(tmp_path: Path) -> None:
    with pytest.raises(EvaluationDataError, match=r"nowhere\.csv: file not found"):
        read_labelled_csv(tmp_path / "nowhere.csv")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("text,themes\ncaf\xe9,a\n".encode("latin-1"))
    with pytest.raises(EvaluationDataError, match=r"latin\.csv: not UTF-8"):
        read_labelled_csv(latin)


def test_required_themes_are_checked_per_row(tmp_path: Path) -> None:
    path = _write(tmp_path / "train.csv", [["text", "themes"], ["a", "x"], ["b", " "]])
    with pytest.raises(EvaluationDataError, match=r"row 3, column 'themes': no themes"):
        read_labelled_csv(path, require_themes=True)


def test_training_file_without_any_theme_is_refused(tmp_path: Path) -> None:
    train = _write(tmp_path / "train.csv", [["text", "themes"], ["a", ""], ["b", ""]])
    test = _write(tmp_path / "test.csv", [["text", "themes"], ["a", "x"]])
    with pytest.raises(EvaluationDataError, match=r"train\.csv, column 'themes': no row"):
        evaluate(train, test, tmp_path / "out.csv")


def test_a_retrained_model_replaces_the_current_one_only_if_not_worse() -> None:
    texts, label_sets = doorstep_notes(200, seed=12)
    weak = ThemeTagger().fit(texts[:12], label_sets[:12])
    strong = ThemeTagger().fit(texts[:150], label_sets[:150])
    comparison = compare_on_holdout(weak, strong, texts[150:], label_sets[150:])
    assert comparison.candidate.macro_f1 > comparison.current.macro_f1
    assert comparison.candidate_should_replace
    assert not compare_on_holdout(
        strong, weak, texts[150:], label_sets[150:]
    ).candidate_should_replace
