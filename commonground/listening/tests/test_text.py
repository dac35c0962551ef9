"""The special category check and the synthetic note generator."""

from __future__ import annotations

import random

import pytest

from ..special_category import _PATTERNS, categories_in, findings
from ..textgen import THEMES, generate_conversation, generate_conversations, synthetic_name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Since my stroke I can't manage the hill", ["health"]),
        ("Struggling with depression", ["health"]),
        ("Goes to the mosque on Fridays", ["religion"]),
        ("Always voted Labour, not any more", ["politics"]),
        ("Racist graffiti on the underpass", ["ethnicity"]),
        ("Her son is gay and got abuse at the bus stop", ["sexuality"]),
        ("Union rep at the depot", ["trade_union"]),
        ("Black bags split by the foxes", []),
        ("Black mould in the bedroom", []),
        ("Indian takeaway leaves rubbish out", []),
        ("Coffee morning at the church hall", []),
        ("Flytipping behind the garages", []),
        ("", []),
    ],
)
def test_special_category_check(text: str, expected: list[str]) -> None:
    assert categories_in(text) == expected


def test_patterns_suit_the_single_combined_pass() -> None:
    for patterns in _PATTERNS.values():
        for pattern in patterns:
            assert pattern.startswith(r"\b"), pattern
            assert pattern == pattern.lower(), pattern


def test_findings_say_which_phrase_was_found() -> None:
    found = findings("Lovely street.", "Husband has dementia and she is his carer")
    assert [(f.category, f.phrase.lower()) for f in found] == [("health", "dementia")]


def test_generator_is_reproducible_from_a_seed() -> None:
    first = list(generate_conversations(50, seed=11))
    second = list(generate_conversations(50, seed=11))
    other = list(generate_conversations(50, seed=12))
    assert first == second
    assert first != other


def test_generated_notes_cover_the_themes_and_carry_them() -> None:
    notes = list(generate_conversations(3000, seed=3))
    seen = {theme for note in notes for theme in note.themes}
    assert seen == set(THEMES)
    assert all(1 <= len(note.themes) <= 2 and note.concerns for note in notes)
    assert len({note.concerns for note in notes}) > 200, "notes vary"


def test_special_category_notes_are_exactly_the_ones_the_check_flags() -> None:
    notes = list(generate_conversations(3000, seed=5))
    flagged = [note for note in notes if note.special_category]
    assert 0.01 < len(flagged) / len(notes) < 0.1
    for note in notes:
        assert bool(categories_in(note.text(), note.talk_to)) == note.special_category, note


def test_theme_weights_steer_the_mix() -> None:
    rng = random.Random(1)
    only_buses = [generate_conversation(rng, theme_weights={"buses": 1}).themes for _ in range(20)]
    assert all(themes == ("buses",) for themes in only_buses)


def test_synthetic_names_are_invented() -> None:
    name = synthetic_name(random.Random(4))
    assert len(name.split(" ")) == 2
