import csv
import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from commonground.funding.threesixty import (
    BeneficiaryLocation,
    GrantProgramme,
    GrantRecord,
    Organisation,
    PlannedDates,
    Publisher,
    Severity,
    build_package,
    flat_columns,
    flatten,
    read_file,
    validate_package,
)

REPOSITORY_ROOT = Path(__file__).resolve().parents[3]
SAMPLE_DIRECTORIES = (
    REPOSITORY_ROOT / "data" / "standards" / "360giving",
    REPOSITORY_ROOT.parent / "shared" / "data" / "standards" / "360giving",
)

COUNCIL = Organisation(identifier="GB-LAE-BAS", name="Bath and North East Somerset Council")
PUBLISHER = Publisher(
    name="Bath and North East Somerset Council",
    prefix="360G-banes",
    identifier="GB-LAE-BAS",
    website="https://www.bathnes.gov.uk",
)


def sample_file(name: str) -> Path:
    for directory in SAMPLE_DIRECTORIES:
        if (directory / name).is_file():
            return directory / name
    pytest.skip(f"360Giving sample {name} is not available")


def main_fund_grant(number: int, **changes: object) -> GrantRecord:
    values: dict[str, object] = {
        "identifier": f"MF-2024-{number:03d}",
        "title": f"Community project {number}",
        "description": "Clean-ups and a residents' tool library run by volunteers.",
        "amount_awarded": Decimal("62500"),
        "award_date": date(2024, 7, 1),
        "recipient": Organisation(
            name=f"Synthetic Residents Group {number}",
            charity_number=f"11{number:05d}",
            postal_code="BA2 1AA",
        ),
        "funder": COUNCIL,
        "amount_applied_for": Decimal("70000"),
        "planned_dates": PlannedDates(
            start_date=date(2024, 9, 1), end_date=date(2025, 8, 31), duration_months=Decimal(12)
        ),
        "grant_programme": GrantProgramme(code="MAIN", title="Main Fund"),
        "beneficiary_locations": (
            BeneficiaryLocation(name="Twerton", geo_code="E05012488", geo_code_type="WD"),
        ),
        "from_open_call": True,
        "location_scope": "GLS060",
        "date_modified": datetime(2024, 7, 2, 9, 30, tzinfo=UTC),
    }
    values.update(changes)
    return GrantRecord(**values)  # type: ignore[arg-type]


def small_grant() -> GrantRecord:
    return GrantRecord(
        identifier="SG-2024-001",
        title="Street party kit",
        description="Gazebos and tables for neighbourhood events.",
        amount_awarded=Decimal("1499.50"),
        award_date=date(2024, 5, 14),
        recipient=Organisation(
            identifier="360G-banes-org-0007", name="Synthetic Street Party Collective"
        ),
        funder=COUNCIL,
        grant_programme=GrantProgramme(code="SMALL", title="Small grants"),
        beneficiary_locations=(
            BeneficiaryLocation(name="Whiteway", geo_code="E01014458", geo_code_type="LSOA"),
            BeneficiaryLocation(name="Twerton", geo_code="E05012488", geo_code_type="WD"),
        ),
        from_open_call=False,
    )


def test_export_of_synthetic_grants_is_valid_against_the_360giving_schema() -> None:
    grants = [main_fund_grant(number) for number in range(1, 17)] + [small_grant()]

    package = build_package(grants, PUBLISHER, issued=date(2024, 8, 1))

    assert validate_package(package) == []
    assert sum(grant["amountAwarded"] for grant in package["grants"][:16]) == 1_000_000
    first = package["grants"][0]
    assert first["id"] == "360G-banes-MF-2024-001"
    assert first["awardDate"] == "2024-07-01"
    assert first["recipientOrganization"][0]["id"] == "GB-CHC-1100001"
    assert first["fromOpenCall"] == "Yes"
    assert package["grants"][-1]["amountAwarded"] == 1499.5
    assert package["version"] == "1.4"
    json.dumps(package)


def test_identifiers_already_carrying_the_prefix_are_not_prefixed_twice() -> None:
    grant = main_fund_grant(1, identifier="360G-banes-MF-2024-001")

    package = build_package([grant], PUBLISHER, issued=date(2024, 8, 1))

    assert package["grants"][0]["id"] == "360G-banes-MF-2024-001"


def test_a_publisher_prefix_not_issued_by_360giving_is_refused() -> None:
    with pytest.raises(ValueError, match="360G-"):
        build_package([main_fund_grant(1)], Publisher(name="Council", prefix="banes"))


