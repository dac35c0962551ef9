"""Exchange grants in the 360Giving Data Standard (version 1.4).

Councils publish every grant they award so that residents, other funders and GrantNav can see
where money went; they also take in other funders' published grants to see who already funds a
neighbourhood. This module is the exchange layer only: plain dataclasses in, 360Giving JSON or
spreadsheet rows out, and a tolerant reader for files published by others, including the early
files (2013-2016) that used dd/mm/yyyy dates and field names that predate the standard.

It deliberately knows nothing about the database: the `funding` services turn awarded grants
into `GrantRecord`s and store imported records as past grants.
"""

from __future__ import annotations

import csv
import enum
import io
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_VERSION = "1.4"
DEFAULT_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
UK_TIMEZONE = ZoneInfo("Europe/London")

_REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
STANDARD_DIRECTORIES = (
    _REPOSITORY_ROOT / "data" / "standards" / "360giving",
    _REPOSITORY_ROOT.parent / "shared" / "data" / "standards" / "360giving",
)
GRANT_SCHEMA_FILE = "360-giving-schema.json"
PACKAGE_SCHEMA_FILE = "360-giving-package-schema.json"


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, kw_only=True)
class Organisation:
    """A funder or a recipient organisation, as 360Giving describes one."""

    name: str
    identifier: str | None = None
    charity_number: str | None = None
    company_number: str | None = None
    postal_code: str | None = None
    street_address: str | None = None
    address_locality: str | None = None
    address_region: str | None = None
    address_country: str | None = None
    alternate_name: str | None = None
    description: str | None = None
    department: str | None = None
    url: str | None = None


@dataclass(frozen=True, kw_only=True)
class BeneficiaryLocation:
    """Where the people who benefit live; for council grants usually a ward or an LSOA."""

    name: str | None = None
    geo_code: str | None = None
    geo_code_type: str | None = None
    country_code: str | None = "GB"


@dataclass(frozen=True, kw_only=True)
class GrantProgramme:
    title: str | None = None
    code: str | None = None
    url: str | None = None


@dataclass(frozen=True, kw_only=True)
class PlannedDates:
    start_date: date | None = None
    end_date: date | None = None
    duration_months: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class GrantRecord:
    """One grant as 360Giving sees it.

    `identifier` is the funder's own reference; `build_package` and `flatten` put the
    publisher's 360Giving prefix in front of it when it is not there already, so that records
    keep the same identifier whether they were made here or imported.
    """

    identifier: str
    title: str
    description: str
    amount_awarded: Decimal
    award_date: date
    recipient: Organisation
    funder: Organisation
    currency: str = "GBP"
    amount_applied_for: Decimal | None = None
    amount_disbursed: Decimal | None = None
    planned_dates: PlannedDates | None = None
    grant_programme: GrantProgramme | None = None
    beneficiary_locations: tuple[BeneficiaryLocation, ...] = ()
    from_open_call: bool | None = None
    location_scope: str | None = None
    url: str | None = None
    date_modified: datetime | None = None
    data_source: str | None = None
    extras: Mapping[str, str] = field(default_factory=dict, hash=False)


@dataclass(frozen=True, kw_only=True)
class Publisher:
    """Who publishes the file. `prefix` is the one 360Giving issued, e.g. ``360G-banes``."""

    name: str
    prefix: str
    identifier: str | None = None
    website: str | None = None
    logo: str | None = None


# --------------------------------------------------------------------------- identifiers


def prefixed_identifier(identifier: str, prefix: str) -> str:
    """Put the publisher's 360Giving prefix in front of a local grant reference, once."""
    if not prefix.startswith("360G-"):
        raise ValueError(f"360Giving prefixes start with '360G-'; got {prefix!r}")
    if identifier.startswith(prefix):
        return identifier
    joiner = "" if prefix.endswith(("-", ":")) else "-"
    return f"{prefix}{joiner}{identifier}"


def organisation_identifier(organisation: Organisation) -> str | None:
    """Use the org-id scheme registered charities and companies already have.

    360Giving links grants across funders through these identifiers, so a registered number
    beats a local reference; organisations with neither need an identifier from the caller
    (usually the publisher's prefix plus a local reference).
    """
    if organisation.identifier:
        return organisation.identifier
    if organisation.charity_number:
        return f"GB-CHC-{organisation.charity_number.strip()}"
    if organisation.company_number:
        return f"GB-COH-{organisation.company_number.strip().zfill(8)}"
    return None


# --------------------------------------------------------------------------- export


def _number(amount: Decimal) -> int | float:
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _without_empty(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value not in (None, "", [], {})}


def _organisation_json(organisation: Organisation, role: str, grant_identifier: str) -> dict:
    identifier = organisation_identifier(organisation)
    if identifier is None:
        raise ValueError(
            f"grant {grant_identifier}: the {role} organisation {organisation.name!r} has no "
            "identifier, charity number or company number"
        )
    return _without_empty(
        {
            "id": identifier,
            "name": organisation.name,
            "charityNumber": organisation.charity_number,
            "companyNumber": organisation.company_number,
            "streetAddress": organisation.street_address,
            "addressLocality": organisation.address_locality,
            "addressRegion": organisation.address_region,
            "addressCountry": organisation.address_country,
            "postalCode": organisation.postal_code,
            "alternateName": organisation.alternate_name,
            "description": organisation.description,
            "department": organisation.department,
            "url": organisation.url,
        }
    )


