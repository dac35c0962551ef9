"""Open311 GeoReport v2: services, requests and request status, in XML and JSON.

Existing reporting tools (FixMyStreet and others) read matters and report new ones here. Field names,
element order, the ``.xml``/``.json`` suffix, the 90-day default window and the error format follow
the specification. Matters are "requests"; categories are "services". Only public matters are
listed. Reporting needs an API key (an API token made on the account page, belonging to someone who
may raise matters); reporters' names, e-mail addresses and phone numbers are accepted but never
stored, because residents' details are held only in listening, with consent.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from xml.etree import ElementTree

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from commonground.accounts.services import api_token_user
from commonground.places.lookup import locate
from commonground.places.models import Lsoa

from . import services
from .models import Matter, MatterCategory

SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
FORMATS = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
DEFAULT_WINDOW = timedelta(days=90)
MAX_RESULTS = 1000
MAX_DESCRIPTION = 4000

SERVICE_FIELDS = (
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
)
REQUEST_FIELDS = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
)


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


# --- rendering ----------------------------------------------------------------------------------


def w3_datetime(value: datetime | None) -> str | None:
    """ISO 8601 with the offset, as the spec requires (e.g. 2026-11-24T09:30:00+00:00)."""
    if value is None:
        return None
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def _xml_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def render(
    rows: list[dict[str, Any]], *, root: str, item: str, fmt: str, status: int = 200
) -> HttpResponse:
    """A list of flat records as ``<root><item>…</item></root>`` or a JSON array (Spark convention)."""
    if fmt == "json":
        body = json.dumps(rows, ensure_ascii=False)
    else:
        element = ElementTree.Element(root)
        for row in rows:
            child = ElementTree.SubElement(element, item)
            for name, value in row.items():
                ElementTree.SubElement(child, name).text = _xml_text(value)
        body = '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(
            element, encoding="unicode"
        )
    return HttpResponse(body.encode("utf-8"), content_type=FORMATS[fmt], status=status)


def render_error(errors: Iterable[Open311Error], fmt: str) -> HttpResponse:
    errors = list(errors)
    rows = [{"code": error.status, "description": error.description} for error in errors]
    fmt = fmt if fmt in FORMATS else "xml"
    return render(rows, root="errors", item="error", fmt=fmt, status=errors[0].status)


def service_row(category: MatterCategory) -> dict[str, Any]:
    return {
        "service_code": category.service_code,
        "service_name": category.theme.name,
        "description": category.description or category.theme.description or None,
        "metadata": False,
        "type": "realtime",
        "keywords": category.keywords or None,
        "group": category.group
        or (category.theme.parent.name if category.theme.parent_id else None),
    }


def _address(matter: Matter) -> str | None:
    parts = [matter.address]
    for area in (matter.neighbourhood, matter.ward, matter.authority):
        if area is not None and str(area) not in parts:
            parts.append(str(area))
    text = ", ".join(part for part in parts if part)
    return text or None


def service_notice(matter: Matter) -> str:
    return _("Sent to %(organisation)s (%(team)s). Target: within %(days)s days.") % {
        "organisation": matter.routed_to.name,
        "team": matter.team,
        "days": matter.category.target_days,
    }


def _point(matter: Matter) -> tuple[float | None, float | None]:
    """The matter's own point, else the middle of its LSOA: never anything finer than was published."""
    if matter.lat is not None and matter.lon is not None:
        return matter.lat, matter.lon
    if matter.lsoa is not None and matter.lsoa.centroid_lat is not None:
        return round(matter.lsoa.centroid_lat, 4), round(matter.lsoa.centroid_lon, 4)
    return None, None


def request_row(matter: Matter) -> dict[str, Any]:
    lat, lon = _point(matter)
    return {
        "service_request_id": str(matter.public_id),
        "status": matter.open311_status,
        "status_notes": matter.public_note or None,
        "service_name": matter.category.theme.name,
        "service_code": matter.category.service_code,
        "description": matter.description or None,
        "agency_responsible": matter.routed_to.name,
        "service_notice": service_notice(matter),
        "requested_datetime": w3_datetime(matter.raised_at),
        "updated_datetime": w3_datetime(matter.closed_at or matter.updated_at),
        "expected_datetime": w3_datetime(matter.due_at),
        "address": _address(matter),
        "address_id": None,
        "zipcode": None,
        "lat": lat,
        "long": lon,
        "media_url": None,
    }


# --- reading requests ---------------------------------------------------------------------------


def public_requests() -> QuerySet[Matter]:
    return Matter.objects.filter(is_public=True).select_related(
        "category__theme", "routed_to", "neighbourhood", "ward", "authority", "lsoa"
    )


