"""Made-up doorstep notes with known themes, for tests that need a tagger to learn something."""

from __future__ import annotations

import random

TOPIC_PHRASES: dict[str, list[str]] = {
    "flytipping": [
        "mattresses dumped in the lane",
        "fly tipping behind the garages",
        "someone dumped a fridge on the verge",
        "builders rubble tipped by the brook",
    ],
    "buses": [
        "the 38 bus never turns up",
        "no buses after six in the evening",
        "bus fares have gone up again",
        "the bus stop shelter is smashed",
    ],
    "loneliness": [
        "I feel lonely since my husband passed",
        "nobody to talk to most days",
        "would love a coffee morning to meet people",
        "isolated now I cannot drive",
    ],
    "housing repairs": [
        "damp and mould in the bedroom",
        "the landlord ignores our repair requests",
        "boiler broken for three weeks",
        "leaking roof never fixed",
    ],
    "youth provision": [
        "nothing for teenagers to do round here",
        "the youth club closed last year",
        "would like a skate park for the kids",
        "young people hanging about with nowhere to go",
    ],
}
FILLERS = ["to be honest", "really", "I think", "since last spring", "on our road", "again", ""]


def doorstep_notes(
    count: int, *, seed: int, multi_label: bool = True, topics: list[str] | None = None
) -> tuple[list[str], list[list[str]]]:
    """Notes built from phrases per theme; multi-label notes mention up to three themes."""
    generator = random.Random(seed)
    names = topics or list(TOPIC_PHRASES)
    texts: list[str] = []
    label_sets: list[list[str]] = []
    for _ in range(count):
        how_many = generator.choice([1, 1, 2, 2, 3]) if multi_label else 1
        chosen = generator.sample(names, k=min(how_many, len(names)))
        parts = []
        for topic in chosen:
            parts.append(generator.choice(TOPIC_PHRASES[topic]))
            parts.append(generator.choice(FILLERS))
        texts.append(" ".join(part for part in parts if part).capitalize() + ".")
        label_sets.append(sorted(chosen))
    return texts, label_sets