def _date_time_text(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError(f"date-times must be timezone-aware; got {moment!r}")
    return moment.isoformat(timespec="seconds")


def grant_json(grant: GrantRecord, *, prefix: str | None = None) -> dict[str, Any]:
    """One grant as a 360Giving JSON object (the shape inside a package's ``grants``)."""
    identifier = prefixed_identifier(grant.identifier, prefix) if prefix else grant.identifier
    planned = grant.planned_dates
    programme = grant.grant_programme
    result: dict[str, Any] = {
        "id": identifier,
        "title": grant.title,
        "description": grant.description,
        "currency": grant.currency,
        "amountAwarded": _number(grant.amount_awarded),
        "awardDate": grant.award_date.isoformat(),
        "recipientOrganization": [_organisation_json(grant.recipient, "recipient", identifier)],
        "fundingOrganization": [_organisation_json(grant.funder, "funding", identifier)],
    }
    optional: dict[str, Any] = {
        "amountAppliedFor": None
        if grant.amount_applied_for is None
        else _number(grant.amount_applied_for),
        "amountDisbursed": None
        if grant.amount_disbursed is None
        else _number(grant.amount_disbursed),
        "plannedDates": [
            _without_empty(
                {
                    "startDate": planned.start_date.isoformat() if planned.start_date else None,
                    "endDate": planned.end_date.isoformat() if planned.end_date else None,
                    "duration": None
                    if planned.duration_months is None
                    else _number(planned.duration_months),
                }
            )
        ]
        if planned
        else None,
        "grantProgramme": [
            _without_empty({"code": programme.code, "title": programme.title, "url": programme.url})
        ]
        if programme
        else None,
        "beneficiaryLocation": [
            _without_empty(
                {
                    "name": location.name,
                    "geoCode": location.geo_code,
                    "geoCodeType": location.geo_code_type,
                    "countryCode": location.country_code,
                }
            )
            for location in grant.beneficiary_locations
        ],
        "fromOpenCall": None
        if grant.from_open_call is None
        else ("Yes" if grant.from_open_call else "No"),
        "locationScope": grant.location_scope,
        "url": grant.url,
        "dateModified": _date_time_text(grant.date_modified) if grant.date_modified else None,
        "dataSource": grant.data_source,
    }
    result.update(_without_empty(optional))
    return result


def build_package(
    grants: Iterable[GrantRecord],
    publisher: Publisher,
    *,
    title: str | None = None,
    description: str | None = None,
    issued: date | None = None,
    license_url: str = DEFAULT_LICENSE,
    identifier: str | None = None,
) -> dict[str, Any]:
    """A 360Giving data package ready for `json.dump`.

    Raises ValueError when a grant cannot be expressed at all (an organisation without any
    identifier, a naive date-time); everything else is left for `validate_package` to report,
    so that an officer sees every problem at once rather than the first.
    """
    grant_objects = [grant_json(grant, prefix=publisher.prefix) for grant in grants]
    issued_on = issued or datetime.now(UTC).date()
    package: dict[str, Any] = {
        "version": SCHEMA_VERSION,
        "title": title or f"{publisher.name} grants",
        "issued": issued_on.isoformat(),
        "identifier": identifier or f"{publisher.prefix}-{issued_on.isoformat()}",
        "publisher": _without_empty(
            {
                "name": publisher.name,
                "identifier": publisher.identifier,
                "website": publisher.website,
                "logo": publisher.logo,
            }
        ),
        "license": license_url,
        "grants": grant_objects,
    }
    if description:
        package["description"] = description
    return package


# Column titles follow the 360Giving spreadsheet template. One recipient, funder, programme and
# set of planned dates per grant (the standard "rolls up" those to the first item); beneficiary
# locations are numbered because council grants often name several wards or LSOAs.
_FLAT_BEFORE_LOCATIONS: tuple[str, ...] = (
    "Identifier",
    "Title",
    "Description",
    "Currency",
    "Amount Applied For",
    "Amount Awarded",
    "Amount Disbursed",
    "Award Date",
    "URL",
    "Planned Dates:Start Date",
    "Planned Dates:End Date",
    "Planned Dates:Duration (months)",
    "Recipient Org:Identifier",
    "Recipient Org:Name",
    "Recipient Org:Charity Number",
    "Recipient Org:Company Number",
    "Recipient Org:Street Address",
    "Recipient Org:City",
    "Recipient Org:County",
    "Recipient Org:Postal Code",
    "Recipient Org:Country",
    "Recipient Org:Description",
    "Recipient Org:Web Address",
)
_FLAT_LOCATION_FIELDS: tuple[str, ...] = (
    "Name",
    "Geographic Code",
    "Geographic Code Type",
    "Country Code",
)
_FLAT_AFTER_LOCATIONS: tuple[str, ...] = (
    "Funding Org:Identifier",
    "Funding Org:Name",
    "Funding Org:Department",
    "Grant Programme:Code",
    "Grant Programme:Title",
    "Grant Programme:URL",
    "From An Open Call?",
    "Location Scope",
    "Last Modified",
    "Data Source",
)


def flat_columns(location_count: int = 1) -> list[str]:
    """Spreadsheet column titles, with room for `location_count` beneficiary locations."""
    locations = [
        f"Beneficiary Location:{index}:{name}"
        for index in range(max(location_count, 1))
        for name in _FLAT_LOCATION_FIELDS
    ]
    return [*_FLAT_BEFORE_LOCATIONS, *locations, *_FLAT_AFTER_LOCATIONS]


def flatten(
    grants: Sequence[GrantRecord], *, prefix: str | None = None
) -> list[dict[str, str | int | float]]:
    """Rows for the 360Giving spreadsheet form, every row with the same columns in order.

    Amounts stay numbers so that a spreadsheet writer stores them as numbers; dates are ISO
    text because 360Giving's own tools read them that way.
    """
    location_count = max((len(grant.beneficiary_locations) for grant in grants), default=1)
    columns = flat_columns(location_count)
    rows: list[dict[str, str | int | float]] = []
    for grant in grants:
        data = grant_json(grant, prefix=prefix)
        recipient = data["recipientOrganization"][0]
        funder = data["fundingOrganization"][0]
        planned = (data.get("plannedDates") or [{}])[0]
        programme = (data.get("grantProgramme") or [{}])[0]
        values: dict[str, Any] = {
            "Identifier": data["id"],
            "Title": data["title"],
            "Description": data["description"],
            "Currency": data["currency"],
            "Amount Applied For": data.get("amountAppliedFor"),
            "Amount Awarded": data["amountAwarded"],
            "Amount Disbursed": data.get("amountDisbursed"),
            "Award Date": data["awardDate"],
            "URL": data.get("url"),
            "Planned Dates:Start Date": planned.get("startDate"),
            "Planned Dates:End Date": planned.get("endDate"),
            "Planned Dates:Duration (months)": planned.get("duration"),
            "Recipient Org:Identifier": recipient["id"],
            "Recipient Org:Name": recipient["name"],
            "Recipient Org:Charity Number": recipient.get("charityNumber"),
            "Recipient Org:Company Number": recipient.get("companyNumber"),
            "Recipient Org:Street Address": recipient.get("streetAddress"),
            "Recipient Org:City": recipient.get("addressLocality"),
            "Recipient Org:County": recipient.get("addressRegion"),
            "Recipient Org:Postal Code": recipient.get("postalCode"),
            "Recipient Org:Country": recipient.get("addressCountry"),
            "Recipient Org:Description": recipient.get("description"),
            "Recipient Org:Web Address": recipient.get("url"),
            "Funding Org:Identifier": funder["id"],
            "Funding Org:Name": funder["name"],
            "Funding Org:Department": funder.get("department"),
            "Grant Programme:Code": programme.get("code"),
            "Grant Programme:Title": programme.get("title"),
            "Grant Programme:URL": programme.get("url"),
            "From An Open Call?": data.get("fromOpenCall"),
            "Location Scope": data.get("locationScope"),
            "Last Modified": data.get("dateModified"),
            "Data Source": data.get("dataSource"),
        }
        json_keys = ("name", "geoCode", "geoCodeType", "countryCode")
        for index, location in enumerate(data.get("beneficiaryLocation", [])):
            for title, key in zip(_FLAT_LOCATION_FIELDS, json_keys, strict=True):
                values[f"Beneficiary Location:{index}:{title}"] = location.get(key)
        rows.append(
            {column: "" if values.get(column) is None else values[column] for column in columns}
        )
    return rows


# --------------------------------------------------------------------------- validation


def standard_directory() -> Path:
    """The folder holding the 360Giving schema and codelists (the project's copy first)."""
    for directory in STANDARD_DIRECTORIES:
        if (directory / GRANT_SCHEMA_FILE).is_file():
            return directory
    searched = ", ".join(str(directory) for directory in STANDARD_DIRECTORIES)
    raise FileNotFoundError(f"360Giving schema not found; looked in {searched}")


_FORMAT_CHECKER = FormatChecker(formats=())
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


@_FORMAT_CHECKER.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    """The schema's date fields are ``oneOf`` a date-time and a plain date, so without a real
    date-time check every plain date matches both branches and is rejected, while a dd/mm/yyyy
    date matches the unchecked branch and passes. jsonschema's own check needs an extra package;
    this one is enough for RFC 3339."""
    if not isinstance(value, str):
        return True
    if not _RFC3339.match(value):
        return False
    datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    return True


@_FORMAT_CHECKER.checks("uri")
def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme) and bool(parts.netloc or parts.path) and " " not in value


