from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from commonground.accounts.models import Role
from commonground.core.models import AuditEvent
from commonground.places.models import Lsoa, Neighbourhood
from commonground.programme.models import Organisation
from commonground.programme.tests.factories import NeighbourhoodFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_authority_page_has_map_legend_and_table(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(12):
        response = client.get("/places/authorities/E06000022/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="area-map"' in html
    assert "1 – most deprived 10% in England" in html
    assert html.count('<tr class="govuk-table__row">') >= 115
    assert "Kingsmead" in html


@pytest.mark.parametrize(
    "url",
    [
        "/places/",
        "/places/wards/E05012471/",
        "/places/lsoas/E01014370/",
        "/places/lsoas/E01000001/",
        "/places/?q=Exeter",
    ],
)
def test_area_pages_are_public(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200


def test_unknown_area_is_404(client: Client) -> None:
    assert client.get("/places/lsoas/E01999999/").status_code == 404


def test_neighbourhood_page_sums_population(client: Client) -> None:
    lsoas = list(Lsoa.objects.filter(code__in=["E01014463", "E01014464"]))
    neighbourhood = NeighbourhoodFactory(name="Whiteway", slug="whiteway", lsoas=lsoas)
    assert neighbourhood.population == 1595 + 1570
    html = client.get("/places/neighbourhoods/whiteway/").content.decode()
    assert "3,165" in html


@pytest.fixture
def council(db: Any) -> Organisation:
    return OrganisationFactory(kind=Organisation.Kind.COUNCIL)


def test_council_officer_draws_a_neighbourhood(
    council: Organisation, make_user: Callable[..., Any], signed_in: Callable[..., Client]
) -> None:
    officer = make_user(Role.COUNCIL_OFFICER, council)
    client = signed_in(officer)
    assert client.get("/places/authorities/E06000022/neighbourhoods/new/").status_code == 200
    response = client.post(
        "/places/authorities/E06000022/neighbourhoods/new/",
        {"name": "Foxhill and Odd Down", "description": "", "lsoas": ["E01014390", "E01014431"]},
    )
    assert response.status_code == 302
    neighbourhood = Neighbourhood.objects.get(name="Foxhill and Odd Down")
    assert sorted(neighbourhood.lsoas.values_list("code", flat=True)) == ["E01014390", "E01014431"]
    assert AuditEvent.objects.filter(action="neighbourhood.create", actor=officer).exists()


def test_neighbourhood_needs_lsoas_and_refuses_other_authorities(
    council: Organisation, make_user: Callable[..., Any], signed_in: Callable[..., Client]
) -> None:
    client = signed_in(make_user(Role.COUNCIL_OFFICER, council))
    empty = client.post(
        "/places/authorities/E06000022/neighbourhoods/new/", {"name": "Nowhere", "lsoas": []}
    )
    assert "Choose at least one LSOA." in empty.content.decode()
    exeter = client.post(
        "/places/authorities/E06000022/neighbourhoods/new/",
        {"name": "Mixed", "lsoas": ["E01019990"]},
    )
    assert exeter.status_code == 200
    assert not Neighbourhood.objects.filter(name="Mixed").exists()


def test_organiser_cannot_draw_neighbourhoods(
    council: Organisation, make_user: Callable[..., Any], signed_in: Callable[..., Client]
) -> None:
    client = signed_in(make_user(Role.ORGANISER, OrganisationFactory()))
    assert client.get("/places/authorities/E06000022/neighbourhoods/new/").status_code == 403


def test_place_pages_show_other_apps_panels(client: Client) -> None:
    neighbourhood = NeighbourhoodFactory()
    html = client.get(neighbourhood.get_absolute_url()).content.decode()
    assert 'id="listening-panel"' in html
    assert f'href="/public/neighbourhoods/{neighbourhood.slug}/"' in html
    lsoa_html = client.get("/places/lsoas/E01014370/").content.decode()
    assert "Residents listened to here" in lsoa_html
    assert "/public/neighbourhoods/" not in lsoa_html
