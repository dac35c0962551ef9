"""The default theme taxonomy: FixMyStreet's real category families plus the community themes.

Street-level problems come from mySociety's FixMyStreet meta-categories (the SHEF scheme): each
SHEF C category is a family and each SHEF B category a theme in the family most of its council
categories fall under. A few SHEF B categories lump together things residents raise separately on
the doorstep ("Rubbish" is fly-tipping, litter and bin collections); those are split along their
SHEF A categories. The community themes are the ones organisers hear that no street report covers.

Plain Python over the CSV files, so it can be checked without a database; :func:`load_default_taxonomy`
writes it and never changes a theme that already exists (officers may have renamed or moved it).
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.text import slugify

FIXMYSTREET_FOLDER = "reports_fixmystreet"
OTHER_CODES = {"C5", "B16"}

# SHEF B categories split into the SHEF A categories residents name separately.
SPLITS: dict[str, list[tuple[str, list[str]]]] = {
    "B26": [
        ("Fly-tipping", ["A29", "A22"]),
        ("Litter and street cleaning", ["A47", "A2", "A79"]),
        ("Bin collections and recycling", ["A6", "A50", "A64"]),
    ],
    "B14": [
        ("Graffiti", ["A33"]),
        ("Flyposting", ["A28"]),
        ("Noise", ["A51"]),
    ],
}

# Names that read badly when converted mechanically from the FixMyStreet labels.
READABLE_NAMES: dict[str, str] = {
    "B4": "Damaged bus stops",
    "B5": "Dangerous buildings and structures",
    "B17": "Overgrown or fallen trees and vegetation",
}

COMMUNITY_FAMILIES: list[tuple[str, str, list[tuple[str, str, str]]]] = [
    (
        "people-and-community",
        "People and community",
        [
            (
                "loneliness-and-isolation",
                "Loneliness and isolation",
                "Living alone, no one to talk to, groups and coffee mornings that have stopped.",
            ),
            (
                "youth-provision",
                "Youth provision",
                "Things for children and young people to do: youth clubs, holiday activities.",
            ),
            (
                "health-and-wellbeing",
                "Health and wellbeing",
                "Getting to a GP, mental health, caring, staying active.",
            ),
            (
                "community-spaces",
                "Community spaces",
                "Community centres, halls, libraries and places to meet.",
            ),
            (
                "green-spaces",
                "Green spaces",
                "Parks, play areas, allotments, trees: having and using green space.",
            ),
        ],
    ),
    (
        "money-work-and-homes",
        "Money, work and homes",
        [
            (
                "cost-of-living",
                "Cost of living",
                "Bills, food, food banks, affordable shops.",
            ),
            (
                "jobs-and-skills",
                "Jobs and skills",
                "Work, training, apprenticeships, childcare for work.",
            ),
            ("housing", "Housing", "Repairs, damp, landlords, affordability, new housing."),
        ],
    ),
    (
        "getting-about",
        "Getting about",
        [
            (
                "transport-and-buses",
                "Transport and buses",
                "Bus routes, times and fares, community transport, getting to work and hospital.",
            )
        ],
    ),
    (
        "community-safety",
        "Community safety",
        [
            (
                "safety-and-anti-social-behaviour",
                "Safety and anti-social behaviour",
                "Feeling safe, crime, drugs, nuisance behaviour.",
            )
        ],
    ),
]


class TaxonomyDataError(ValueError):
    """The FixMyStreet files are missing or not as expected; names the file."""


@dataclass
class ThemeSpec:
    slug: str
    name: str
    origin: str
    description: str = ""
    source_codes: str = ""
    children: list[ThemeSpec] = field(default_factory=list)


def _readable(name: str) -> str:
    """'Road Safety & Defects' -> 'Road safety and defects': the way the rest of the site writes."""
    words = name.replace("&", "and").replace("/", " and ").split()
    text = " ".join(words)
    return text[:1].upper() + text[1:].lower()


def _read_codes(path: Path) -> dict[str, str]:
    if not path.is_file():
        raise TaxonomyDataError(f"{path}: file not found.")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows or not {"name", "code"} <= set(rows[0]):
        raise TaxonomyDataError(f"{path}: expected columns 'name' and 'code'.")
    return {row["code"].strip(): row["name"].strip() for row in rows}


def default_taxonomy(data_dir: Path) -> list[ThemeSpec]:
    """The default families, each with its themes, read from the FixMyStreet files in ``data_dir``."""
    folder = Path(data_dir) / FIXMYSTREET_FOLDER
    codes_a = _read_codes(folder / "meta_CODES_SHEF_A.csv")
    codes_b = _read_codes(folder / "meta_CODES_SHEF_B.csv")
    codes_c = _read_codes(folder / "meta_CODES_SHEF_C.csv")
    code_of_a = {name: code for code, name in codes_a.items()}
    code_of_b = {name: code for code, name in codes_b.items()}
    code_of_c = {name: code for code, name in codes_c.items()}

    full_table = folder / "meta_full_table.csv"
    if not full_table.is_file():
        raise TaxonomyDataError(f"{full_table}: file not found.")
    families_of_b: dict[str, Counter[str]] = defaultdict(Counter)
    a_names_in_b: dict[str, Counter[str]] = defaultdict(Counter)
    with full_table.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            b_code = code_of_b.get(row.get("b", "").strip())
            c_code = code_of_c.get(row.get("c", "").strip())
            if b_code and c_code:
                families_of_b[b_code][c_code] += 1
            if b_code and row.get("a", "").strip():
                a_names_in_b[b_code][row["a"].strip()] += 1

    families: dict[str, ThemeSpec] = {
        code: ThemeSpec(
            slug=f"fms-{slugify(_readable(name))}",
            name=_readable(name),
            origin="fixmystreet",
            description=f"FixMyStreet meta-category {name} (SHEF {code}).",
            source_codes=f"SHEF-{code}",
        )
        for code, name in codes_c.items()
        if code not in OTHER_CODES
    }
    for b_code, b_name in codes_b.items():
        if b_code in OTHER_CODES or not families_of_b[b_code]:
            continue
        family_code = families_of_b[b_code].most_common(1)[0][0]
        if family_code not in families:
            continue
        family = families[family_code]
        if b_code in SPLITS:
            for name, a_codes in SPLITS[b_code]:
                missing = [code for code in a_codes if code not in codes_a]
                if missing:
                    raise TaxonomyDataError(
                        f"{folder / 'meta_CODES_SHEF_A.csv'}: codes {', '.join(missing)} not found."
                    )
                family.children.append(
                    ThemeSpec(
                        slug=slugify(name),
                        name=name,
                        origin="fixmystreet",
                        description="FixMyStreet categories: "
                        + ", ".join(codes_a[code] for code in a_codes)
                        + ".",
                        source_codes=" ".join(f"SHEF-{code}" for code in a_codes),
                    )
                )
            continue
        examples = [
            name
            for name, _count in a_names_in_b[b_code].most_common(6)
            if name in code_of_a and name != b_name
        ]
        description = f"FixMyStreet meta-category {b_name} (SHEF {b_code})."
        if examples:
            description += " Includes reports such as: " + ", ".join(examples) + "."
        name = READABLE_NAMES.get(b_code) or _readable(b_name)
        family.children.append(
            ThemeSpec(
                slug=slugify(name),
                name=name,
                origin="fixmystreet",
                description=description,
                source_codes=f"SHEF-{b_code}",
            )
        )
    result = [family for family in families.values() if family.children]
    for slug, name, themes in COMMUNITY_FAMILIES:
        result.append(
            ThemeSpec(
                slug=slug,
                name=name,
                origin="community",
                description="Themes organisers hear on the doorstep.",
                children=[
                    ThemeSpec(slug=t_slug, name=t_name, origin="community", description=t_text)
                    for t_slug, t_name, t_text in themes
                ],
            )
        )
    _check_unique_slugs(result)
    return result


def _check_unique_slugs(families: list[ThemeSpec]) -> None:
    seen: Counter[str] = Counter()
    for family in families:
        seen[family.slug] += 1
        for child in family.children:
            seen[child.slug] += 1
    duplicates = sorted(slug for slug, count in seen.items() if count > 1)
    if duplicates:
        raise TaxonomyDataError(f"The default taxonomy repeats slugs: {', '.join(duplicates)}.")


def load_default_taxonomy(theme_model: Any, data_dir: Path) -> tuple[int, int]:
    """Create the default families and themes that do not exist yet; returns (created, kept).

    ``theme_model`` is passed in so that a data migration can use its historical model.
    """
    created = kept = 0
    for family_spec in default_taxonomy(data_dir):
        family, made = theme_model.objects.get_or_create(
            slug=family_spec.slug,
            defaults={
                "name": family_spec.name,
                "origin": family_spec.origin,
                "description": family_spec.description,
                "source_codes": family_spec.source_codes,
            },
        )
        created += made
        kept += not made
        for spec in family_spec.children:
            _theme, made = theme_model.objects.get_or_create(
                slug=spec.slug,
                defaults={
                    "name": spec.name,
                    "parent": family,
                    "origin": spec.origin,
                    "description": spec.description,
                    "source_codes": spec.source_codes,
                },
            )
            created += made
            kept += not made
    return created, kept