@cache
def _validator(directory: Path) -> Draft202012Validator:
    grant_schema = json.loads((directory / GRANT_SCHEMA_FILE).read_text(encoding="utf-8"))
    package_schema = json.loads((directory / PACKAGE_SCHEMA_FILE).read_text(encoding="utf-8"))
    resource = Resource.from_contents(grant_schema, default_specification=DRAFT202012)
    # The 1.4.3 package schema still points at the 1.4.2 grant schema URL; both mean this file.
    addresses = {grant_schema["$id"], package_schema["properties"]["grants"]["items"]["$ref"]}
    registry = Registry().with_resources((address, resource) for address in addresses)
    return Draft202012Validator(package_schema, registry=registry, format_checker=_FORMAT_CHECKER)


@cache
def codelist(name: str, directory: Path | None = None) -> frozenset[str]:
    """Codes of one 360Giving codelist, e.g. ``codelist("geoCodeType")``."""
    path = (directory or standard_directory()) / f"codelist_{name}.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return frozenset(row["Code"].strip() for row in csv.DictReader(handle) if row["Code"])


def _where(error: ValidationError, package: Mapping[str, Any]) -> str:
    path = list(error.absolute_path)
    text = "package"
    if len(path) >= 2 and path[0] == "grants" and isinstance(path[1], int):
        grants = package.get("grants") or []
        grant = grants[path[1]] if path[1] < len(grants) else {}
        grant_id = grant.get("id") if isinstance(grant, Mapping) else None
        text = f"grant {path[1] + 1}" + (f" ({grant_id})" if grant_id else "")
        path = path[2:]
    if path:
        text += ", " + ".".join(str(part) for part in path)
    return text


