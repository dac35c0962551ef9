"""Awarded grants out as valid 360Giving data; published files in as past grants."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from commonground.accounts.models import Role
from commonground.funding import exchange, selectors, services, threesixty
from commonground.funding.models import PastGrant, PastGrantImport
from commonground.places.models import Ward
from commonground.programme.models import Organisation
from commonground.programme.tests.factories import OrganisationFactory

from .factories import ApplicationFactory, FundFactory, GrantFactory, PaymentFactory

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).resolve().parents[3] / "data" / "standards" / "360giving"
SAMPLE_COUNTS = {
    "sample_ocf1.json": 156,
    "sample_ocf2.json": 98,
    "sample_ocf3.json": 70,
    "sample_baring.json": 53,
    "sample_IndigoTrust_360giving.csv": 269,
}


def _raw_count(path: Path) -> int:
    """Counted from the raw file, independently of the reader under test."""
    if path.suffix == ".json":
        return len(json.loads(path.read_text(encoding="utf-8"))["grants"])
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return sum(1 for row in csv.DictReader(handle) if any(v.strip() for v in row.values()))


@pytest.fixture
def council_grants(make_user: Callable[..., Any]) -> tuple[Any, list[Any]]:
    council = OrganisationFactory(
        name="Bath and North East Somerset Council",
        slug="banes",
        kind=Organisation.Kind.COUNCIL,
        org_id="GB-LAE-BAS",
    )
    fund = FundFactory(council=council, code="MF", name="Main Fund")
    ward = Ward.objects.get(code="E05012488")
    charity = OrganisationFactory(name="Whiteway Residents", org_id="GB-CHC-1178123")
    group = OrganisationFactory(name="Friends of the Park", slug="friends-of-the-park")
    first = GrantFactory(
        fund=fund,
        reference="MF-2025-001",
        recipient=charity,
        ward=ward,
        application=ApplicationFactory(round__fund=fund, amount_requested=Decimal(12_000)),
    )
    PaymentFactory(grant=first, amount=Decimal(4_000), status="paid", paid_on=date(2026, 2, 1))
    second = GrantFactory(fund=fund, reference="MF-2025-002", recipient=group)
    GrantFactory(fund=fund, reference="MF-2025-003", status="withdrawn")
    return council, [first, second]


def _everyone(make_user: Callable[..., Any]) -> Any:
    return make_user(Role.COUNCILLOR, OrganisationFactory(kind=Organisation.Kind.COUNCIL))


def test_awarded_grants_export_as_valid_360giving(
    council_grants: Any, make_user: Callable[..., Any]
) -> None:
    _council, (_first, _second) = council_grants
    grants = selectors.grants_for_export(user=_everyone(make_user))
    export = exchange.build_export(grants, issued=date(2026, 11, 24))
    package = export.package
    assert threesixty.validate_package(package) == []
    ids = [grant["id"] for grant in package["grants"]]
    assert ids == ["360G-banes-MF-2025-001", "360G-banes-MF-2025-002"]  # withdrawn left out
    record = package["grants"][0]
    assert record["amountAwarded"] == 10000
    assert record["amountAppliedFor"] == 12000
    assert record["amountDisbursed"] == 4000
    assert record["recipientOrganization"][0]["id"] == "GB-CHC-1178123"
    assert record["fundingOrganization"][0]["id"] == "GB-LAE-BAS"
    assert record["beneficiaryLocation"] == [
        {"name": "Twerton", "geoCode": "E05012488", "geoCodeType": "WD", "countryCode": "GB"}
    ]
    assert record["fromOpenCall"] == "Yes"
    # An organisation without a registered number gets an identifier under the publisher's prefix.
    assert package["grants"][1]["recipientOrganization"][0]["id"] == (
        "360G-banes-ORG-friends-of-the-park"
    )
    assert package["grants"][1]["fromOpenCall"] == "No"


def test_the_exported_package_fails_validation_when_broken(
    council_grants: Any, make_user: Callable[..., Any]
) -> None:
    """The check is real: the same package with a day-first date is refused by the schema."""
    export = exchange.build_export(selectors.grants_for_export(user=_everyone(make_user)))
    broken = json.loads(json.dumps(export.package))
    broken["grants"][0]["awardDate"] = "14/07/2025"
    del broken["grants"][1]["recipientOrganization"]
    problems = threesixty.validate_package(broken)
    assert any("awardDate" in problem for problem in problems)
    assert any("grant 2" in problem for problem in problems)


def test_spreadsheet_forms_carry_the_same_grants(
    council_grants: Any, make_user: Callable[..., Any]
) -> None:
    export = exchange.build_export(selectors.grants_for_export(user=_everyone(make_user)))
    text = exchange.render_csv(export).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["Identifier"] for row in rows] == [
        "360G-banes-MF-2025-001",
        "360G-banes-MF-2025-002",
    ]
    assert rows[0]["Beneficiary Location:0:Geographic Code"] == "E05012488"
    assert rows[0]["Amount Awarded"] == "10000"
    sheet = load_workbook(io.BytesIO(exchange.render_xlsx(export)), read_only=True)["grants"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Identifier"
    assert [row[0] for row in values[1:]] == ["360G-banes-MF-2025-001", "360G-banes-MF-2025-002"]
    # The spreadsheet reads back as the same grants through the importer.
    assert [g.identifier for g in threesixty.read_csv(text).grants] == [
        "360G-banes-MF-2025-001",
        "360G-banes-MF-2025-002",
    ]


def test_grants_of_two_councils_are_not_mixed(
    council_grants: Any, make_user: Callable[..., Any]
) -> None:
    GrantFactory(fund=FundFactory(council=OrganisationFactory(kind="council", name="Exeter")))
    with pytest.raises(exchange.ExportError, match="more than one council"):
        exchange.build_export(selectors.grants_for_export(user=_everyone(make_user)))
    council, _grants = council_grants
    only = selectors.grants_for_export(user=_everyone(make_user), council=council)
    assert exchange.build_export(only).grant_count == 2


def test_the_command_writes_a_valid_file(council_grants: Any, tmp_path: Path) -> None:
    output = tmp_path / "grants.json"
    call_command("funding", "export-360giving", "--output", str(output))
    package = json.loads(output.read_text(encoding="utf-8"))
    assert threesixty.validate_package(package) == []
    assert len(package["grants"]) == 2
    call_command("funding", "export-360giving", "--output", str(tmp_path / "grants.xlsx"))
    assert (tmp_path / "grants.xlsx").read_bytes()[:2] == b"PK"
    with pytest.raises(CommandError, match=r"must end in"):
        call_command("funding", "export-360giving", "--output", str(tmp_path / "grants.txt"))


def test_the_command_writes_nothing_when_there_is_nothing_valid(tmp_path: Path) -> None:
    output = tmp_path / "grants.json"
    with pytest.raises(CommandError, match="Nothing was written"):
        call_command("funding", "export-360giving", "--output", str(output))
    assert not output.exists()


@pytest.mark.parametrize("name", sorted(SAMPLE_COUNTS))
def test_the_real_sample_files_import(name: str) -> None:
    path = SAMPLES / name
    summary = services.past_grants_import(actor=None, path=path)
    assert summary.imported == SAMPLE_COUNTS[name] == _raw_count(path)
    assert PastGrant.objects.filter(batch=summary.batch).count() == SAMPLE_COUNTS[name]
    assert summary.batch.problems == summary.problems


def test_importing_reports_what_could_not_be_read_and_replaces_on_reimport() -> None:
    path = SAMPLES / "sample_ocf1.json"
    first = services.past_grants_import(actor=None, path=path)
    assert any("Under construction" in problem for problem in first.problems)
    grant = PastGrant.objects.get(identifier="360G-ocf-a06G000000MUXJ1")
    assert grant.funder_identifier == "GB-CHC-1151621"
    assert grant.award_date.year in range(2013, 2017)
    again = services.past_grants_import(actor=None, path=path)
    assert again.replaced == 156
    assert PastGrant.objects.count() == 156
    assert PastGrantImport.objects.count() == 1  # the emptied earlier batch is removed


def test_a_file_with_an_unreadable_grant_is_refused_whole(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "Identifier,Title,Description,Currency,Amount Awarded,Award Date,"
        "Recipient Org:Identifier,Recipient Org:Name,Funding Org:Identifier,Funding Org:Name\n"
        "360G-x-1,Good,Fine,GBP,500,01/04/2015,GB-CHC-1,Group A,GB-CHC-9,Funder\n"
        "360G-x-2,Bad date,Fine,GBP,700,31/02/2015,GB-CHC-2,Group B,GB-CHC-9,Funder\n"
        "360G-x-3,No amount,Fine,GBP,,01/05/2015,GB-CHC-3,Group C,GB-CHC-9,Funder\n",
        encoding="utf-8",
    )
    with pytest.raises(services.ImportRefused) as refused:
        services.past_grants_import(actor=None, path=path)
    text = "\n".join(refused.value.problems)
    assert "2 grants could not be read" in text
    assert "row 3" in text and "row 4" in text
    assert not PastGrant.objects.exists()
    with pytest.raises(CommandError, match="not imported"):
        call_command("funding", "import-360giving", str(path))
    assert not PastGrant.objects.exists()


def test_the_import_command_reads_every_sample(capsys: Any) -> None:
    files = [str(SAMPLES / name) for name in sorted(SAMPLE_COUNTS)]
    call_command("funding", "import-360giving", *files)
    out = capsys.readouterr().out
    assert "sample_baring.json: 53 grants imported" in out
    assert "DUMMY01" in out  # the placeholder recipient identifier in the Indigo Trust file
    assert PastGrant.objects.count() == sum(SAMPLE_COUNTS.values())
