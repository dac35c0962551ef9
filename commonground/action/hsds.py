"""Groups and the community services they run, as an Open Referral (HSDS 3) feed.

Local directories read published groups as organizations and their services (activities marked as a
community service) as services, with where and when they happen. Identifiers are the records' public
UUIDs, or UUIDs derived from them, so they stay the same from one read to the next. Nothing about
any person is included: a group's contact is its shared address.
"""

from __future__ import annotations

import math
import uuid
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone

from .models import Group, GroupActivity

HSDS_VERSION = "3.0"
PROFILE = "https://openreferral.org/hsds/3.0"
PER_PAGE_DEFAULT = 50
PER_PAGE_MAX = 200


def _derived(kind: str, source: uuid.UUID) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"commonground:{kind}:{source}"))


def _without_empty(record: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if value not in ("", None)}


def published_services() -> Any:
    return (
        GroupActivity.objects.filter(
            is_service=True, is_active=True, group__is_published=True, group__ended_on__isnull=True
        )
        .select_related("group__neighbourhood__authority", "group__host")
        .order_by("group__name", "name")
    )


def published_organizations() -> Any:
    return Group.objects.filter(is_published=True, ended_on__isnull=True).order_by("name")


def organization(group: Group, *, full: bool = False) -> dict[str, Any]:
    record = _without_empty(
        {
            "id": str(group.public_id),
            "name": group.name,
            "description": group.description or group.get_kind_display(),
            "email": group.email,
            "website": group.website,
        }
    )
    if full:
        record["services"] = [
            service(activity, include_organization=False)
            for activity in group.activities.filter(is_service=True, is_active=True)
        ]
    return record


def _location(activity: GroupActivity) -> dict[str, Any] | None:
    if not (activity.venue or activity.address):
        return None
    location_id = _derived("location", activity.public_id)
    location: dict[str, Any] = _without_empty(
        {
            "id": location_id,
            "location_type": "physical",
            "name": activity.venue,
        }
    )
    if activity.address and activity.town and activity.postcode:
        authority = activity.group.neighbourhood.authority if activity.group.neighbourhood else None
        location["addresses"] = [
            {
                "id": _derived("address", activity.public_id),
                "location_id": location_id,
                "address_1": activity.address,
                "city": activity.town,
                "state_province": authority.name if authority else activity.town,
                "postal_code": activity.postcode,
                "country": "GB",
                "address_type": "physical",
            }
        ]
    return location


def service(activity: GroupActivity, *, include_organization: bool = True) -> dict[str, Any]:
    service_id = str(activity.public_id)
    record: dict[str, Any] = _without_empty(
        {
            "id": service_id,
            "organization_id": str(activity.group.public_id),
            "name": activity.name,
            "description": activity.description,
            "email": activity.group.email,
            "url": activity.group.website,
            "status": "active",
            "last_modified": timezone.localtime(activity.updated_at)
            .replace(microsecond=0)
            .isoformat(),
        }
    )
    if activity.schedule:
        record["schedules"] = [
            {
                "id": _derived("schedule", activity.public_id),
                "service_id": service_id,
                "description": activity.schedule,
            }
        ]
    location = _location(activity)
    if location is not None:
        record["service_at_locations"] = [
            {
                "id": _derived("service_at_location", activity.public_id),
                "service_id": service_id,
                "location_id": location["id"],
                "location": location,
            }
        ]
    if include_organization:
        record["organization"] = organization(activity.group)
    return record


def _page(request: HttpRequest, queryset: Any, render: Any) -> dict[str, Any]:
    try:
        number = max(1, int(request.GET.get("page", 1)))
        size = min(PER_PAGE_MAX, max(1, int(request.GET.get("per_page", PER_PAGE_DEFAULT))))
    except ValueError:
        number, size = 1, PER_PAGE_DEFAULT
    total = queryset.count()
    pages = max(1, math.ceil(total / size))
    chosen = list(queryset[(number - 1) * size : number * size])
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": number,
        "size": len(chosen),
        "first_page": number == 1,
        "last_page": number >= pages,
        "empty": not chosen,
        "contents": [render(item) for item in chosen],
    }


def api_root(request: HttpRequest) -> dict[str, Any]:
    return {
        "version": HSDS_VERSION,
        "profile": PROFILE,
        "openapi_url": "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json",
    }


def service_page(request: HttpRequest) -> dict[str, Any]:
    return _page(request, published_services(), service)


def organization_page(request: HttpRequest) -> dict[str, Any]:
    return _page(request, published_organizations(), organization)


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


def service_detail(public_id: str) -> dict[str, Any]:
    activity = published_services().filter(public_id=_uuid(public_id)).first()
    if activity is None:
        raise Http404
    return service(activity)


def organization_detail(public_id: str) -> dict[str, Any]:
    group = published_organizations().filter(public_id=_uuid(public_id)).first()
    if group is None:
        raise Http404
    return organization(group, full=True)
