"""How much a neighbourhood needs a community organiser, as one number per LSOA.

The optimiser only ever sees a need figure per LSOA. Everything a planner may want to say about
deprivation, new communities, community connectors, what residents have been telling organisers and
where organisers already work is folded into that figure here, by a pure function over plain records,
so the web layer can feed it from the database and the tests from the published files.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

ENGLAND_LSOA_COUNT = 32_844
"""Number of 2011 LSOAs in England, the denominator of every IoD2019 rank."""

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]

IMD_FILE = ("imd2019", "imd2019_lsoa_england_merged.csv")
POPULATION_FILE = ("population", "sape20_mid2017_all_ages_by_area_code.csv")


class PlanningInputError(ValueError):
    """Input a planner can correct; the message is written to be shown to them as it is."""


class NeedWeightsError(PlanningInputError):
    pass


class MissingDataError(PlanningInputError):
    pass


class Domain(StrEnum):
    """IoD2019 domains and supplementary indices; values match the column prefixes of the data."""

    INCOME = "income"
    EMPLOYMENT = "employment"
    EDUCATION = "education"
    HEALTH = "health"
    CRIME = "crime"
    BARRIERS = "barriers"
    LIVING_ENVIRONMENT = "living_env"
    IDACI = "idaci"
    IDAOPI = "idaopi"

    @property
    def label(self) -> str:
        return DOMAIN_LABELS[self]


DOMAIN_LABELS: Mapping[Domain, str] = {
    Domain.INCOME: "Income",
    Domain.EMPLOYMENT: "Employment",
    Domain.EDUCATION: "Education, skills and training",
    Domain.HEALTH: "Health deprivation and disability",
    Domain.CRIME: "Crime",
    Domain.BARRIERS: "Barriers to housing and services",
    Domain.LIVING_ENVIRONMENT: "Living environment",
    Domain.IDACI: "Income deprivation affecting children",
    Domain.IDAOPI: "Income deprivation affecting older people",
}

IMD_DOMAIN_WEIGHTS: Mapping[Domain, float] = {
    Domain.INCOME: 0.225,
    Domain.EMPLOYMENT: 0.225,
    Domain.EDUCATION: 0.135,
    Domain.HEALTH: 0.135,
    Domain.CRIME: 0.093,
    Domain.BARRIERS: 0.093,
    Domain.LIVING_ENVIRONMENT: 0.093,
}
"""The official IMD 2019 weights. They add up to 0.999, and weights are used relative to their
total, so choosing them with the exponential scale gives the IMD score divided by 0.999."""


class DomainScale(StrEnum):
    """How a domain rank becomes a 0-100 score before domains are weighted together.

    EXPONENTIAL is the transformation MHCLG applies before combining domains into the IMD: it
    stretches the most deprived tenth of England over half of the scale, so a weighted mix behaves
    like the IMD itself. LINEAR treats every step in rank alike. DECILE mimics sorting a spreadsheet
    by decile: ten steps only, so it cannot tell apart LSOAs in the same decile.
    """

    EXPONENTIAL = "exponential"
    LINEAR = "linear"
    DECILE = "decile"


class CoveredPolicy(StrEnum):
    """What to do with LSOAs that a current placement already serves."""

    EXCLUDE = "exclude"
    DISCOUNT = "discount"


@dataclass(frozen=True, slots=True)
class LsoaRecord:
    """One LSOA as the planner needs it; rank 1 and decile 1 are the most deprived in England."""

    code: str
    name: str
    authority_code: str
    population: int
    imd_score: float
    imd_rank: int
    imd_decile: int
    domain_ranks: Mapping[Domain, int] = field(default_factory=dict)
    domain_deciles: Mapping[Domain, int] = field(default_factory=dict)
    authority_name: str = ""
    is_new_or_growing: bool = False
    near_connector_gp: bool = False
    theme_signal: float = 0.0
    already_covered: bool = False


@dataclass(frozen=True, slots=True)
class NeedWeights:
    """A planner's view of need.

    `domain_weights` of None means the IMD 2019 score. Otherwise the chosen domains' ranks are put
    on `domain_scale` and averaged with these (relative, non-negative) weights. The multipliers
    apply on top; 1.0 means no bonus. `theme_bonus` 0.5 gives the LSOA with the strongest theme
    signal half as much need again, and the others in proportion to their signal.
    """

    domain_weights: Mapping[Domain, float] | None = None
    domain_scale: DomainScale = DomainScale.EXPONENTIAL
    new_or_growing_multiplier: float = 1.0
    connector_gp_multiplier: float = 1.0
    theme_bonus: float = 0.0
    covered_policy: CoveredPolicy = CoveredPolicy.EXCLUDE
    covered_multiplier: float = 0.5

    def __post_init__(self) -> None:
        if self.domain_weights is not None:
            if not self.domain_weights:
                raise NeedWeightsError("Choose at least one deprivation domain to weight.")
            for domain, weight in self.domain_weights.items():
                if not isinstance(domain, Domain):
                    raise NeedWeightsError(f"'{domain}' is not a deprivation domain.")
                if not math.isfinite(weight) or weight < 0:
                    raise NeedWeightsError(
                        f"The weight for {domain.label} must be zero or more (got {weight})."
                    )
            if sum(self.domain_weights.values()) <= 0:
                raise NeedWeightsError("At least one domain weight must be more than zero.")
        for label, value in (
            ("new or growing communities multiplier", self.new_or_growing_multiplier),
            ("community connector multiplier", self.connector_gp_multiplier),
            ("theme bonus", self.theme_bonus),
            ("multiplier for areas already covered", self.covered_multiplier),
        ):
            if not math.isfinite(value) or value < 0:
                raise NeedWeightsError(f"The {label} must be zero or more (got {value}).")


def rank_to_score(rank: int, scale: DomainScale) -> float:
    """Put an England-wide rank (1 = most deprived) on a 0-100 scale where 100 is most deprived.

    The exponential form is MHCLG's: X = -23 ln(1 - R (1 - e^(-100/23))), R = (N - rank + 1) / N.
    Applied to the published domain ranks it reproduces the published transformed scores (File 9)
    to within 0.005, and it is the only way to put IDACI and IDAOPI, which have no published
    transformed score, on the same footing as the seven domains.
    """
    if not 1 <= rank <= ENGLAND_LSOA_COUNT:
        raise MissingDataError(f"A deprivation rank must be between 1 and {ENGLAND_LSOA_COUNT}.")
    share_less_deprived = (ENGLAND_LSOA_COUNT - rank + 1) / ENGLAND_LSOA_COUNT
    if scale is DomainScale.EXPONENTIAL:
        return -23.0 * math.log(1.0 - share_less_deprived * (1.0 - math.exp(-100.0 / 23.0)))
    if scale is DomainScale.LINEAR:
        return 100.0 * share_less_deprived
    decile = math.ceil(10 * rank / ENGLAND_LSOA_COUNT)
    return 10.0 * (11 - decile)


def deprivation_score(record: LsoaRecord, weights: NeedWeights) -> float:
    """The per-person deprivation on a 0-100 scale that need multiplies by population."""
    if weights.domain_weights is None:
        return record.imd_score
    total_weight = 0.0
    weighted = 0.0
    for domain, weight in weights.domain_weights.items():
        if weight == 0:
            continue
        weighted += weight * domain_score(record, domain, weights.domain_scale)
        total_weight += weight
    return weighted / total_weight


def domain_score(record: LsoaRecord, domain: Domain, scale: DomainScale) -> float:
    """A domain on the 0-100 scale; the decile scale uses the published decile where there is one."""
    if scale is DomainScale.DECILE and domain in record.domain_deciles:
        return 10.0 * (11 - record.domain_deciles[domain])
    rank = record.domain_ranks.get(domain)
    if rank is None:
        raise MissingDataError(
            f"{record.name or record.code} has no {domain.label} rank, so it cannot be "
            "weighted by that domain."
        )
    return rank_to_score(rank, scale)


def compute_need(records: Iterable[LsoaRecord], weights: NeedWeights) -> dict[str, float]:
    """Need per LSOA code: population x deprivation score x the planner's multipliers.

    LSOAs that `weights` excludes are left out of the mapping altogether: they can be in no patch,
    which is different from being in a patch while adding nothing to it.
    """
    records = list(records)
    strongest_signal = max((record.theme_signal for record in records), default=0.0)
    needs: dict[str, float] = {}
    for record in records:
        if record.population < 0:
            raise MissingDataError(f"{record.name or record.code} has a negative population.")
        if not math.isfinite(record.theme_signal) or record.theme_signal < 0:
            raise NeedWeightsError(
                f"The theme signal for {record.name or record.code} must be zero or more."
            )
        if record.already_covered and weights.covered_policy is CoveredPolicy.EXCLUDE:
            continue
        need = record.population * deprivation_score(record, weights)
        if record.is_new_or_growing:
            need *= weights.new_or_growing_multiplier
        if record.near_connector_gp:
            need *= weights.connector_gp_multiplier
        if weights.theme_bonus and strongest_signal > 0:
            need *= 1.0 + weights.theme_bonus * record.theme_signal / strongest_signal
        if record.already_covered:
            need *= weights.covered_multiplier
        needs[record.code] = need
    return needs


def data_dirs() -> tuple[Path, ...]:
    """Where published files are looked for: the repository's `data/`, then the shared folder."""
    return (REPOSITORY_ROOT / "data", REPOSITORY_ROOT.parent / "shared" / "data")


