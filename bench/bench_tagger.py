"""Benchmark of the theme tagger: quality against the pxtextmining recipe, and speed.

Run from the repository root (the data folder ``shared/data`` sits beside it)::

    .venv/bin/python -m bench.bench_tagger split      # write TRAIN/TEST CSVs under bench/out/tagger
    .venv/bin/python -m bench.bench_tagger select     # cross-validate candidate settings on TRAIN only
    .venv/bin/python -m bench.bench_tagger compare    # baseline vs default tagger on TEST, all files
    .venv/bin/python -m bench.bench_tagger speed      # 100,000 synthetic conversations, one core
    .venv/bin/python -m bench.bench_tagger all

Quality uses real NHS patient-experience comments coded by analysts (the pxtextmining project's
open data). The split holds out 20% of each file, stratified on each row's rarest theme, with a
fixed seed; nothing in the tagger's defaults was chosen by looking at the held-out part.
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import csv  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import string  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.model_selection import KFold, train_test_split  # noqa: E402
from sklearn.multioutput import MultiOutputClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.svm import SVC  # noqa: E402

from commonground.insight.evaluation import (  # noqa: E402
    EvaluationReport,
    evaluate,
    format_report,
    join_themes,
    read_labelled_csv,
    score,
)
from commonground.insight.tagger import TaggerSettings, ThemeTagger  # noqa: E402

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
DATA_DIRECTORY = REPOSITORY_ROOT.parent / "shared" / "data" / "text_feedback_nhs_pxtextmining"
OUTPUT_DIRECTORY = REPOSITORY_ROOT / "bench" / "out" / "tagger"
SPLIT_SEED = 20240601
TEST_SHARE = 0.2


@dataclass(frozen=True)
class Corpus:
    name: str
    description: str
    texts: list[str]
    label_sets: list[list[str]]


def _read_rows(file_name: str) -> list[dict[str, str]]:
    with (DATA_DIRECTORY / file_name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def load_phase1() -> Corpus:
    rows = _read_rows("phase1_text_data.csv")
    return Corpus(
        name="phase1",
        description="phase1_text_data.csv: text `feedback`, one theme per comment (`label`, 9 themes)",
        texts=[row["feedback"] for row in rows],
        label_sets=[[row["label"].strip()] for row in rows],
    )


def load_phase2_framework() -> Corpus:
    rows = _read_rows("phase2_v6framework_230831.csv")
    columns = list(rows[0].keys())
    theme_columns = columns[columns.index("Comment sentiment") + 1 :]
    return Corpus(
        name="phase2_v6",
        description="phase2_v6framework_230831.csv: text `FFT answer`, one-hot theme columns (multi-label)",
        texts=[row["FFT answer"] for row in rows],
        label_sets=[
            [column for column in theme_columns if (row[column] or "").strip() == "1"]
            for row in rows
        ],
    )


def load_phase2_tidy() -> Corpus:
    rows = _read_rows("phase2_tidy_answers_with_themes.csv")
    return Corpus(
        name="phase2_tidy",
        description="phase2_tidy_answers_with_themes.csv: text `answer`, `themes` (multi-label, blanks removed)",
        texts=[row["answer"] for row in rows],
        label_sets=[
            [theme.strip() for theme in row["themes"].split(";") if theme.strip()] for row in rows
        ],
    )


CORPORA: dict[str, Callable[[], Corpus]] = {
    "phase1": load_phase1,
    "phase2_v6": load_phase2_framework,
    "phase2_tidy": load_phase2_tidy,
}


def stratification_keys(label_sets: Sequence[Sequence[str]]) -> list[str]:
    """Each row's rarest theme, so that rare themes land in both parts; singletons are pooled."""
    frequency = Counter(theme for labels in label_sets for theme in labels)
    keys = [
        min(labels, key=lambda theme: (frequency[theme], theme)) if labels else "(none)"
        for labels in label_sets
    ]
    key_count = Counter(keys)
    pooled = [key if key_count[key] >= 2 else "(rare)" for key in keys]
    if pooled.count("(rare)") == 1:
        most_common = Counter(pooled).most_common(1)[0][0]
        pooled = [most_common if key == "(rare)" else key for key in pooled]
    return pooled