def _field_title(error: ValidationError) -> str:
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    return str(schema.get("title") or (error.path[-1] if error.path else "value"))


def _readable(error: ValidationError, package: Mapping[str, Any]) -> str:
    where = _where(error, package)
    title = _field_title(error)
    value = error.instance
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return f"{where}: required field '{missing}' is missing"
    if error.validator == "oneOf" and "pattern" in json.dumps(schema.get("oneOf", [])):
        return (
            f"{where}: {title} must be a date written YYYY-MM-DD or a full date-time "
            f"(e.g. 2024-03-31T09:00:00+00:00); got {value!r}"
        )
    if error.validator == "oneOf" and error.context:
        # The grant-level oneOf offers the same required fields with an organisation or an
        # individual as recipient: the branch with fewest complaints is the one meant.
        branches: dict[int, list[ValidationError]] = defaultdict(list)
        for sub_error in error.context:
            branches[sub_error.schema_path[0]].append(sub_error)
        closest = min(branches.values(), key=len)
        missing = sorted(sub.message.split("'")[1] for sub in closest if "'" in sub.message)
        if missing:
            return f"{where}: required field(s) missing: {', '.join(missing)}"
    if error.validator == "type":
        return f"{where}: {title} must be {error.validator_value}; got {value!r}"
    if error.validator == "enum":
        listed = schema.get("codelist")
        source = f"the 360Giving {listed.removesuffix('.csv')} codelist" if listed else "the list"
        return f"{where}: {title} {value!r} is not in {source}"
    if error.validator == "format" and error.validator_value == "uri":
        return f"{where}: {title} {value!r} is not a full web address (start it with https://)"
    if error.validator == "format":
        return f"{where}: {title} {value!r} is not a valid {error.validator_value}"
    if error.validator == "minItems":
        return f"{where}: {title} needs at least {error.validator_value} entry"
    if error.validator == "pattern":
        return f"{where}: {title} {value!r} does not have the expected form"
    return f"{where}: {error.message}"


def _codelist_errors(package: Mapping[str, Any], directory: Path) -> list[str]:
    """Codelists the schema names but does not enforce with an enum."""
    checks: list[tuple[str, str, str]] = [
        ("locationScope", "locationScope", "Location Scope"),
        ("regrantType", "regrantType", "For Regrant Type"),
    ]
    geo_code_types = codelist("geoCodeType", directory)
    errors: list[str] = []
    for index, grant in enumerate(package.get("grants") or []):
        if not isinstance(grant, Mapping):
            continue
        label = f"grant {index + 1}" + (f" ({grant['id']})" if grant.get("id") else "")
        for key, list_name, title in checks:
            value = grant.get(key)
            if value is not None and value not in codelist(list_name, directory):
                errors.append(
                    f"{label}, {key}: {title} {value!r} is not in the {list_name} codelist"
                )
        for position, location in enumerate(grant.get("beneficiaryLocation") or []):
            code_type = location.get("geoCodeType") if isinstance(location, Mapping) else None
            if code_type is not None and code_type not in geo_code_types:
                errors.append(
                    f"{label}, beneficiaryLocation.{position}.geoCodeType: {code_type!r} is not "
                    "in the 360Giving geoCodeType codelist (e.g. LSOA, WD, UA)"
                )
    return errors


def validate_package(package: Mapping[str, Any], *, directory: Path | None = None) -> list[str]:
    """Every reason the package is not valid 360Giving data, as sentences; empty when valid.

    Beyond the JSON schema this checks what 360Giving's own quality tool also insists on:
    unique grant identifiers and codes drawn from the codelists.
    """
    standard = directory or standard_directory()
    validator = _validator(standard)
    errors = sorted(
        validator.iter_errors(package),
        key=lambda error: [
            (0, part, "") if isinstance(part, int) else (1, 0, str(part)) for part in error.path
        ],
    )
    messages = [_readable(error, package) for error in errors]
    identifiers = Counter(
        grant.get("id")
        for grant in package.get("grants") or []
        if isinstance(grant, Mapping) and grant.get("id")
    )
    messages += [
        f"grant identifier {identifier!r} is used by {count} grants; identifiers must be unique"
        for identifier, count in identifiers.items()
        if count > 1
    ]
    messages += _codelist_errors(package, standard)
    return messages


# --------------------------------------------------------------------------- import


class Severity(enum.Enum):
    SKIPPED = "skipped"
    """The grant was not imported."""
    WARNING = "warning"
    """The grant was imported, but part of it could not be read or looks wrong."""
    NOTE = "note"
    """About the whole file rather than one grant."""


@dataclass(frozen=True)
class ImportProblem:
    severity: Severity
    field: str
    reason: str
    record: int | None = None
    """Spreadsheet row number for CSV/XLSX (the header is row 1); grant number (from 1) for JSON."""
    record_kind: str = "row"
    grant_id: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = "file" if self.record is None else f"{self.record_kind} {self.record}"
        if self.grant_id:
            where += f" ({self.grant_id})"
        shown = "" if self.value is None else f" {self.value!r}"
        return f"{where}, {self.field}{shown}: {self.reason} [{self.severity.value}]"


