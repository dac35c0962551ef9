"""`commonground priorities plan`: the planner from the command line, so anyone can check it.

    commonground priorities plan --authority E06000022 --organisers 5 --json

prints {"objective": ..., "patches": [{"lsoas": [...], "population": ..., "need": ...}, ...]}.
By default need is residents x IMD 2019 score from the published data alone (current placements,
markings and themes make no difference unless asked for), so the answer can be checked against the
files in data/. Without --json it prints the same plan for people to read.
"""

from __future__ import annotations

import json
import math
from argparse import ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonground.priorities import planning
from commonground.priorities.need import Domain, DomainScale, PlanningInputError
from commonground.priorities.optimiser import SolverError, SolveStatus


def _domain_weight(text: str) -> tuple[str, float]:
    key, separator, value = text.partition("=")
    if not separator:
        raise ArgumentTypeError(f"'{text}' is not DOMAIN=WEIGHT, e.g. income=2.")
    try:
        return key.strip(), float(value)
    except ValueError:
        raise ArgumentTypeError(f"The weight in '{text}' is not a number.") from None


def _finite_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ArgumentTypeError(f"'{text}' is not a number.") from None
    if not math.isfinite(value):
        raise ArgumentTypeError(f"'{text}' is not a finite number.")
    return value


class Command(BaseCommand):
    help = "Plan where organisers should work (subcommand: plan)."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", title="subcommands")
        plan = subcommands.add_parser(
            "plan",
            help="Propose the best non-overlapping patches for a number of organisers.",
            description=(
                "Propose one patch of 1 to 4 neighbouring LSOAs per organiser, within the "
                "population range, not overlapping, holding the most need in total (solved "
                "exactly with HiGHS)."
            ),
        )
        plan.add_argument("--authority", required=True, help="2019 authority code, e.g. E06000022.")
        plan.add_argument("--organisers", required=True, type=int, help="How many patches.")
        plan.add_argument("--min-population", type=int, default=2_000, help="Default 2000.")
        plan.add_argument("--max-population", type=int, default=3_000, help="Default 3000.")
        plan.add_argument(
            "--domain-weight",
            action="append",
            type=_domain_weight,
            default=[],
            metavar="DOMAIN=WEIGHT",
            help=(
                "Measure need by weighted domains instead of the IMD score; repeat for each "
                f"domain. Domains: {', '.join(d.value for d in Domain)}."
            ),
        )
        plan.add_argument(
            "--domain-scale",
            choices=[scale.value for scale in DomainScale],
            default=DomainScale.EXPONENTIAL.value,
            help="How domain ranks become scores (default exponential, as in the IMD).",
        )
        plan.add_argument(
            "--new-community-multiplier",
            type=_finite_float,
            default=1.0,
            help="Need multiplier for LSOAs marked as new or growing communities (default 1).",
        )
        plan.add_argument(
            "--connector-multiplier",
            type=_finite_float,
            default=1.0,
            help=(
                "Need multiplier for LSOAs with, or next to, a GP practice marked as hosting a "
                "community connector (default 1)."
            ),
        )
        plan.add_argument(
            "--theme-bonus",
            type=_finite_float,
            default=0.0,
            help="Bonus for themes heard (0.5: the LSOA where they were heard most counts 1.5x).",
        )
        plan.add_argument(
            "--theme", action="append", default=[], help="Count only this theme (repeatable)."
        )
        plan.add_argument(
            "--placements",
            choices=[policy.value for policy in planning.PlacementPolicy],
            default=planning.PlacementPolicy.IGNORE.value,
            help=(
                "LSOAs where an organiser is placed now: ignore (default; published data only), "
                "exclude them from every patch, or discount their need."
            ),
        )
        plan.add_argument(
            "--covered-multiplier",
            type=_finite_float,
            default=0.5,
            help="With --placements discount, the multiplier for their need (default 0.5).",
        )
        plan.add_argument(
            "--time-limit",
            type=_finite_float,
            default=planning.DEFAULT_TIME_LIMIT_SECONDS,
            help="Seconds HiGHS may take; after that the best plan and its proven gap (default 60).",
        )
        plan.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("subcommand") != "plan":
            raise CommandError("Say what to do: `commonground priorities plan --help`.")
        parameters = planning.PlanParameters(
            organisers=options["organisers"],
            min_population=options["min_population"],
            max_population=options["max_population"],
            domain_weights=dict(options["domain_weight"]) or None,
            domain_scale=options["domain_scale"],
            new_community_multiplier=options["new_community_multiplier"],
            connector_multiplier=options["connector_multiplier"],
            theme_bonus=options["theme_bonus"],
            themes=tuple(options["theme"]),
            placements=options["placements"],
            covered_multiplier=options["covered_multiplier"],
            time_limit_seconds=options["time_limit"],
        )
        try:
            authority = planning.planning_authority(options["authority"])
            inputs = planning.prepare(authority, parameters)
            plan = planning.make_plan(inputs)
        except (PlanningInputError, SolverError) as error:
            raise CommandError(str(error)) from error
        if plan.status is SolveStatus.TIME_LIMIT:
            gap = "not yet proven" if math.isinf(plan.mip_gap) else f"{100 * plan.mip_gap:.2f}%"
            self.stderr.write(
                f"The time limit struck: this is the best plan found; proven gap {gap}."
            )
        if options["json"]:
            document = {
                "objective": planning.plan_need(plan),
                "patches": [
                    {"lsoas": list(p.lsoas), "population": p.population, "need": p.need}
                    for p in plan.patches
                ],
            }
            self.stdout.write(json.dumps(document))
            return
        self._print_plan(inputs, plan)

    def _print_plan(self, inputs: planning.PlanInputs, plan: Any) -> None:
        baseline = planning.make_baseline(inputs)
        names = {record.code: record.name for record in inputs.records}
        parameters = inputs.parameters
        status = (
            "the proven best plan"
            if plan.status is SolveStatus.OPTIMAL
            else "the best plan found in the time limit"
        )
        total = planning.plan_need(plan)
        authority_need = sum(plan.needs.values())
        self.stdout.write(
            f"{inputs.authority.name} ({inputs.authority.code}): {parameters.organisers} "
            f"organisers, patches of {parameters.min_population:,} to "
            f"{parameters.max_population:,} residents. This is {status}."
        )
        for number, patch in enumerate(plan.patches, start=1):
            self.stdout.write(
                f"  {number}. {', '.join(patch.lsoas)}: {patch.population:,} residents, "
                f"need {patch.need:,.0f}"
            )
            self.stdout.write(f"     {'; '.join(names[code] for code in patch.lsoas)}")
        share = total / authority_need if authority_need else 0.0
        self.stdout.write(
            f"Need covered: {total:,.0f} ({100 * share:.1f}% of the authority's "
            f"{authority_need:,.0f})."
        )
        extra = (total - baseline.objective) / baseline.objective if baseline.objective else 0.0
        self.stdout.write(
            f"The spreadsheet method (most deprived LSOAs first) covers {baseline.objective:,.0f}"
            f" with {len(baseline.patches)} patches; this plan covers {100 * extra:.1f}% more."
        )
        self.stdout.write(
            f"{plan.candidate_count:,} possible patches compared in "
            f"{plan.need_seconds + plan.candidate_seconds + plan.solve_seconds:.2f} s."
        )
