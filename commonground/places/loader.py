"""Loading the open geography and deprivation data that ships in ``data/``.

Everything is read and checked before anything is written, so a bad file changes nothing; then all of
it is written in one transaction with bulk upserts, so a second run updates rows in place.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from shapely.geometry import mapping, shape
from shapely.ops import unary_union

from commonground.core.audit import audit_record

from .models import GpPractice, LocalAuthority, Lsoa, Ward

IMD_FILE = "imd2019/imd2019_lsoa_england_merged.csv"
POPULATION_FILE = "population/sape20_mid2017_all_ages_by_area_code.csv"
RURAL_URBAN_FILE = "boundaries/rural_urban_classification_2011_lsoa_england_wales.csv"
LSOA_BOUNDARY_FILE = "boundaries/lsoa2011_bgc_banes_exeter.geojson"
WARD_LOOKUP_FILE = "boundaries/lookup_lsoa11_ward19_lad19_banes_exeter_neighbours.csv"
BANES_WARD_FILE = "banes_local/banes_boundary_review_2018_final_wards_simp.geojson"
GP_FILE = "gp_practices/gp_practices_banes_exeter.csv"

LSOA_CODE = re.compile(r"^E01\d{6}$")
AUTHORITY_CODE = re.compile(r"^E0[6-9]\d{6}$")
WARD_CODE = re.compile(r"^E05\d{6}$")
GP_CODE = re.compile(r"^[A-Z]\d{5}$")

DOMAIN_KEYS = [
    "income",
    "employment",
    "education",
    "health",
    "crime",
    "barriers",
    "living_env",
    "idaci",
    "idaopi",
]
# Boundaries are stored rounded to about 1 m: enough for maps and point lookup, and half the size.
COORDINATE_DECIMALS = 5


class PlacesLoadError(Exception):
    """A problem in the data files; the message names the file, row and column."""


@dataclass
class LoadSummary:
    authorities: int = 0
    wards: int = 0
    lsoas: int = 0
    lsoas_with_boundary: int = 0
    gp_practices: int = 0
    notes: list[str] = field(default_factory=list)


def _open_csv(
    data_dir: Path, relative: str, required: list[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    path = data_dir / relative
    if not path.is_file():
        raise PlacesLoadError(f"{relative}: file not found in {data_dir}.")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in required if column not in (reader.fieldnames or [])]
        if missing:
            raise PlacesLoadError(f"{relative}: missing column(s) {', '.join(missing)}.")
        # Row numbers as a spreadsheet shows them: the header is row 1.
        yield from enumerate(reader, start=2)


def _code(value: str, pattern: re.Pattern[str], relative: str, row: int, column: str) -> str:
    value = (value or "").strip()
    if not pattern.match(value):
        raise PlacesLoadError(
            f"{relative}, row {row}, column {column}: {value!r} is not a valid code."
        )
    return value


def _int(value: str, relative: str, row: int, column: str) -> int:
    try:
        return int(value.replace(",", "").strip())
    except (ValueError, AttributeError) as error:
        raise PlacesLoadError(
            f"{relative}, row {row}, column {column}: {value!r} is not a whole number."
        ) from error


def _float(value: str, relative: str, row: int, column: str) -> float:
    try:
        return float(value.strip())
    except (ValueError, AttributeError) as error:
        raise PlacesLoadError(
            f"{relative}, row {row}, column {column}: {value!r} is not a number."
        ) from error


def _round_coordinates(coordinates: Any) -> Any:
    if isinstance(coordinates, float | int):
        return round(float(coordinates), COORDINATE_DECIMALS)
    return [_round_coordinates(item) for item in coordinates]


def _geometry_json(geometry: Any) -> str:
    geo = mapping(geometry)
    return json.dumps(
        {"type": geo["type"], "coordinates": _round_coordinates(geo["coordinates"])},
        separators=(",", ":"),
    )


def _read_json(data_dir: Path, relative: str) -> dict[str, Any]:
    path = data_dir / relative
    if not path.is_file():
        raise PlacesLoadError(f"{relative}: file not found in {data_dir}.")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise PlacesLoadError(
            f"{relative}: not valid JSON ({error.msg} at line {error.lineno})."
        ) from error


@dataclass
class ParsedPlaces:
    authorities: dict[str, str]
    lsoas: dict[str, dict[str, Any]]
    wards: dict[str, dict[str, Any]]
    authority_shapes: dict[str, Any]
    gp_practices: list[dict[str, Any]]


def parse(data_dir: Path) -> ParsedPlaces:
    """Read and check every file; raise :class:`PlacesLoadError` at the first problem."""
    imd_columns = [
        "lsoa11cd",
        "lsoa11nm",
        "lad19cd",
        "lad19nm",
        "imd_rank",
        "imd_decile",
        "imd_score_derived",
    ]
    for key in DOMAIN_KEYS:
        imd_columns += [f"{key}_rank", f"{key}_decile"]
    authorities: dict[str, str] = {}
    lsoas: dict[str, dict[str, Any]] = {}
    for row_number, row in _open_csv(data_dir, IMD_FILE, imd_columns):
        code = _code(row["lsoa11cd"], LSOA_CODE, IMD_FILE, row_number, "lsoa11cd")
        authority = _code(row["lad19cd"], AUTHORITY_CODE, IMD_FILE, row_number, "lad19cd")
        authorities[authority] = row["lad19nm"].strip()
        record: dict[str, Any] = {
            "name": row["lsoa11nm"].strip(),
            "authority": authority,
            "imd_rank": _int(row["imd_rank"], IMD_FILE, row_number, "imd_rank"),
            "imd_decile": _int(row["imd_decile"], IMD_FILE, row_number, "imd_decile"),
            "imd_score": _float(
                row["imd_score_derived"], IMD_FILE, row_number, "imd_score_derived"
            ),
            "population": None,
            "rural_urban_code": "",
            "rural_urban_class": "",
            "boundary": "",
            "centroid_lon": None,
            "centroid_lat": None,
            "ward": None,
        }
        if not 1 <= record["imd_decile"] <= 10:
            raise PlacesLoadError(
                f"{IMD_FILE}, row {row_number}, column imd_decile: {record['imd_decile']} is not between 1 and 10."
            )
        for key in DOMAIN_KEYS:
            record[f"{key}_rank"] = _int(row[f"{key}_rank"], IMD_FILE, row_number, f"{key}_rank")
            record[f"{key}_decile"] = _int(
                row[f"{key}_decile"], IMD_FILE, row_number, f"{key}_decile"
            )
        lsoas[code] = record
    if not lsoas:
        raise PlacesLoadError(f"{IMD_FILE}: no rows.")

    for row_number, row in _open_csv(data_dir, POPULATION_FILE, ["area_code", "all_ages_mid2017"]):
        code = row["area_code"].strip()
        if code in lsoas:
            lsoas[code]["population"] = _int(
                row["all_ages_mid2017"], POPULATION_FILE, row_number, "all_ages_mid2017"
            )

    for _row_number, row in _open_csv(data_dir, RURAL_URBAN_FILE, ["lsoa11cd", "ruc11cd", "ruc11"]):
        code = row["lsoa11cd"].strip()
        if code in lsoas:
            lsoas[code]["rural_urban_code"] = row["ruc11cd"].strip()
            lsoas[code]["rural_urban_class"] = row["ruc11"].strip()

    collection = _read_json(data_dir, LSOA_BOUNDARY_FILE)
    shapes_by_authority: dict[str, list[Any]] = {}
    lsoa_shapes: dict[str, Any] = {}
    for index, feature in enumerate(collection.get("features", []), start=1):
        properties = feature.get("properties") or {}
        code = properties.get("lsoa11cd", "")
        if not LSOA_CODE.match(code or ""):
            raise PlacesLoadError(
                f"{LSOA_BOUNDARY_FILE}, feature {index}, property lsoa11cd: {code!r} is not a valid code."
            )
        if code not in lsoas:
            raise PlacesLoadError(
                f"{LSOA_BOUNDARY_FILE}, feature {index}: LSOA {code} is not in {IMD_FILE}."
            )
        try:
            geometry = shape(feature["geometry"])
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise PlacesLoadError(
                f"{LSOA_BOUNDARY_FILE}, feature {index} ({code}): the geometry cannot be read."
            ) from error
        if geometry.is_empty or not geometry.is_valid:
            raise PlacesLoadError(
                f"{LSOA_BOUNDARY_FILE}, feature {index} ({code}): the geometry is empty or invalid."
            )
        point = (
            geometry.representative_point()
            if not geometry.contains(geometry.centroid)
            else geometry.centroid
        )
        lsoas[code].update(
            boundary=_geometry_json(geometry),
            centroid_lon=round(point.x, 6),
            centroid_lat=round(point.y, 6),
        )
        lsoa_shapes[code] = geometry
        shapes_by_authority.setdefault(lsoas[code]["authority"], []).append(geometry)
    if not lsoa_shapes:
        raise PlacesLoadError(f"{LSOA_BOUNDARY_FILE}: no features.")

    wards: dict[str, dict[str, Any]] = {}
    mapped_authorities = set(shapes_by_authority)
    for row_number, row in _open_csv(
        data_dir, WARD_LOOKUP_FILE, ["lsoa11cd", "wd19cd", "wd19nm", "lad19cd"]
    ):
        authority = row["lad19cd"].strip()
        if authority not in mapped_authorities:
            continue
        lsoa_code = _code(row["lsoa11cd"], LSOA_CODE, WARD_LOOKUP_FILE, row_number, "lsoa11cd")
        ward_code = _code(row["wd19cd"], WARD_CODE, WARD_LOOKUP_FILE, row_number, "wd19cd")
        if lsoa_code not in lsoas:
            raise PlacesLoadError(
                f"{WARD_LOOKUP_FILE}, row {row_number}, column lsoa11cd: {lsoa_code} is not in {IMD_FILE}."
            )
        ward = wards.setdefault(
            ward_code, {"name": row["wd19nm"].strip(), "authority": authority, "lsoas": []}
        )
        ward["lsoas"].append(lsoa_code)
        lsoas[lsoa_code]["ward"] = ward_code

    council_wards = _read_json(data_dir, BANES_WARD_FILE)
    by_name = {
        ward["name"].casefold(): code
        for code, ward in wards.items()
        if ward["authority"] == "E06000022"
    }
    for ward in wards.values():
        member_shapes = [lsoa_shapes[lsoa] for lsoa in ward["lsoas"] if lsoa in lsoa_shapes]
        union = unary_union(member_shapes) if member_shapes else None
        ward.update(geometry=union, boundary_source="union of LSOAs")
    for index, feature in enumerate(council_wards.get("features", []), start=1):
        name = ((feature.get("properties") or {}).get("Ward_name") or "").strip()
        code = by_name.get(name.casefold())
        if code is None:
            raise PlacesLoadError(
                f"{BANES_WARD_FILE}, feature {index}, property Ward_name: {name!r} matches no 2019 ward in {WARD_LOOKUP_FILE}."
            )
        wards[code].update(
            geometry=shape(feature["geometry"]), boundary_source="council ward boundary"
        )
    for ward in wards.values():
        geometry = ward.pop("geometry")
        if geometry is not None:
            point = geometry.representative_point()
            ward.update(
                boundary=_geometry_json(geometry.simplify(0.00005)),
                centroid_lon=round(point.x, 6),
                centroid_lat=round(point.y, 6),
            )
        else:
            ward.update(boundary="", centroid_lon=None, centroid_lat=None)

    authority_shapes = {
        code: unary_union(parts).simplify(0.0001) for code, parts in shapes_by_authority.items()
    }

    practices: list[dict[str, Any]] = []
    gp_columns = [
        "org_code",
        "name",
        "postcode",
        "status_code",
        "lon",
        "lat",
        "area",
        "prescribing_setting",
    ]
    for row_number, row in _open_csv(data_dir, GP_FILE, gp_columns):
        # Prescribing setting 4 is a GP practice; the file also lists clinics and out-of-hours services.
        if row["prescribing_setting"].strip() != "4":
            continue
        code = _code(row["org_code"], GP_CODE, GP_FILE, row_number, "org_code")
        lon = _float(row["lon"], GP_FILE, row_number, "lon") if row["lon"].strip() else None
        lat = _float(row["lat"], GP_FILE, row_number, "lat") if row["lat"].strip() else None
        practices.append(
            {
                "code": code,
                "name": row["name"].strip(),
                "postcode": row["postcode"].strip(),
                "lon": lon,
                "lat": lat,
                "is_active": row["status_code"].strip() == "A",
                "area": row["area"].strip(),
            }
        )
    return ParsedPlaces(
        authorities=authorities,
        lsoas=lsoas,
        wards=wards,
        authority_shapes=authority_shapes,
        gp_practices=practices,
    )


LSOA_FIELDS = [
    "name",
    "authority_id",
    "ward_id",
    "population",
    "imd_rank",
    "imd_decile",
    "imd_score",
    *[f"{key}_{kind}" for key in DOMAIN_KEYS for kind in ("rank", "decile")],
    "rural_urban_code",
    "rural_urban_class",
    "boundary",
    "centroid_lon",
    "centroid_lat",
]


@transaction.atomic
def load_places(*, data_dir: Path, actor: Any = None) -> LoadSummary:
    """Load or refresh all geography from ``data_dir``; nothing changes if any file is wrong."""
    from .lookup import clear_lookup_cache

    parsed = parse(data_dir)
    summary = LoadSummary()

    authority_rows = []
    for code, name in parsed.authorities.items():
        geometry = parsed.authority_shapes.get(code)
        point = geometry.representative_point() if geometry is not None else None
        authority_rows.append(
            LocalAuthority(
                code=code,
                name=name,
                boundary=_geometry_json(geometry) if geometry is not None else "",
                centroid_lon=round(point.x, 6) if point else None,
                centroid_lat=round(point.y, 6) if point else None,
            )
        )
    LocalAuthority.objects.bulk_create(
        authority_rows,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "boundary", "centroid_lon", "centroid_lat", "updated_at"],
    )
    authority_ids = dict(LocalAuthority.objects.values_list("code", "id"))
    summary.authorities = len(authority_rows)

    ward_rows = [
        Ward(
            code=code,
            name=ward["name"],
            authority_id=authority_ids[ward["authority"]],
            boundary=ward["boundary"],
            boundary_source=ward["boundary_source"],
            centroid_lon=ward["centroid_lon"],
            centroid_lat=ward["centroid_lat"],
        )
        for code, ward in parsed.wards.items()
    ]
    Ward.objects.bulk_create(
        ward_rows,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=[
            "name",
            "authority_id",
            "boundary",
            "boundary_source",
            "centroid_lon",
            "centroid_lat",
            "updated_at",
        ],
    )
    ward_ids = dict(Ward.objects.values_list("code", "id"))
    summary.wards = len(ward_rows)

    lsoa_rows = []
    for code, record in parsed.lsoas.items():
        values = {key: value for key, value in record.items() if key not in {"authority", "ward"}}
        lsoa_rows.append(
            Lsoa(
                code=code,
                authority_id=authority_ids[record["authority"]],
                ward_id=ward_ids.get(record["ward"]) if record["ward"] else None,
                **values,
            )
        )
        if record["boundary"]:
            summary.lsoas_with_boundary += 1
    Lsoa.objects.bulk_create(
        lsoa_rows,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=[*LSOA_FIELDS, "updated_at"],
    )
    summary.lsoas = len(lsoa_rows)

    authority_by_name = {
        name.casefold(): authority_ids[code] for code, name in parsed.authorities.items()
    }
    from .lookup import PointLookup

    lookup = PointLookup.from_records(
        (code, record["boundary"]) for code, record in parsed.lsoas.items() if record["boundary"]
    )
    lsoa_ids = dict(Lsoa.objects.filter(boundary__gt="").values_list("code", "id"))
    practice_rows = []
    for practice in parsed.gp_practices:
        lsoa_code = (
            lookup.lsoa_code_at(practice["lon"], practice["lat"])
            if practice["lon"] is not None
            else None
        )
        lsoa_id = lsoa_ids.get(lsoa_code) if lsoa_code else None
        practice_rows.append(
            GpPractice(
                code=practice["code"],
                name=practice["name"],
                postcode=practice["postcode"],
                lon=practice["lon"],
                lat=practice["lat"],
                is_active=practice["is_active"],
                lsoa_id=lsoa_id,
                authority_id=authority_by_name.get(practice["area"].casefold()),
            )
        )
    GpPractice.objects.bulk_create(
        practice_rows,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=[
            "name",
            "postcode",
            "lon",
            "lat",
            "is_active",
            "lsoa_id",
            "authority_id",
            "updated_at",
        ],
    )
    summary.gp_practices = len(practice_rows)
    audit_record(
        actor=actor,
        action="places.load",
        object_type="places.dataset",
        object_id=str(data_dir.name),
        object_repr="Open geography and deprivation",
        changes={"counts": summary.__dict__},
    )
    transaction.on_commit(clear_lookup_cache)
    return summary