def write_csv(path: Path, texts: Sequence[str], label_sets: Sequence[Sequence[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "themes"])
        for text, labels in zip(texts, label_sets, strict=True):
            writer.writerow([text, join_themes(labels)])


def split_corpus(corpus: Corpus) -> tuple[Path, Path]:
    rows = np.arange(len(corpus.texts))
    train_rows, test_rows = train_test_split(
        rows,
        test_size=TEST_SHARE,
        random_state=SPLIT_SEED,
        stratify=stratification_keys(corpus.label_sets),
    )
    train_rows, test_rows = np.sort(train_rows), np.sort(test_rows)
    train_path = OUTPUT_DIRECTORY / f"{corpus.name}_train.csv"
    test_path = OUTPUT_DIRECTORY / f"{corpus.name}_test.csv"
    write_csv(
        train_path,
        [corpus.texts[i] for i in train_rows],
        [corpus.label_sets[i] for i in train_rows],
    )
    write_csv(
        test_path, [corpus.texts[i] for i in test_rows], [corpus.label_sets[i] for i in test_rows]
    )
    return train_path, test_path


def command_split(names: Sequence[str]) -> None:
    for name in names:
        corpus = CORPORA[name]()
        train_path, test_path = split_corpus(corpus)
        train = read_labelled_csv(train_path)
        test = read_labelled_csv(test_path)
        print(
            f"{name}: {len(train.texts)} train rows -> {train_path.relative_to(REPOSITORY_ROOT)}, "
            f"{len(test.texts)} test rows -> {test_path.relative_to(REPOSITORY_ROOT)}"
        )


class PxTextMiningBaseline:
    """The published pxtextmining SVC recipe, as read from its repository (see bench/results/tagger.md).

    TF-IDF word 1-2 grams (max_df 0.9, min_df 0, which current scikit-learn spells 1) on
    lower-cased text with punctuation and digits stripped; one RBF SVC per theme (C=15,
    gamma "scale", class_weight balanced, max_iter 1000, probability=True) through
    MultiOutputClassifier; a theme is predicted when the SVC predicts it or its Platt probability
    exceeds 0.5, and a comment left with no theme gets its most probable one. The only addition is
    random_state=0, which fixes the folds of the SVC's internal Platt scaling so runs repeat.
    """

    def __init__(self) -> None:
        self.themes: list[str] = []
        self.version = "pxtextmining-svc-baseline"
        self._pipeline = make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), max_df=0.9, min_df=1),
            MultiOutputClassifier(
                SVC(
                    C=15,
                    kernel="rbf",
                    class_weight="balanced",
                    max_iter=1000,
                    probability=True,
                    cache_size=1000,
                    random_state=0,
                )
            ),
        )

    @staticmethod
    def _clean(texts: Sequence[str]) -> list[str]:
        stripped = [re.sub(r"[^\w\s]|\d", " ", str(text).lower()) for text in texts]
        return [re.sub(r"\s+", " ", text).strip() for text in stripped]

    def fit(
        self, texts: Sequence[str], label_sets: Sequence[Sequence[str]]
    ) -> PxTextMiningBaseline:
        self.themes = sorted({theme for labels in label_sets for theme in labels})
        targets = np.array(
            [[theme in labels for theme in self.themes] for labels in label_sets], dtype=int
        )
        with warnings.catch_warnings():
            # max_iter=1000 is part of the published recipe, so SVC's early-stop warning is expected;
            # SVC(probability=True) is deprecated from scikit-learn 1.9 but still does Platt scaling.
            warnings.simplefilter("ignore", category=ConvergenceWarning)
            warnings.simplefilter("ignore", category=FutureWarning)
            self._pipeline.fit(self._clean(texts), targets)
        return self

    def predict(self, texts: Sequence[str]) -> list[list[str]]:
        cleaned = self._clean(texts)
        decisions = np.asarray(self._pipeline.predict(cleaned)).astype(bool)
        probabilities = np.stack([p[:, 1] for p in self._pipeline.predict_proba(cleaned)], axis=1)
        decisions |= probabilities > 0.5
        empty_rows = ~decisions.any(axis=1)
        decisions[empty_rows, np.argmax(probabilities[empty_rows], axis=1)] = True
        return [[self.themes[i] for i in np.flatnonzero(row)] for row in decisions]


CANDIDATES: dict[str, TaggerSettings] = {
    "default": TaggerSettings(),
    "words only": TaggerSettings(use_char_ngrams=False),
    "C=1": TaggerSettings(regularisation_strength=1.0),
    "C=16": TaggerSettings(regularisation_strength=16.0),
    "unweighted": TaggerSettings(balanced_class_weight=False),
    "linear SVM C=0.3": TaggerSettings(classifier="linear_svm", regularisation_strength=0.3),
}


def cross_validate(
    settings: TaggerSettings, texts: list[str], label_sets: list[list[str]], folds: int
) -> dict[str, float]:
    splitter = KFold(n_splits=folds, shuffle=True, random_state=1)
    truth: list[list[str]] = []
    predicted: list[list[str]] = []
    seconds = 0.0
    for train_rows, test_rows in splitter.split(texts):
        tagger = ThemeTagger(settings)
        started = time.perf_counter()
        tagger.fit([texts[i] for i in train_rows], [label_sets[i] for i in train_rows])
        seconds += time.perf_counter() - started
        predicted += tagger.predict([texts[i] for i in test_rows])
        truth += [label_sets[i] for i in test_rows]
    scores = score(truth, predicted)
    return {
        "macro": scores.macro_f1,
        "micro": scores.micro_f1,
        "comment": scores.per_comment_f1,
        "fit_s": seconds / folds,
    }


