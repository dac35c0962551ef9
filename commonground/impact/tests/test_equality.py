from commonground.impact.equality import deprivation_reach, distribution, suppress


def test_small_counts_are_hidden_and_zero_is_shown() -> None:
    shown = suppress({"a": 0, "b": 3, "c": 7, "d": 12, "e": 4})
    assert shown == {"a": 0, "b": None, "c": 7, "d": 12, "e": None}


def test_a_lone_hidden_count_takes_the_next_smallest_with_it() -> None:
    # With the total published, 2 could be worked out as total - 9 - 30 if it were the only gap.
    shown = suppress({"a": 2, "b": 9, "c": 30})
    assert shown == {"a": None, "b": None, "c": 30}


def test_nothing_more_is_hidden_when_two_are_already_hidden_or_none_are() -> None:
    assert suppress({"a": 1, "b": 2, "c": 30}) == {"a": None, "b": None, "c": 30}
    assert suppress({"a": 5, "b": 9}) == {"a": 5, "b": 9}


def test_distribution_gives_shares_of_everyone_answering_but_none_for_hidden_counts() -> None:
    total, rows = distribution(
        {"yes": 30, "no": 8, "prefer_not": 2},
        [("yes", "Yes"), ("no", "No"), ("prefer_not", "Prefer not to say")],
    )
    assert total == 40
    assert [(row.key, row.count) for row in rows] == [
        ("yes", 30),
        ("no", None),
        ("prefer_not", None),
    ]
    assert rows[0].share == 0.75
    assert rows[1].share is None and rows[2].share is None


def test_deprivation_reach_compares_listened_with_where_people_live() -> None:
    profile = {"L1": (1, 1500), "L2": (2, 1500), "L3": (6, 2000), "L4": (9, 1000)}
    total, rows = deprivation_reach(
        listened_by_lsoa={"L1": 40, "L2": 20, "L3": 20, "elsewhere": 99},
        lsoa_profile=profile,
    )
    by_key = {row.key: row for row in rows}
    assert total == 80
    assert by_key["1-2"].listened == 60
    assert by_key["1-2"].listened_share == 0.75
    assert by_key["1-2"].population_share == 0.5
    assert by_key["1-2"].ratio == 1.5
    assert by_key["9-10"].listened == 0 and by_key["9-10"].population == 1000
    assert by_key["3-4"].population_share == 0


def test_deprivation_reach_hides_small_groups_and_their_shares() -> None:
    _total, rows = deprivation_reach(
        listened_by_lsoa={"L1": 3, "L2": 50, "L3": 9},
        lsoa_profile={"L1": (1, 1000), "L2": (5, 1000), "L3": (9, 1000)},
    )
    by_key = {row.key: row for row in rows}
    assert by_key["1-2"].listened is None and by_key["1-2"].listened_share is None
    # The only other non-zero group is hidden too, so 3 cannot be worked out from the total.
    assert by_key["9-10"].listened is None
    assert by_key["5-6"].listened == 50
    assert by_key["1-2"].ratio is None