class ImportResult(NamedTuple):
    grants: list[GrantRecord]
    problems: list[ImportProblem]

    @property
    def skipped_records(self) -> list[int]:
        return sorted(
            {p.record for p in self.problems if p.severity is Severity.SKIPPED and p.record}
        )

    @property
    def complete(self) -> bool:
        """True when every grant in the file was imported; callers wanting all-or-nothing check this."""
        return not any(problem.severity is Severity.SKIPPED for problem in self.problems)


def _normal(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


_TOP_LEVEL_FIELDS = {
    "id": "id",
    "identifier": "id",
    "grantidentifier": "id",
    "title": "title",
    "description": "description",
    "currency": "currency",
    "amountawarded": "amountAwarded",
    "amountappliedfor": "amountAppliedFor",
    "amountdisbursed": "amountDisbursed",
    "awarddate": "awardDate",
    "url": "url",
    "webaddress": "url",
    "datemodified": "dateModified",
    "lastmodified": "dateModified",
    "datasource": "dataSource",
    "fromopencall": "fromOpenCall",
    "fromanopencall": "fromOpenCall",
    "locationscope": "locationScope",
}
_GROUPS = {
    "recipientorganization": "recipientOrganization",
    "recipientorganisation": "recipientOrganization",
    "recipientorg": "recipientOrganization",
    "fundingorganization": "fundingOrganization",
    "fundingorganisation": "fundingOrganization",
    "fundingorg": "fundingOrganization",
    "grantprogramme": "grantProgramme",
    "grantprogram": "grantProgramme",
    "planneddates": "plannedDates",
    "beneficiarylocation": "beneficiaryLocation",
    # Early files put the beneficiary area inside the recipient block.
    "recipientorgbeneficiarylocation": "beneficiaryLocation",
}
_ORGANISATION_FIELDS = {
    "id": "id",
    "identifier": "id",
    "name": "name",
    "charitynumber": "charityNumber",
    "companynumber": "companyNumber",
    "postalcode": "postalCode",
    "postcode": "postalCode",
    "streetaddress": "streetAddress",
    "addresslocality": "addressLocality",
    "city": "addressLocality",
    "town": "addressLocality",
    "addressregion": "addressRegion",
    "county": "addressRegion",
    "addresscountry": "addressCountry",
    "country": "addressCountry",
    "alternatename": "alternateName",
    "description": "description",
    "department": "department",
    "url": "url",
    "webaddress": "url",
}
_GROUP_FIELDS: dict[str, dict[str, str]] = {
    "recipientOrganization": _ORGANISATION_FIELDS,
    "fundingOrganization": _ORGANISATION_FIELDS,
    "grantProgramme": {"code": "code", "title": "title", "url": "url", "webaddress": "url"},
    "plannedDates": {
        "startdate": "startDate",
        "enddate": "endDate",
        "duration": "duration",
        "durationmonths": "duration",
        "durationinmonths": "duration",
    },
    "beneficiaryLocation": {
        "name": "name",
        "geocode": "geoCode",
        "geographiccode": "geoCode",
        "geocodetype": "geoCodeType",
        "geographiccodetype": "geoCodeType",
        "countrycode": "countryCode",
    },
}
_REPEATED_GROUPS = {"beneficiaryLocation"}


class _Fields:
    """One grant's values under canonical 360Giving paths, remembering how the file named them.

    Paths look like ``awardDate``, ``recipientOrganization/name`` or
    ``beneficiaryLocation/0/geoCode``; labels are the original column title or JSON key so that
    problems point at what the officer can see in the file.
    """

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.labels: dict[str, str] = {}
        self.extras: dict[str, str] = {}
        self.notes: list[tuple[str, str]] = []

    def put(self, path: str, value: Any, label: str) -> None:
        if value is None or (isinstance(value, str) and not value.strip()):
            self.labels.setdefault(path, label)
            return
        if path not in self.values:
            self.values[path] = value
            self.labels[path] = label

    def label(self, path: str) -> str:
        return self.labels.get(path, path)


def _fields_from_json(grant: Mapping[str, Any]) -> _Fields:
    fields = _Fields()
    for key, value in grant.items():
        normal = _normal(key)
        if normal in _TOP_LEVEL_FIELDS:
            fields.put(_TOP_LEVEL_FIELDS[normal], value, key)
            continue
        group = _GROUPS.get(normal)
        if group is None:
            if value not in (None, "", [], {}):
                fields.extras[key] = value if isinstance(value, str) else json.dumps(value)
            continue
        items = value if isinstance(value, list) else [value]
        if group not in _REPEATED_GROUPS and len(items) > 1:
            fields.notes.append((key, f"{len(items)} entries; only the first was imported"))
            items = items[:1]
        for index, item in enumerate(items):
            if not isinstance(item, Mapping):
                fields.notes.append((key, "not an object; ignored"))
                continue
            for sub_key, sub_value in item.items():
                canonical = _GROUP_FIELDS[group].get(_normal(sub_key))
                label = (
                    f"{key}/{index}/{sub_key}" if group in _REPEATED_GROUPS else f"{key}/{sub_key}"
                )
                if canonical is None:
                    if sub_value not in (None, ""):
                        fields.extras[label] = str(sub_value)
                    continue
                path = (
                    f"{group}/{index}/{canonical}"
                    if group in _REPEATED_GROUPS
                    else f"{group}/{canonical}"
                )
                fields.put(path, sub_value, label)
    return fields


_COLUMN = re.compile(r"^(?P<group>[^:]+):(?:(?P<index>\d+):)?(?P<field>.+)$")


def _column_path(title: str) -> str | None:
    """Canonical path for a spreadsheet column title, or None for a column we do not know."""
    normal_title = _normal(title)
    if normal_title in _TOP_LEVEL_FIELDS:
        return _TOP_LEVEL_FIELDS[normal_title]
    match = _COLUMN.match(title.strip())
    if not match:
        return None
    group = _GROUPS.get(_normal(match["group"]))
    if group is None:
        return None
    canonical = _GROUP_FIELDS[group].get(_normal(match["field"]))
    if canonical is None:
        return None
    if group in _REPEATED_GROUPS:
        return f"{group}/{int(match['index'] or 0)}/{canonical}"
    if match["index"] not in (None, "0"):
        return None
    return f"{group}/{canonical}"


class _Problems:
    def __init__(self, record: int | None, kind: str) -> None:
        self.record = record
        self.kind = kind
        self.grant_id: str | None = None
        self.items: list[ImportProblem] = []
        self.completed_web_addresses = 0

    def add(self, severity: Severity, field_label: str, reason: str, value: Any = None) -> None:
        shown = None if value is None else (value if isinstance(value, str) else repr(value))
        self.items.append(
            ImportProblem(
                severity=severity,
                field=field_label,
                reason=reason,
                record=self.record,
                record_kind=self.kind,
                grant_id=self.grant_id,
                value=shown,
            )
        )


_DAY_FIRST = re.compile(
    r"^(?P<day>\d{1,2})[/.-](?P<month>\d{1,2})[/.-](?P<year>\d{4})"
    r"(?:[ T](?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?$"
)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _parse_moment(value: Any) -> tuple[date, datetime | None]:
    """A date (and the date-time when one was written) from ISO or UK day-first text.

    Day-first is the only slash form accepted: UK funders write 03/04/2015 for 3 April, and a
    month above 12 is reported rather than silently swapped.
    """
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UK_TIMEZONE)
        return moment.date(), moment
    if isinstance(value, date):
        return value, None
    if not isinstance(value, str):
        raise ValueError("not a date")
    text = value.strip()
    if _ISO_DATE.match(text):
        try:
            return date.fromisoformat(text), None
        except ValueError:
            raise ValueError("not a real calendar date") from None
    if re.match(r"^\d{4}-\d{2}-\d{2}[T ]", text):
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise ValueError("not a real date and time") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UK_TIMEZONE)
        return moment.date(), moment
    match = _DAY_FIRST.match(text)
    if match:
        day, month, year = int(match["day"]), int(match["month"]), int(match["year"])
        if month > 12:
            raise ValueError(f"month {month} is out of range (dates are read as day/month/year)")
        try:
            day_value = date(year, month, day)
        except ValueError:
            raise ValueError("not a real calendar date") from None
        if match["hour"] is None:
            return day_value, None
        moment = datetime(
            year,
            month,
            day,
            int(match["hour"]),
            int(match["minute"]),
            int(match["second"] or 0),
            tzinfo=UK_TIMEZONE,
        )
        return day_value, moment
    raise ValueError("not a date in a form we read (YYYY-MM-DD or DD/MM/YYYY)")