def test_an_organisation_without_any_identifier_cannot_be_exported() -> None:
    grant = main_fund_grant(1, recipient=Organisation(name="Unregistered group"))

    with pytest.raises(ValueError, match="Unregistered group"):
        build_package([grant], PUBLISHER)


def test_broken_package_fails_with_readable_messages() -> None:
    package = build_package([main_fund_grant(1), main_fund_grant(2)], PUBLISHER)
    broken = package["grants"][0]
    broken["awardDate"] = "31/03/2024"
    broken["amountAwarded"] = "£5,000"
    broken["currency"] = "XYZ"
    broken["beneficiaryLocation"][0]["geoCodeType"] = "LSOA11"
    broken["url"] = "www.example.org"
    del package["grants"][1]["fundingOrganization"]

    errors = validate_package(package)

    text = "\n".join(errors)
    assert "grant 1 (360G-banes-MF-2024-001), awardDate: Award Date must be a date" in text
    assert "got '31/03/2024'" in text
    assert "Amount Awarded must be number; got '£5,000'" in text
    assert "Currency 'XYZ' is not in the 360Giving currency codelist" in text
    assert "'LSOA11' is not in the 360Giving geoCodeType codelist" in text
    assert "'www.example.org' is not a full web address" in text
    assert (
        "grant 2 (360G-banes-MF-2024-002): required field(s) missing: fundingOrganization" in text
    )


def test_iso_dates_pass_and_day_first_dates_fail() -> None:
    """Guards the schema's date-or-date-time rule, which only works with a date-time check."""
    package = build_package([main_fund_grant(1)], PUBLISHER, issued=date(2024, 8, 1))
    assert validate_package(package) == []

    package["grants"][0]["plannedDates"][0]["startDate"] = "01/09/2024"

    assert any("plannedDates.0.startDate" in error for error in validate_package(package))


def test_duplicate_grant_identifiers_are_reported() -> None:
    package = build_package([main_fund_grant(1), main_fund_grant(1, title="Another")], PUBLISHER)

    assert any("used by 2 grants" in error for error in validate_package(package))


def test_naive_modification_times_are_refused() -> None:
    grant = main_fund_grant(1, date_modified=datetime(2024, 7, 2, 9, 30))

    with pytest.raises(ValueError, match="timezone-aware"):
        build_package([grant], PUBLISHER)


def test_flatten_uses_the_spreadsheet_column_titles() -> None:
    rows = flatten([main_fund_grant(1), small_grant()], prefix=PUBLISHER.prefix)

    assert list(rows[0]) == flat_columns(2)
    first, second = rows
    assert first["Identifier"] == "360G-banes-MF-2024-001"
    assert first["Amount Awarded"] == 62500
    assert first["Recipient Org:Identifier"] == "GB-CHC-1100001"
    assert first["Beneficiary Location:0:Name"] == "Twerton"
    assert first["Beneficiary Location:1:Name"] == ""
    assert first["Funding Org:Name"] == "Bath and North East Somerset Council"
    assert first["Planned Dates:Duration (months)"] == 12
    assert second["Beneficiary Location:0:Geographic Code"] == "E01014458"
    assert second["Beneficiary Location:1:Geographic Code Type"] == "WD"
    assert second["From An Open Call?"] == "No"