def _comma_list(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _w3(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parse_datetime(value.strip().replace(" ", "+"))
    except ValueError:  # well formed but not a real date, e.g. month 13
        parsed = None
    if parsed is None or timezone.is_naive(parsed):
        raise Open311Error(
            400,
            _("%(name)s must be a w3 date and time with a time zone, e.g. 2026-01-01T00:00:00Z.")
            % {"name": name},
        )
    return parsed


def filter_requests(params: Any) -> list[Matter]:
    """GET requests: service_request_id overrides every other argument, as the spec says."""
    ids = _comma_list(params.get("service_request_id"))
    queryset = public_requests()
    if ids:
        import uuid

        valid = []
        for value in ids:
            try:
                valid.append(uuid.UUID(value))
            except ValueError:
                continue
        return list(queryset.filter(public_id__in=valid).order_by("-raised_at")[:MAX_RESULTS])
    start = _w3(params.get("start_date"), "start_date")
    end = _w3(params.get("end_date"), "end_date")
    if start and end and end < start:
        raise Open311Error(400, _("end_date is before start_date."))
    if start and end and end - start > DEFAULT_WINDOW:
        raise Open311Error(400, _("start_date and end_date may not span more than 90 days."))
    try:
        if start is None and end is None:
            end = timezone.now()
            start = end - DEFAULT_WINDOW
        elif start is None:
            start = end - DEFAULT_WINDOW  # type: ignore[operator]
        elif end is None:
            end = start + DEFAULT_WINDOW
    except OverflowError:  # a window reaching before year 1 or after year 9999
        raise Open311Error(
            400, _("start_date and end_date must be within years 1 to 9999.")
        ) from None
    queryset = queryset.filter(raised_at__gte=start, raised_at__lte=end)
    codes = _comma_list(params.get("service_code"))
    if codes:
        queryset = queryset.filter(category__service_code__in=codes)
    statuses = _comma_list(params.get("status"))
    if statuses:
        unknown = set(statuses) - {"open", "closed"}
        if unknown:
            raise Open311Error(400, _("status must be open or closed."))
        if statuses == ["open"]:
            queryset = queryset.filter(status__in=Matter.OPEN_STATUSES)
        elif statuses == ["closed"]:
            queryset = queryset.exclude(status__in=Matter.OPEN_STATUSES)
    return list(queryset.order_by("-raised_at", "-id")[:MAX_RESULTS])


# --- creating a request -------------------------------------------------------------------------


def _float(params: Any, name: str) -> float | None:
    value = (params.get(name) or "").strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise Open311Error(400, _("%(name)s must be a number.") % {"name": name}) from None


def create_request(params: Any) -> Matter:
    user = api_token_user((params.get("api_key") or "").strip()) if params.get("api_key") else None
    if user is None:
        raise Open311Error(403, _("Invalid api_key received -- can't proceed with create_request."))
    if not user.has_perm("action.add_matter"):
        raise Open311Error(403, _("This api_key may not create requests."))
    code = (params.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, _("service_code was not provided."))
    category = (
        MatterCategory.objects.select_related("theme")
        .filter(service_code=code, is_active=True)
        .first()
    )
    if category is None:
        raise Open311Error(404, _("service_code %(code)s was not found.") % {"code": code})
    lat, lon = _float(params, "lat"), _float(params, "long")
    address = (params.get("address_string") or "").strip()
    address_id = (params.get("address_id") or "").strip()
    if (lat is None) != (lon is None):
        raise Open311Error(400, _("lat and long must be sent together."))
    if lat is None and not address and not address_id:
        raise Open311Error(
            400, _("A location is required: lat and long, address_string or address_id.")
        )
    lsoa = None
    if lat is not None and lon is not None:
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise Open311Error(400, _("lat and long are not a place on Earth."))
        found = locate(lon, lat)
        if found is None:
            raise Open311Error(400, _("lat and long are outside the area this service covers."))
        lsoa = Lsoa.objects.select_related("ward", "authority").get(code=found.lsoa_code)
    description = (params.get("description") or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(
            400, _("description is limited to %(n)s characters.") % {"n": MAX_DESCRIPTION}
        )
    where = address or (str(lsoa.ward or lsoa) if lsoa is not None else address_id)
    try:
        return services.matter_raise(
            actor=user,
            title=f"{category.theme.name}: {where}"[:200],
            description=description or category.theme.name,
            category=category,
            lsoa=lsoa,
            lon=lon,
            lat=lat,
            address=address[:255],
            source=Matter.Source.OPEN311,
            outside_reports=1,
        )
    except ValidationError as error:
        raise Open311Error(400, " ".join(error.messages)) from error


# --- views --------------------------------------------------------------------------------------


def _format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Open311Error(400, _("Unknown format %(fmt)s: use .xml or .json.") % {"fmt": fmt})
    return fmt


def _guarded(view: Any) -> Any:
    def wrapped(request: HttpRequest, *args: Any, fmt: str = "xml", **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, fmt=_format(fmt), **kwargs)
        except Open311Error as error:
            return render_error([error], fmt)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@_guarded
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    """Service discovery: where the endpoint is and which formats it speaks."""
    base = request.build_absolute_uri(request.path.rsplit("/", 1)[0] + "/")
    endpoint = {
        "specification": SPEC_URL,
        "url": base,
        "changeset": "2026-01-01T00:00:00Z",
        "type": "production",
        "formats": ["text/xml", "application/json"],
    }
    if fmt == "json":
        body = {
            "changeset": endpoint["changeset"],
            "contact": _("The council's community engagement team."),
            "key_service": _("Ask the council's community engagement team for an API key."),
            "endpoints": [endpoint],
        }
        return HttpResponse(json.dumps(body), content_type=FORMATS["json"])
    root = ElementTree.Element("discovery")
    for name in ("changeset", "contact", "key_service"):
        ElementTree.SubElement(root, name).text = (
            endpoint["changeset"]
            if name == "changeset"
            else _("The council's community engagement team.")
        )
    endpoints = ElementTree.SubElement(root, "endpoints")
    child = ElementTree.SubElement(endpoints, "endpoint")
    for name in ("specification", "url", "changeset", "type"):
        ElementTree.SubElement(child, name).text = str(endpoint[name])
    formats = ElementTree.SubElement(child, "formats")
    for value in endpoint["formats"]:
        ElementTree.SubElement(formats, "format").text = value
    body = '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(
        root, encoding="unicode"
    )
    return HttpResponse(body.encode("utf-8"), content_type=FORMATS["xml"])


@_guarded
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method != "GET":
        raise Open311Error(405, _("Only GET is allowed here."))
    categories = MatterCategory.objects.filter(is_active=True).select_related("theme__parent")
    rows = [service_row(c) for c in categories.order_by("service_code")]
    return render(rows, root="services", item="service", fmt=fmt)


@_guarded
def service_definition(request: HttpRequest, service_code: str, fmt: str) -> HttpResponse:
    category = MatterCategory.objects.filter(service_code=service_code, is_active=True).first()
    if category is None:
        raise Open311Error(404, _("service_code %(code)s was not found.") % {"code": service_code})
    if fmt == "json":
        body = json.dumps({"service_code": category.service_code, "attributes": []})
        return HttpResponse(body.encode("utf-8"), content_type=FORMATS["json"])
    root = ElementTree.Element("service_definition")
    ElementTree.SubElement(root, "service_code").text = category.service_code
    ElementTree.SubElement(root, "attributes")
    body = '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(
        root, encoding="unicode"
    )
    return HttpResponse(body.encode("utf-8"), content_type=FORMATS["xml"])


@csrf_exempt
@_guarded
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET lists requests; POST (form-encoded, with api_key) creates one."""
    if request.method == "POST":
        matter = create_request(request.POST)
        row = {
            "service_request_id": str(matter.public_id),
            "service_notice": service_notice(matter),
            "account_id": None,
        }
        return render([row], root="service_requests", item="request", fmt=fmt)
    if request.method != "GET":
        raise Open311Error(405, _("Use GET to read requests or POST to create one."))
    rows = [request_row(matter) for matter in filter_requests(request.GET)]
    return render(rows, root="service_requests", item="request", fmt=fmt)


@_guarded
def request_detail(request: HttpRequest, service_request_id: str, fmt: str) -> HttpResponse:
    import uuid

    try:
        key = uuid.UUID(service_request_id)
    except ValueError:
        key = None
    matter = public_requests().filter(public_id=key).first() if key else None
    if matter is None:
        raise Open311Error(
            404,
            _("service_request_id %(id)s was not found.") % {"id": service_request_id},
        )
    return render([request_row(matter)], root="service_requests", item="request", fmt=fmt)


@_guarded
def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    raise Open311Error(
        404,
        _(
            "Token %(token)s was not found: every service here is realtime and returns its id at once."
        )
        % {"token": token},
    )


def bad_url(request: HttpRequest, rest: str = "") -> HttpResponse:
    fmt = "json" if request.path.endswith(".json") else "xml"
    return render_error(
        [Open311Error(400, _("The URL request is invalid. See /open311/v2/discovery.xml."))], fmt
    )
