"""Fuzz the Open311 GeoReport v2 interface, which keeps its own address outside the OpenAPI schema.

Hypothesis sends any text in every query and form parameter the standard defines, derandomised with
a fixed number of examples. Whatever arrives, the answer is never a server error, is in the format
asked for, and is either a list of requests or services or the standard's list of errors, each with
a code and a description. Nothing unpublished is ever listed.
"""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree

import pytest
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from commonground.action.demo import OPEN311_DEMO_KEY
from commonground.action.models import Matter

from .conftest import Worlds

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)

text = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=40
)
dates = st.one_of(
    text,
    st.datetimes(timezones=st.timezones()).map(lambda moment: moment.isoformat()),
    st.sampled_from(["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-13-45T25:61:00Z"]),
)
numbers = st.one_of(
    text,
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["51.38", "-2.36", "1e308", "-1e400"]),
)
query = st.fixed_dictionaries(
    {},
    optional={
        "service_request_id": text,
        "service_code": text,
        "start_date": dates,
        "end_date": dates,
        "status": st.one_of(text, st.sampled_from(["open", "closed", "open,closed"])),
        "jurisdiction_id": text,
    },
)
new_request = st.fixed_dictionaries(
    {"api_key": st.one_of(st.just(OPEN311_DEMO_KEY), text)},
    optional={
        "service_code": text,
        "lat": numbers,
        "long": numbers,
        "address_string": text,
        "address_id": text,
        "description": st.text(max_size=300),
        "email": text,
    },
)
formats = st.sampled_from(["json", "xml"])


def _check(response: Any, fmt: str) -> list[Any]:
    """The parsed body; fails on a server error or a body that is not the format asked for."""
    assert response.status_code < 500, response.content[:300]
    if fmt == "json":
        assert response["Content-Type"].startswith("application/json")
        parsed = json.loads(response.content)
        if response.status_code >= 400:
            assert all({"code", "description"} <= set(error) for error in parsed)
        return parsed
    assert "xml" in response["Content-Type"]
    root = ElementTree.fromstring(response.content)
    if response.status_code >= 400:
        assert root.tag == "errors"
        assert all(error.find("description") is not None for error in root)
    return list(root)


@pytest.fixture
def open311(worlds: Worlds) -> Client:
    return Client()


def test_listing_requests_takes_any_query(open311: Client) -> None:
    unpublished = {
        str(public_id)
        for public_id in Matter.objects.filter(is_public=False).values_list("public_id", flat=True)
    }
    assert unpublished

    @FUZZ
    @given(params=query, fmt=formats)
    @example(params={"end_date": "0001-01-01T00:00:00Z"}, fmt="json")
    @example(params={"start_date": "9999-12-31T23:59:59Z"}, fmt="xml")
    @example(params={"start_date": "2026-13-45T10:00:00Z"}, fmt="json")
    def run(params: dict[str, str], fmt: str) -> None:
        response = open311.get(f"/open311/v2/requests.{fmt}", params)
        rows = _check(response, fmt)
        if fmt == "json" and response.status_code == 200:
            assert not {row["service_request_id"] for row in rows} & unpublished

    run()


def test_one_request_and_one_service_take_any_id(open311: Client) -> None:
    @FUZZ
    @given(identifier=st.from_regex(r"\A[-\w]{1,40}\Z"), fmt=formats)
    def run(identifier: str, fmt: str) -> None:
        _check(open311.get(f"/open311/v2/requests/{identifier}.{fmt}"), fmt)
        _check(open311.get(f"/open311/v2/services/{identifier}.{fmt}"), fmt)

    run()


def test_creating_a_request_takes_any_form(open311: Client) -> None:
    @FUZZ
    @given(form=new_request, fmt=formats)
    def run(form: dict[str, str], fmt: str) -> None:
        _check(open311.post(f"/open311/v2/requests.{fmt}", form), fmt)

    run()