def write_csv(path: Path, rows: list[dict[str, object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_flattened_csv_reads_back_to_the_same_grants(tmp_path: Path) -> None:
    grants = [main_fund_grant(1), small_grant()]
    path = tmp_path / "grants.csv"
    write_csv(path, flatten(grants, prefix=PUBLISHER.prefix))

    result = read_file(path)

    assert result.complete
    assert [problem for problem in result.problems if problem.severity is not Severity.NOTE] == []
    first, second = result.grants
    assert first.identifier == "360G-banes-MF-2024-001"
    assert first.amount_awarded == Decimal("62500")
    assert first.planned_dates == grants[0].planned_dates
    assert first.date_modified == grants[0].date_modified
    assert first.recipient.identifier == "GB-CHC-1100001"
    assert first.from_open_call is True
    assert second.amount_awarded == Decimal("1499.5")
    assert second.beneficiary_locations == grants[1].beneficiary_locations


def test_flattened_xlsx_reads_back(tmp_path: Path) -> None:
    from openpyxl import Workbook

    rows = flatten([main_fund_grant(3)], prefix=PUBLISHER.prefix)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "grants"
    sheet.append(list(rows[0]))
    sheet.append(list(rows[0].values()))
    path = tmp_path / "grants.xlsx"
    workbook.save(path)

    result = read_file(path)

    assert result.complete
    assert result.grants[0].identifier == "360G-banes-MF-2024-003"
    assert result.grants[0].award_date == date(2024, 7, 1)


def test_exported_json_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "grants.json"
    path.write_text(json.dumps(build_package([small_grant()], PUBLISHER)), encoding="utf-8")

    result = read_file(path)

    assert result.complete
    assert result.grants[0].identifier == "360G-banes-SG-2024-001"
    assert result.grants[0].amount_awarded == Decimal("1499.5")
    assert result.grants[0].from_open_call is False


def raw_json_grants(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["grants"]


@pytest.mark.parametrize(
    "name", ["sample_ocf1.json", "sample_ocf2.json", "sample_ocf3.json", "sample_baring.json"]
)
def test_published_json_files_import_as_past_grants(name: str) -> None:
    path = sample_file(name)
    raw = raw_json_grants(path)

    result = read_file(path)

    assert result.complete
    assert len(result.grants) == len(raw)
    for grant, original in zip(result.grants, raw, strict=True):
        assert grant.identifier == original["id"]
        assert grant.award_date == datetime.strptime(original["awardDate"], "%d/%m/%Y").date()  # noqa: DTZ007
        assert isinstance(grant.amount_awarded, Decimal)
        assert grant.amount_awarded == Decimal(str(original["amountAwarded"]))
    reexported = build_package(result.grants, Publisher(name="Re-export", prefix="360G-x"))
    assert validate_package(reexported) == []
    assert validate_package(json.loads(path.read_text(encoding="utf-8")))


def test_older_json_field_names_are_understood() -> None:
    result = read_file(sample_file("sample_baring.json"))
    raw = raw_json_grants(sample_file("sample_baring.json"))

    first = result.grants[0]
    assert first.planned_dates is not None
    assert first.planned_dates.duration_months == Decimal(
        raw[0]["Planned Dates"]["Duration months"]
    )
    expected_location = raw[0]["Recipient Org Beneficiary Location"]["Name"]
    assert first.beneficiary_locations[0].name == expected_location
    open_calls = sum(1 for grant in raw if grant.get("From an open call") == "Yes")
    assert sum(1 for grant in result.grants if grant.from_open_call) == open_calls


def test_non_standard_fields_are_kept_and_reported_once() -> None:
    path = sample_file("sample_ocf2.json")
    raw = raw_json_grants(path)

    result = read_file(path)

    impact_notes = [problem for problem in result.problems if problem.field == "IMPACT"]
    assert len(impact_notes) == 1
    assert impact_notes[0].severity is Severity.NOTE
    with_impact = [grant for grant in result.grants if "IMPACT" in grant.extras]
    assert len(with_impact) == sum(1 for grant in raw if grant.get("IMPACT"))


def test_published_csv_file_imports_as_past_grants() -> None:
    path = sample_file("sample_IndigoTrust_360giving.csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        raw = list(csv.DictReader(handle))

    result = read_file(path)

    assert result.complete
    assert len(result.grants) == len(raw)
    first = result.grants[0]
    assert first.identifier == raw[0]["Identifier"]
    assert first.award_date == datetime.strptime(raw[0]["Award Date"], "%d/%m/%Y %H:%M").date()  # noqa: DTZ007
    assert sum(grant.amount_awarded for grant in result.grants) == sum(
        Decimal(row["Amount Awarded"]) for row in raw
    )
    assert first.planned_dates is not None and first.planned_dates.duration_months == 12
    assert first.date_modified is not None and first.date_modified.tzinfo is not None
    undefined = [row for row in raw if row["Planned Dates:Duration (months)"] == "Undefined"]
    duration_warnings = [
        problem
        for problem in result.problems
        if problem.field == "Planned Dates:Duration (months)"
        and problem.severity is Severity.WARNING
    ]
    assert len(duration_warnings) == len(undefined)
    placeholder = [p for p in result.problems if "DUMMY01" in p.reason]
    assert placeholder and placeholder[0].severity is Severity.NOTE
    reexported = build_package(result.grants, Publisher(name="Re-export", prefix="360G-x"))
    assert validate_package(reexported) == []


CRAFTED_CSV = """\
Identifier,Title,Description,Currency,Amount Awarded,Award Date,Recipient Org:Identifier,\
Recipient Org:Name,Recipient Org:Postcode,Funding Org:Identifier,Funding Org:Name,\
Planned Dates:Duration (months),From an open call?,WebAddress
360G-old-1,Good,Fine row,GBP,"£1,250.50",03/04/2015,GB-CHC-1000001,Group A,BA1 1AA,GB-X-1,Old Fund,12 months,Yes,www.example.org
360G-old-2,Bad date,Feb 31,GBP,500,31/02/2015,GB-CHC-1000002,Group B,,GB-X-1,Old Fund,,,
360G-old-3,US date,Month first,GBP,500,03/17/2015,GB-CHC-1000003,Group C,,GB-X-1,Old Fund,,,
360G-old-4,Words,Bad amount,GBP,about £500,2015-06-01,GB-CHC-1000004,Group D,,GB-X-1,Old Fund,,,
360G-old-5,No amount,Empty amount,GBP,,2015-06-01,GB-CHC-1000005,Group E,,GB-X-1,Old Fund,,,
360G-old-6,Soft problems,Bad optional,GBP,700,2015-06-02,GB-CHC-1000006,Group F,,GB-X-1,Old Fund,a year,Maybe,
360G-old-7,ISO,Fine too,GBP,800,2015-06-03T10:00:00Z,GB-CHC-1000007,Group G,,GB-X-1,Old Fund,,No,
"""


def test_crafted_csv_reports_row_and_field_and_imports_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "old.csv"
    path.write_text(CRAFTED_CSV, encoding="utf-8")

    result = read_file(path)

    assert [grant.identifier for grant in result.grants] == [
        "360G-old-1",
        "360G-old-6",
        "360G-old-7",
    ]
    assert not result.complete
    assert result.skipped_records == [3, 4, 5, 6]
    by_row = {(p.record, p.field): p for p in result.problems if p.record is not None}
    assert by_row[(3, "Award Date")].severity is Severity.SKIPPED
    assert "not a real calendar date" in by_row[(3, "Award Date")].reason
    assert "month 17" in by_row[(4, "Award Date")].reason
    assert by_row[(5, "Amount Awarded")].value == "about £500"
    assert "missing" in by_row[(6, "Amount Awarded")].reason
    assert by_row[(7, "Planned Dates:Duration (months)")].severity is Severity.WARNING
    assert by_row[(7, "From an open call?")].severity is Severity.WARNING
    assert "row 5 (360G-old-4), Amount Awarded 'about £500'" in str(by_row[(5, "Amount Awarded")])

    good = result.grants[0]
    assert good.amount_awarded == Decimal("1250.50")
    assert good.award_date == date(2015, 4, 3)
    assert good.recipient.postal_code == "BA1 1AA"
    assert good.planned_dates is not None and good.planned_dates.duration_months == 12
    assert good.from_open_call is True
    assert good.url == "http://www.example.org"
    assert result.grants[2].award_date == date(2015, 6, 3)


def test_windows_encoded_csv_is_read_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    text = CRAFTED_CSV.splitlines()[0] + "\n" + CRAFTED_CSV.splitlines()[1] + "\n"
    path.write_bytes(text.encode("cp1252"))

    result = read_file(path)

    assert result.grants[0].amount_awarded == Decimal("1250.50")
    assert any("Windows-1252" in problem.reason for problem in result.problems)


def test_unreadable_json_is_reported_not_raised(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{grants: [", encoding="utf-8")
    no_grants = tmp_path / "empty.json"
    no_grants.write_text(json.dumps({"publisher": {"name": "x"}}), encoding="utf-8")

    broken_result = read_file(broken)
    empty_result = read_file(no_grants)

    assert broken_result.grants == [] and not broken_result.complete
    assert "not JSON" in broken_result.problems[0].reason
    assert "no 'grants' list" in empty_result.problems[0].reason


def test_a_grant_to_an_individual_is_not_imported(tmp_path: Path) -> None:
    package = build_package([small_grant()], PUBLISHER)
    grant = package["grants"][0]
    del grant["recipientOrganization"]
    grant["recipientIndividual"] = {"id": "360G-banes-IND-1", "name": "Individual Recipient"}
    path = tmp_path / "individual.json"
    path.write_text(json.dumps(package), encoding="utf-8")

    result = read_file(path)

    assert result.grants == []
    assert result.skipped_records == [1]
    assert any(p.field == "Recipient Org" for p in result.problems)


def test_csv_column_titles_with_indexes_and_spacing_variants(tmp_path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "identifier",
            "title",
            "amount awarded",
            "award date",
            "Recipient Org:0:Name",
            "Funding Org:0:Name",
            "Beneficiary Location:0:Geographic Code",
            "Beneficiary Location:1:Geo Code",
        ]
    )
    writer.writerow(["360G-a-1", "T", "10", "2020-01-02", "R", "F", "E01014458", "E01014461"])
    path = tmp_path / "variants.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")

    result = read_file(path)

    assert result.complete
    grant = result.grants[0]
    assert [location.geo_code for location in grant.beneficiary_locations] == [
        "E01014458",
        "E01014461",
    ]
    assert any(p.field == "currency" and "GBP assumed" in p.reason for p in result.problems)
