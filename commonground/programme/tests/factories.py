from __future__ import annotations

from datetime import date

import factory

from commonground.places.models import LocalAuthority, Lsoa, Neighbourhood
from commonground.programme.models import (
    Agreement,
    Commitment,
    Organisation,
    Organiser,
    Programme,
    SupervisionNote,
    TrainingRecord,
)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = Organisation.Kind.HOST


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Programme {n}")
    slug = factory.Sequence(lambda n: f"programme-{n}")
    council = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.COUNCIL)
    starts_on = date(2025, 4, 1)


class NeighbourhoodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Neighbourhood
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Neighbourhood {n}")
    slug = factory.Sequence(lambda n: f"neighbourhood-{n}")
    authority = factory.LazyFunction(lambda: LocalAuthority.objects.get(code="E06000022"))

    @factory.post_generation
    def lsoas(self, create: bool, extracted: list[Lsoa] | None, **kwargs: object) -> None:
        if create:
            self.lsoas.set(
                extracted
                or list(Lsoa.objects.filter(authority=self.authority).order_by("code")[:2])
            )


class OrganiserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organiser

    full_name = factory.Sequence(lambda n: f"Organiser {n}")
    host = factory.SubFactory(OrganisationFactory)
    programme = factory.SubFactory(ProgrammeFactory)
    placement_starts_on = date(2025, 9, 1)
    stage = Organiser.Stage.PLACED


class SupervisionNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupervisionNote

    organiser = factory.SubFactory(OrganiserFactory)
    met_on = date(2026, 1, 5)
    notes = "Talked through the week's listening."


class TrainingRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingRecord

    organiser = factory.SubFactory(OrganiserFactory)
    title = "Community Organising Level 2"
    level = 2


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    title = factory.Sequence(lambda n: f"Agreement {n}")
    programme = factory.SubFactory(ProgrammeFactory)


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    agreement = factory.SubFactory(AgreementFactory)
    party = factory.SubFactory(OrganisationFactory)
    description = "Respond to ideas within 8 weeks."
    owner = "Engagement team"