def _parse_amount(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("not an amount")
    if isinstance(value, int | float | Decimal):
        amount = Decimal(str(value))
    else:
        text = re.sub(r"(?i)gbp|£|,|\s", "", str(value))
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError("not an amount of money") from None
    if not amount.is_finite():
        raise ValueError("not an amount of money")
    return amount


def _parse_duration(value: Any) -> Decimal:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value))
    match = re.match(r"^\s*(\d+(?:\.\d+)?)\s*(?:months?)?\s*$", str(value), re.IGNORECASE)
    if not match:
        raise ValueError("not a number of months")
    return Decimal(match[1])


def _parse_yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"yes", "y", "true", "1"}:
        return True
    if text in {"no", "n", "false", "0"}:
        return False
    raise ValueError("not Yes or No")


def _web_address(value: Any) -> str:
    """Early files often wrote ``www.example.org.uk``; 360Giving needs a full address."""
    text = _text(value)
    if not text:
        raise ValueError("empty")
    if urlsplit(text).scheme in {"http", "https"}:
        return text
    if re.match(r"^[\w-]+(\.[\w-]+)+(/\S*)?$", text):
        return f"http://{text}"
    raise ValueError("not a web address")


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


_ONS_CODE = re.compile(r"^[EWSN]\d{8}$")


