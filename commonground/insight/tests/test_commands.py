from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from commonground.insight.demo import seed_examples
from commonground.insight.models import AreaMonth, TaggerModel, Theme, TrainingExample

from .factories import conversation, tag


def _write(path: Path, rows: list[tuple[str, list[str]]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text", "themes"])
        for number, (text, themes) in enumerate(rows):
            writer.writerow([number, text, "; ".join(themes)])


def test_evaluate_trains_on_train_only_and_writes_predictions_in_order(tmp_path: Path) -> None:
    train, test, out = tmp_path / "train.csv", tmp_path / "test.csv", tmp_path / "out.csv"
    _write(train, seed_examples(160, seed=11))
    test_rows = seed_examples(40, seed=12)
    _write(test, test_rows)
    stdout = StringIO()
    call_command(
        "themes",
        "evaluate",
        "--train",
        str(train),
        "--test",
        str(test),
        "--predictions",
        str(out),
        stdout=stdout,
    )
    report = stdout.getvalue()
    for label in ("Macro-F1:", "Micro-F1:", "Per-comment F1:", "Training time:", "Tagging speed:"):
        assert label in report
    assert "precision  recall" in report
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["text", "themes"]
    assert [row["text"] for row in rows] == [text for text, _ in test_rows]
    correct = sum(
        set(row["themes"].split("; ")) == set(themes)
        for row, (_t, themes) in zip(rows, test_rows, strict=True)
    )
    assert correct / len(rows) > 0.6


def test_evaluate_names_the_file_row_and_column_of_bad_input(tmp_path: Path) -> None:
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    _write(train, seed_examples(30, seed=1))
    test.write_text("text,labels\nbins,x\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"test.csv, row 1: missing column 'themes'"):
        call_command(
            "themes",
            "evaluate",
            "--train",
            str(train),
            "--test",
            str(test),
            "--predictions",
            str(tmp_path / "out.csv"),
        )
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.django_db
def test_load_defaults_retrain_tag_and_rebuild(tmp_path: Path) -> None:
    stdout = StringIO()
    call_command("themes", "load-defaults", stdout=stdout)
    assert "0 themes created" in stdout.getvalue()
    with pytest.raises(CommandError, match="at least 10"):
        call_command("themes", "retrain")
    TrainingExample.objects.bulk_create(
        [
            TrainingExample(text=text, themes=themes, source="seed")
            for text, themes in seed_examples(80, seed=4)
        ]
    )
    call_command("themes", "retrain", stdout=StringIO())
    assert TaggerModel.objects.filter(status="active").count() == 1
    made = conversation(concerns="Damp in the back bedroom for months, landlord not fixing it.")
    output = StringIO()
    call_command("themes", "tag-pending", stdout=output)
    assert "1 tagged" in output.getvalue()
    assert made.theme_tags.filter(theme=Theme.objects.get(slug="housing")).exists()
    tag(conversation(), "graffiti")
    AreaMonth.objects.all().delete()
    output = StringIO()
    call_command("themes", "rebuild-counts", stdout=output)
    assert "2 conversations counted" in output.getvalue()
    assert AreaMonth.objects.exists()