def _find_data_file(base_dir: Path, folder: str, name: str) -> Path | None:
    for candidate in (base_dir / folder / name, base_dir / name):
        if candidate.is_file():
            return candidate
    return None


def data_file(folder: str, name: str, base_dir: Path | None = None) -> Path:
    """Locate a published file whether its data directory keeps the source folders or is flat.

    Without `base_dir`, the repository's own copy wins and the shared folder beside the
    repository fills in for files the repository does not carry.
    """
    bases = (Path(base_dir),) if base_dir is not None else data_dirs()
    for base in bases:
        found = _find_data_file(base, folder, name)
        if found is not None:
            return found
    looked = " or ".join(str(base) for base in bases)
    raise MissingDataError(f"Cannot find {name} in {looked} (looked in {folder}/ and directly).")


def load_lsoa_records(
    base_dir: Path | None = None, authority_codes: Collection[str] | None = None
) -> list[LsoaRecord]:
    """IoD2019 and mid-2017 population for English LSOAs, sorted by code.

    `authority_codes` limits the result to those 2019 local authority districts; None loads all
    32,844. Flags and theme signals are left at their defaults: they come from the programme's own
    records, not from published data.
    """
    wanted = set(authority_codes) if authority_codes is not None else None
    population = _load_population(data_file(*POPULATION_FILE, base_dir=base_dir))
    records: list[LsoaRecord] = []
    with data_file(*IMD_FILE, base_dir=base_dir).open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if wanted is not None and row["lad19cd"] not in wanted:
                continue
            code = row["lsoa11cd"]
            if code not in population:
                raise MissingDataError(f"No mid-2017 population for LSOA {code}.")
            records.append(
                LsoaRecord(
                    code=code,
                    name=row["lsoa11nm"],
                    authority_code=row["lad19cd"],
                    authority_name=row["lad19nm"],
                    population=population[code],
                    imd_score=float(row["imd_score_derived"]),
                    imd_rank=int(row["imd_rank"]),
                    imd_decile=int(row["imd_decile"]),
                    domain_ranks={d: int(row[f"{d.value}_rank"]) for d in Domain},
                    domain_deciles={d: int(row[f"{d.value}_decile"]) for d in Domain},
                )
            )
    records.sort(key=lambda record: record.code)
    return records


def _load_population(path: Path) -> dict[str, int]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["area_code"]: int(row["all_ages_mid2017"]) for row in csv.DictReader(handle)}