def command_select(names: Sequence[str], candidates: Sequence[str], folds: int) -> None:
    print(f"Cross-validation ({folds} folds) on the TRAIN part only\n")
    print("| file | settings | macro-F1 | micro-F1 | per-comment F1 | fit s/fold |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for name in names:
        train = read_labelled_csv(OUTPUT_DIRECTORY / f"{name}_train.csv")
        for candidate in candidates:
            result = cross_validate(CANDIDATES[candidate], train.texts, train.label_sets, folds)
            print(
                f"| {name} | {candidate} | {result['macro']:.3f} | {result['micro']:.3f} | "
                f"{result['comment']:.3f} | {result['fit_s']:.1f} |",
                flush=True,
            )


def command_compare(names: Sequence[str]) -> None:
    reports: list[tuple[str, str, EvaluationReport]] = []
    for name in names:
        train_path = (OUTPUT_DIRECTORY / f"{name}_train.csv").relative_to(REPOSITORY_ROOT)
        test_path = (OUTPUT_DIRECTORY / f"{name}_test.csv").relative_to(REPOSITORY_ROOT)
        for label, factory in (
            ("pxtextmining SVC baseline", PxTextMiningBaseline),
            ("ThemeTagger default", ThemeTagger),
        ):
            slug = "baseline" if factory is PxTextMiningBaseline else "tagger"
            report = evaluate(
                train_path,
                test_path,
                (OUTPUT_DIRECTORY / f"{name}_{slug}_predictions.csv").relative_to(REPOSITORY_ROOT),
                make_tagger=factory,
            )
            reports.append((name, label, report))
            print(f"\n== {name}: {label} ==\n{format_report(report, per_theme=False)}", flush=True)
    print(
        "\n| file | method | macro-F1 | themes in macro | micro-F1 | per-comment F1 | train s | tagged/s |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, label, report in reports:
        s = report.scores
        print(
            f"| {name} | {label} | {s.macro_f1:.3f} | {s.macro_theme_count} | {s.micro_f1:.3f} | {s.per_comment_f1:.3f} | "
            f"{report.training_seconds:.1f} | {report.predictions_per_second:,.0f} |"
        )
    print()
    for name in names:
        baseline = next(r for n, lab, r in reports if n == name and lab.startswith("pxtextmining"))
        ours = next(r for n, lab, r in reports if n == name and lab.startswith("ThemeTagger"))
        print(f"{name}: macro-F1 gain {ours.macro_f1 - baseline.macro_f1:+.3f}")


SYNTHETIC_TOPICS: dict[str, list[str]] = {
    "flytipping": [
        "mattresses dumped",
        "fly tipping down the lane",
        "rubbish dumped by the garages",
        "sofa left on the verge",
    ],
    "litter": [
        "litter everywhere",
        "crisp packets in the park",
        "bins overflowing",
        "nobody picks up the litter",
    ],
    "loneliness": [
        "lonely since my husband died",
        "nobody to talk to",
        "feel isolated",
        "would love a coffee morning",
    ],
    "youth provision": [
        "nothing for the kids to do",
        "youth club closed",
        "teenagers hanging about",
        "want a skate park",
    ],
    "buses": [
        "the 38 bus never comes",
        "buses stop at six",
        "bus fares too high",
        "no bus on Sundays",
    ],
    "housing repairs": [
        "damp in the bedroom",
        "mould on the walls",
        "landlord ignores repairs",
        "boiler broken for weeks",
    ],
    "green spaces": [
        "love the park",
        "allotments are lovely",
        "the green is well kept",
        "trees make it nice",
    ],
    "speeding": [
        "cars speed down the hill",
        "need speed bumps",
        "boy racers at night",
        "unsafe to cross the road",
    ],
    "community spirit": [
        "neighbours look out for each other",
        "friendly street",
        "good community feel",
        "people say hello",
    ],
    "safety": [
        "feel unsafe at night",
        "drug dealing by the shops",
        "street lights broken",
        "antisocial behaviour",
    ],
}
FILLERS = [
    "to be honest",
    "really",
    "I think",
    "since last year",
    "in the evenings",
    "round here",
    "on our road",
    "again",
]


def synthetic_conversations(count: int, seed: int) -> tuple[list[str], list[list[str]]]:
    generator = random.Random(seed)
    topics = list(SYNTHETIC_TOPICS)
    texts: list[str] = []
    label_sets: list[list[str]] = []
    for _ in range(count):
        chosen = generator.sample(topics, k=generator.choice([1, 1, 1, 2, 2, 3]))
        parts = []
        for topic in chosen:
            parts.append(generator.choice(SYNTHETIC_TOPICS[topic]))
            if generator.random() < 0.6:
                parts.append(generator.choice(FILLERS))
        noise = "".join(
            generator.choice(string.ascii_lowercase) for _ in range(generator.randint(3, 8))
        )
        texts.append(", ".join(parts).capitalize() + f". {noise}.")
        label_sets.append(sorted(chosen))
    return texts, label_sets


@dataclass(frozen=True)
class Timing:
    wall_seconds: float
    cpu_seconds: float

    def describe(self, items: int | None = None) -> str:
        text = f"{self.wall_seconds:.1f} s wall, {self.cpu_seconds:.1f} s CPU"
        if items:
            text += (
                f" = {items / self.wall_seconds:,.0f} per second wall, "
                f"{items / self.cpu_seconds:,.0f} per CPU-second"
            )
        return text


def timed(action: Callable[[], object]) -> Timing:
    """Wall time, and CPU time of this process: on a shared machine the second is the fair one."""
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return Timing(time.perf_counter() - wall, time.process_time() - cpu)


def command_speed(train_size: int, tag_count: int) -> None:
    """Synthetic notes for tagging speed; training time also on real comments with many themes."""
    train_texts, train_labels = synthetic_conversations(train_size, seed=1)
    tag_texts, _ = synthetic_conversations(tag_count, seed=2)
    tagger = ThemeTagger()
    training = timed(lambda: tagger.fit(train_texts, train_labels))
    tagger.predict(tag_texts[:1000])
    tagging = timed(lambda: tagger.predict(tag_texts))
    confidence_count = min(20_000, tag_count)
    confidences = timed(lambda: tagger.predict_proba(tag_texts[:confidence_count]))
    print(
        f"Training on {train_size:,} synthetic conversations ({len(tagger.themes)} themes): {training.describe()}"
    )
    print(f"Tagging {tag_count:,} synthetic conversations: {tagging.describe(tag_count)}")
    print(
        f"Confidences (all themes, as dicts) for {confidence_count:,} of them: "
        f"{confidences.describe(confidence_count)}"
    )

    real_texts: list[str] = []
    real_labels: list[list[str]] = []
    for name in ("phase1", "phase2_v6"):
        path = OUTPUT_DIRECTORY / f"{name}_train.csv"
        if path.is_file():
            part = read_labelled_csv(path)
            real_texts += part.texts
            real_labels += part.label_sets
    if len(real_texts) >= train_size:
        generator = random.Random(3)
        rows = sorted(generator.sample(range(len(real_texts)), train_size))
        real_tagger = ThemeTagger()
        real_training = timed(
            lambda: real_tagger.fit([real_texts[i] for i in rows], [real_labels[i] for i in rows])
        )
        real_tagging = timed(lambda: real_tagger.predict(real_texts))
        print(
            f"Training on {train_size:,} real comments (phase1 + phase2_v6 TRAIN parts, "
            f"{len(real_tagger.themes)} themes): {real_training.describe()}"
        )
        print(
            f"Tagging those {len(real_texts):,} real comments: {real_tagging.describe(len(real_texts))}"
        )


def machine_description() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    threads = os.environ.get("OMP_NUM_THREADS", "unset")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; nproc {os.cpu_count()}; {cpu}; "
        f"Python {platform.python_version()}; OMP/OPENBLAS/MKL threads {threads}; "
        f"load average {load} (machine shared with other work)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["split", "select", "compare", "speed", "all"])
    parser.add_argument("--files", nargs="+", default=list(CORPORA), choices=list(CORPORA))
    parser.add_argument(
        "--candidates", nargs="+", default=list(CANDIDATES), choices=list(CANDIDATES)
    )
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--train-size", type=int, default=10_000)
    parser.add_argument("--tag-count", type=int, default=100_000)
    arguments = parser.parse_args(argv)
    os.chdir(REPOSITORY_ROOT)
    print(f"Machine: {machine_description()}")
    print(
        f"Command: python -m bench.bench_tagger {' '.join(sys.argv[1:] if argv is None else argv)}\n"
    )
    if arguments.command in ("split", "all"):
        command_split(arguments.files)
    if arguments.command in ("select", "all"):
        command_select(arguments.files, arguments.candidates, arguments.folds)
    if arguments.command in ("compare", "all"):
        command_compare(arguments.files)
    if arguments.command in ("speed", "all"):
        command_speed(arguments.train_size, arguments.tag_count)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