def _record_from_fields(fields: _Fields, problems: _Problems) -> GrantRecord | None:
    values = fields.values
    identifier = _text(values["id"]) if "id" in values else None
    problems.grant_id = identifier
    for label, reason in fields.notes:
        problems.add(Severity.WARNING, label, reason)

    def parsed(path: str, parser: Any, *, required: bool = False) -> Any:
        if path not in values:
            if required:
                problems.add(Severity.SKIPPED, fields.label(path), "missing; a grant needs it")
            return None
        try:
            return parser(values[path])
        except ValueError as error:
            severity = Severity.SKIPPED if required else Severity.WARNING
            reason = str(error) + ("" if required else "; left empty")
            problems.add(severity, fields.label(path), reason, values[path])
            return None

    def web_address(path: str) -> str | None:
        address = parsed(path, _web_address)
        if address is not None and address != _text(values[path]):
            problems.completed_web_addresses += 1
        return address

    if identifier is None:
        problems.add(Severity.SKIPPED, "Identifier", "missing; a grant needs it")
    amount = parsed("amountAwarded", _parse_amount, required=True)
    award = parsed("awardDate", _parse_moment, required=True)

    def organisation(group: str, role: str) -> Organisation | None:
        name = values.get(f"{group}/name")
        org_id = values.get(f"{group}/id")
        if name is None and org_id is None:
            problems.add(Severity.SKIPPED, role, "no name or identifier; a grant needs one")
            return None
        return Organisation(
            name=_text(name if name is not None else org_id),
            identifier=None if org_id is None else _text(org_id),
            charity_number=_optional_text(values.get(f"{group}/charityNumber")),
            company_number=_optional_text(values.get(f"{group}/companyNumber")),
            postal_code=_optional_text(values.get(f"{group}/postalCode")),
            street_address=_optional_text(values.get(f"{group}/streetAddress")),
            address_locality=_optional_text(values.get(f"{group}/addressLocality")),
            address_region=_optional_text(values.get(f"{group}/addressRegion")),
            address_country=_optional_text(values.get(f"{group}/addressCountry")),
            alternate_name=_optional_text(values.get(f"{group}/alternateName")),
            description=_optional_text(values.get(f"{group}/description")),
            department=_optional_text(values.get(f"{group}/department")),
            url=web_address(f"{group}/url"),
        )

    recipient = organisation("recipientOrganization", "Recipient Org")
    funder = organisation("fundingOrganization", "Funding Org")
    title = _optional_text(values.get("title"))
    if title is None:
        problems.add(Severity.WARNING, fields.label("title"), "missing; left empty")
    description = _optional_text(values.get("description"))
    if description is None:
        problems.add(Severity.WARNING, fields.label("description"), "missing; left empty")

    currency = _optional_text(values.get("currency"))
    if currency is None:
        problems.add(Severity.WARNING, fields.label("currency"), "missing; GBP assumed")
        currency = "GBP"
    else:
        currency = currency.upper()
        if currency not in codelist("currency"):
            problems.add(
                Severity.WARNING, fields.label("currency"), "not in the currency codelist", currency
            )

    planned_start = parsed("plannedDates/startDate", _parse_moment)
    planned_end = parsed("plannedDates/endDate", _parse_moment)
    duration = parsed("plannedDates/duration", _parse_duration)
    planned = None
    if planned_start or planned_end or duration is not None:
        planned = PlannedDates(
            start_date=planned_start[0] if planned_start else None,
            end_date=planned_end[0] if planned_end else None,
            duration_months=duration,
        )
    if (
        planned
        and planned.start_date
        and planned.end_date
        and planned.end_date < planned.start_date
    ):
        problems.add(
            Severity.WARNING,
            fields.label("plannedDates/endDate"),
            "ends before it starts; kept as written",
        )

    programme = None
    if any(key.startswith("grantProgramme/") for key in values):
        programme = GrantProgramme(
            title=_optional_text(values.get("grantProgramme/title")),
            code=_optional_text(values.get("grantProgramme/code")),
            url=web_address("grantProgramme/url"),
        )

    location_indexes = sorted(
        {int(key.split("/")[1]) for key in values if key.startswith("beneficiaryLocation/")}
    )
    locations = tuple(
        BeneficiaryLocation(
            name=_optional_text(values.get(f"beneficiaryLocation/{index}/name")),
            geo_code=_optional_text(values.get(f"beneficiaryLocation/{index}/geoCode")),
            geo_code_type=_optional_text(values.get(f"beneficiaryLocation/{index}/geoCodeType")),
            country_code=_optional_text(values.get(f"beneficiaryLocation/{index}/countryCode")),
        )
        for index in location_indexes
    )
    modified = parsed("dateModified", _parse_moment)
    open_call = parsed("fromOpenCall", _parse_yes_no)

    if identifier is None or amount is None or award is None or recipient is None or funder is None:
        return None
    return GrantRecord(
        identifier=identifier,
        title=title or "",
        description=description or "",
        amount_awarded=amount,
        award_date=award[0],
        recipient=recipient,
        funder=funder,
        currency=currency,
        amount_applied_for=parsed("amountAppliedFor", _parse_amount),
        amount_disbursed=parsed("amountDisbursed", _parse_amount),
        planned_dates=planned,
        grant_programme=programme,
        beneficiary_locations=locations,
        from_open_call=open_call,
        location_scope=_optional_text(values.get("locationScope")),
        url=web_address("url"),
        date_modified=(
            modified[1] or datetime.combine(modified[0], datetime.min.time(), UK_TIMEZONE)
        )
        if modified
        else None,
        data_source=_optional_text(values.get("dataSource")),
        extras=dict(fields.extras),
    )


def _optional_text(value: Any) -> str | None:
    if value is None:
        return None
    text = _text(value)
    return text or None


