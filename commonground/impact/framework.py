"""The shared indicator framework shipped with Common Ground, from the council papers.

The Exeter paper asks for "indicators ... used across the community organisers cohort", drawing on
volunteering, loneliness and the commonly used measures of community organising; the Better Together
paper reports residents listened to, projects that become self-sustaining and work that reduces
demand on public services. These are the defaults. A council may add its own indicators; the codes
below never change, because monitoring returns and open data name indicators by code.

Installing the defaults creates only the indicators that are missing, so it is safe to run on every
migration and never overwrites a definition a council has edited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class IndicatorDefinition:
    code: str
    name: Any
    definition: Any
    unit: str
    direction: str
    method: str
    how_counted: Any
    aggregation: str = "sum"
    source: Any = ""
    counts_reports: bool = False


DEFAULT_INDICATORS: tuple[IndicatorDefinition, ...] = (
    IndicatorDefinition(
        code="residents_listened_to",
        name=_("Residents listened to"),
        definition=_(
            "Residents an organiser has had a face-to-face listening conversation with: what they "
            "love about the area, what concerns them and what they would do."
        ),
        unit="people",
        direction="up",
        method="computed",
        how_counted=_(
            "A resident counts once per programme year however often they are met; each "
            "anonymous conversation counts once. Counted by the place and date of the first "
            "conversation with them in the year."
        ),
        source=_("Listening conversations"),
    ),
    IndicatorDefinition(
        code="residents_involved_in_action",
        name=_("Residents involved in action"),
        definition=_(
            "Residents who have gone beyond being listened to: they came to something, volunteer "
            "or lead, or joined a group."
        ),
        unit="people",
        direction="up",
        method="computed",
        how_counted=_(
            "Residents with a conversation in the period recorded at the ladder steps 'attended "
            "something', 'volunteering' or 'leading' (each anonymous conversation at those steps "
            "counts once), together with residents who joined a group in the period. Each "
            "named resident counts once."
        ),
        source=_("Listening conversations (ladder of involvement) and group membership"),
    ),
    IndicatorDefinition(
        code="volunteers",
        name=_("Volunteers"),
        definition=_("Residents giving their time as volunteers, leaders or founders of a group."),
        unit="people",
        direction="up",
        method="computed",
        how_counted=_(
            "Different residents recorded, with their agreement, as a volunteer, leader or "
            "founder of a group at any time in the period. Volunteers who did not agree to be "
            "recorded by name are not counted here; their hours still are."
        ),
        source=_("Group membership records"),
    ),
    IndicatorDefinition(
        code="volunteer_hours",
        name=_("Volunteer hours"),
        definition=_("Hours residents gave to community projects."),
        unit="hours",
        direction="up",
        method="computed",
        how_counted=_(
            "The total hours recorded against projects for days in the period, as projects log "
            "them after each session (volunteers are counted without being named)."
        ),
        source=_("Volunteer time recorded on projects"),
    ),
    IndicatorDefinition(
        code="new_groups_formed",
        name=_("New groups formed"),
        definition=_("Residents' groups, associations, clubs and networks that started."),
        unit="groups",
        direction="up",
        method="computed",
        how_counted=_("Groups whose date of forming falls in the period."),
        source=_("Groups"),
    ),
    IndicatorDefinition(
        code="projects_started",
        name=_("Projects started"),
        definition=_("Community projects, such as clean-ups or a park, that got under way."),
        unit="projects",
        direction="up",
        method="computed",
        how_counted=_(
            "Projects whose start date falls in the period and that have moved past planning."
        ),
        source=_("Community projects"),
    ),
    IndicatorDefinition(
        code="projects_self_sustaining",
        name=_("Projects now self-sustaining"),
        definition=_(
            "Projects that carry on without an organiser: run by volunteers, a constituted group, "
            "a social enterprise or charity, or taken on by a public service."
        ),
        unit="projects",
        direction="up",
        method="computed",
        how_counted=_(
            "Projects started by the end of the period that are recorded as self-sustaining when "
            "the figure is worked out. A published report keeps the figure it had then."
        ),
        source=_("Community projects"),
    ),
    IndicatorDefinition(
        code="matters_resolved",
        name=_("Matters resolved"),
        definition=_(
            "Problems residents raised that a public service was asked to act on, and did."
        ),
        unit="matters",
        direction="up",
        method="computed",
        how_counted=_(
            "Matters marked resolved by the service they were sent to, closed in the period. "
            "Matters closed without action or merged into another are not counted."
        ),
        source=_("Matters routed to partners"),
    ),
    IndicatorDefinition(
        code="service_improvements_adopted",
        name=_("Service improvements adopted"),
        definition=_(
            "Ideas from residents for doing a service differently that the council or a partner "
            "adopted."
        ),
        unit="improvements",
        direction="up",
        method="computed",
        how_counted=_("Ideas that reached 'adopted', counted on the date they were adopted."),
        source=_("Ideas and business cases"),
    ),
    IndicatorDefinition(
        code="yearly_savings",
        name=_("Yearly savings from improvements"),
        definition=_("Money a service saves each year because of an improvement it adopted."),
        unit="pounds",
        direction="up",
        method="computed",
        how_counted=_(
            "The realised yearly saving the service recorded for each improvement adopted in the "
            "period. Improvements with only an estimate are left out of this figure; the report "
            "lists their estimates separately."
        ),
        source=_("Ideas and business cases"),
    ),
    IndicatorDefinition(
        code="lonely_often_or_always",
        name=_("Residents who feel lonely often or always"),
        definition=_(
            "The share of adults who say they feel lonely often or always, from a survey of "
            "residents."
        ),
        unit="percent",
        direction="down",
        method="entered",
        aggregation="latest",
        how_counted=_(
            "Entered from a survey using the national question 'How often do you feel lonely?' "
            "(often/always). Give the survey, its date and how many people answered."
        ),
        source=_("A residents' survey"),
    ),
    IndicatorDefinition(
        code="formal_volunteering_rate",
        name=_("Residents who volunteer at least once a month"),
        definition=_(
            "The share of adults who gave unpaid help through a group, club or organisation at "
            "least once a month, from a survey of residents."
        ),
        unit="percent",
        direction="up",
        method="entered",
        aggregation="latest",
        how_counted=_(
            "Entered from a survey using the national Community Life Survey question on formal "
            "volunteering. Give the survey, its date and how many people answered."
        ),
        source=_("A residents' survey"),
    ),
    IndicatorDefinition(
        code="fixmystreet_rubbish_reports",
        name=_("Rubbish reports to FixMyStreet (including fly-tipping)"),
        definition=_(
            "Reports made by residents on FixMyStreet in the 'Rubbish' theme, which includes "
            "fly-tipping, per LSOA and year."
        ),
        unit="reports",
        direction="neither",
        method="open_data",
        how_counted=_(
            "Loaded from mySociety's published yearly counts of FixMyStreet reports per LSOA "
            "(theme B26, 'Rubbish'). An LSOA-year with no report counts as zero. These are "
            "reports, not incidents: they rise when more people report."
        ),
        source=_("FixMyStreet geographic data, mySociety, ODC-By"),
        counts_reports=True,
    ),
)
DEFAULT_CODES = frozenset(definition.code for definition in DEFAULT_INDICATORS)


def install_defaults(indicator_model: Any) -> int:
    """Create the default indicators that are missing; returns how many were created.

    Takes the model as an argument so the data migration can pass its historical model.
    """
    existing = set(indicator_model._default_manager.values_list("code", flat=True))
    created = 0
    for position, definition in enumerate(DEFAULT_INDICATORS, start=1):
        if definition.code in existing:
            continue
        indicator_model._default_manager.create(
            code=definition.code,
            name=str(definition.name),
            definition=str(definition.definition),
            unit=definition.unit,
            direction=definition.direction,
            method=definition.method,
            how_counted=str(definition.how_counted),
            aggregation=definition.aggregation,
            source=str(definition.source),
            counts_reports=definition.counts_reports,
            is_default=True,
            position=position * 10,
        )
        created += 1
    return created