def _file_notes(
    grants: Sequence[GrantRecord], unknown_fields: Iterable[str]
) -> list[ImportProblem]:
    """Patterns worth one line for the whole file rather than one per grant."""
    notes = [
        ImportProblem(
            Severity.NOTE,
            name,
            "not a 360Giving field; kept with each grant as written, not interpreted",
        )
        for name in sorted(set(unknown_fields))
    ]
    not_codes = [
        location.geo_code
        for grant in grants
        for location in grant.beneficiary_locations
        if location.geo_code_type == "LSOA"
        and location.geo_code
        and not _ONS_CODE.match(location.geo_code)
    ]
    if not_codes:
        notes.append(
            ImportProblem(
                Severity.NOTE,
                "Beneficiary Location: Geographic Code",
                f"{len(not_codes)} LSOA codes are names rather than ONS codes "
                f"(e.g. {not_codes[0]!r}); kept as written and not matched to an area",
            )
        )
    unknown_types = sorted(
        {
            location.geo_code_type
            for grant in grants
            for location in grant.beneficiary_locations
            if location.geo_code_type and location.geo_code_type not in codelist("geoCodeType")
        }
    )
    if unknown_types:
        notes.append(
            ImportProblem(
                Severity.NOTE,
                "Beneficiary Location: Geographic Code Type",
                f"not in the geoCodeType codelist: {', '.join(unknown_types)}",
            )
        )
    names_by_identifier: dict[str, set[str]] = defaultdict(set)
    for grant in grants:
        if grant.recipient.identifier:
            names_by_identifier[grant.recipient.identifier].add(grant.recipient.name)
    for identifier, names in sorted(names_by_identifier.items()):
        if len(names) > 1:
            notes.append(
                ImportProblem(
                    Severity.NOTE,
                    "Recipient Org: Identifier",
                    f"{identifier!r} is used for {len(names)} differently named organisations, "
                    "so it is probably a placeholder; do not link recipients on it",
                )
            )
    identifiers = Counter(grant.identifier for grant in grants)
    for identifier, count in sorted(identifiers.items()):
        if count > 1:
            notes.append(
                ImportProblem(
                    Severity.NOTE,
                    "Identifier",
                    f"{identifier!r} appears on {count} grants; identifiers should be unique",
                )
            )
    return notes


def _import(records: Iterable[tuple[int, _Fields]], kind: str) -> ImportResult:
    grants: list[GrantRecord] = []
    problems: list[ImportProblem] = []
    unknown: list[str] = []
    completed_web_addresses = 0
    for number, fields in records:
        record_problems = _Problems(number, kind)
        grant = _record_from_fields(fields, record_problems)
        problems.extend(record_problems.items)
        completed_web_addresses += record_problems.completed_web_addresses
        unknown.extend(fields.extras)
        if grant is not None:
            grants.append(grant)
    unknown_names = [re.sub(r"/\d+/", "/", name) for name in unknown]
    notes = _file_notes(grants, unknown_names)
    if completed_web_addresses:
        reason = f"{completed_web_addresses} web addresses had no http://; it was added"
        notes.append(ImportProblem(Severity.NOTE, "URL", reason))
    return ImportResult(grants, problems + notes)


def read_json(text: str) -> ImportResult:
    """Grants from 360Giving JSON: a package with ``grants``, or a bare list of grants."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        return ImportResult([], [ImportProblem(Severity.SKIPPED, "file", f"not JSON: {error}")])
    grants = document.get("grants") if isinstance(document, Mapping) else document
    if not isinstance(grants, list):
        reason = "no 'grants' list found; nothing imported"
        return ImportResult([], [ImportProblem(Severity.SKIPPED, "file", reason)])
    records: list[tuple[int, _Fields]] = []
    skipped: list[ImportProblem] = []
    for number, grant in enumerate(grants, start=1):
        if isinstance(grant, Mapping):
            records.append((number, _fields_from_json(grant)))
        else:
            skipped.append(
                ImportProblem(Severity.SKIPPED, "grant", "not an object", number, "grant")
            )
    result = _import(records, "grant")
    return ImportResult(result.grants, skipped + result.problems)


def read_rows(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, first_row: int = 2
) -> ImportResult:
    """Grants from spreadsheet rows under 360Giving column titles (old spellings accepted)."""
    paths = [_column_path(title) if title is not None else None for title in header]

    def records() -> Iterator[tuple[int, _Fields]]:
        for number, row in enumerate(rows, start=first_row):
            if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row):
                continue
            fields = _Fields()
            for title, path, cell in zip(header, paths, row, strict=False):
                if path is None:
                    if title and cell not in (None, ""):
                        fields.extras[str(title)] = _text(cell)
                else:
                    fields.put(path, cell, str(title))
            yield number, fields

    return _import(records(), "row")


def read_csv(text: str) -> ImportResult:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        return ImportResult([], [ImportProblem(Severity.SKIPPED, "file", "empty file")])
    return read_rows(header, reader)


def _decode(data: bytes) -> tuple[str, list[ImportProblem]]:
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        note = ImportProblem(
            Severity.NOTE, "file", "not UTF-8; read as Windows-1252 (check £ signs and accents)"
        )
        return data.decode("cp1252", errors="replace"), [note]


def _read_xlsx(path: Path) -> ImportResult:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    sheet = workbook["grants"] if "grants" in workbook.sheetnames else workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if not header:
        return ImportResult([], [ImportProblem(Severity.SKIPPED, "file", "empty sheet")])
    result = read_rows([None if cell is None else str(cell) for cell in header], rows)
    workbook.close()
    return result


def read_file(path: str | Path) -> ImportResult:
    """Past grants from a published 360Giving file (.json, .csv or .xlsx).

    Reads what it can and reports the rest: a grant missing its identifier, amount, award date,
    recipient or funder is left out and reported as SKIPPED; a bad optional field is left empty
    and reported as WARNING. Use ``result.complete`` to refuse a partial import.
    """
    file_path = Path(path)
    suffix = file_path.suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(file_path)
    text, notes = _decode(file_path.read_bytes())
    if suffix == ".json":
        result = read_json(text)
    elif suffix == ".csv":
        result = read_csv(text)
    else:
        raise ValueError(f"cannot read {file_path.name}: expected .json, .csv or .xlsx")
    return ImportResult(result.grants, notes + result.problems)
