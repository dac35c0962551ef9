"""Spreadsheet import for organisers who listen on paper.

Upload a CSV or XLSX in the template's columns; it is checked in the background and every bad row is
listed with its row number, column and reason; nothing is written until the whole file is good, and
then it is written whole or not at all. Each row gets a stable id (the ``id`` column, or one made from
the row's content), so importing the same file again adds nothing.

Writes are bulk: ``COPY`` on PostgreSQL for conversations and their first versions, ``bulk_create``
elsewhere, so 100,000 rows fit comfortably in a minute (see ``bench/bench_import.py``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import astuple, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commonground.core.audit import audit_record
from commonground.places.models import Lsoa
from commonground.privacy.models import Consent
from commonground.programme.models import Organisation, Organiser

from . import special_category, wording
from .counting import refresh_counting
from .geography import PostcodeBook, find_street, normalise_postcode
from .models import (
    ANSWER_FIELDS,
    ConsentTier,
    Conversation,
    ConversationVersion,
    FollowUp,
    ImportBatch,
    Ladder,
    Mode,
    PlacePrecision,
    Resident,
    Source,
    programme_year_of,
)
from .services import ResidentDetails, conversations_changed, resident_keys

# Row ids made from content live in their own namespace, so they never collide with device ids.
ROW_NAMESPACE = uuid.UUID("6f1d3c59-57a4-4b8e-9d63-2d6c1f0b7a11")
PREVIEW_ROWS = 10


@dataclass(frozen=True)
class Column:
    name: str
    help: Any
    example: str = ""


COLUMNS: list[Column] = [
    Column("id", gettext_lazy("Optional. A unique id (UUID) for the row; leave blank and one is made from the row."), ""),
    Column("date", gettext_lazy("Required. 2026-03-14 or 14/03/2026."), "2026-03-14"),
    Column("time", gettext_lazy("Optional. 24-hour time, e.g. 14:30; blank means midday."), "14:30"),
    Column("organiser", gettext_lazy("Who listened, by their name as held here; blank uses the organiser chosen on upload."), ""),
    Column("mode", gettext_lazy("doorstep, street, event, phone, online or group; blank means doorstep."), "doorstep"),
    Column("postcode", gettext_lazy("Where you talked: a postcode (needed for doorstep and street unless a street is given)."), "BA2 1AB"),
    Column("street", gettext_lazy("Or a street name, as in the list of streets."), ""),
    Column("keep_exact_place", gettext_lazy("yes if the resident agreed we keep the exact place; otherwise only the area is kept."), "no"),
    Column("what_they_love", gettext_lazy("What they love about the area."), "Friendly neighbours"),
    Column("concerns", gettext_lazy("What concerns them most."), "Flytipping behind the garages"),
    Column("ideas", gettext_lazy("Their ideas for action."), "A monthly litter pick"),
    Column("would_do", gettext_lazy("What they would do themselves."), "Would join a litter pick"),
    Column("talk_to", gettext_lazy("Who else to talk to."), ""),
    Column("involvement", gettext_lazy("listened, interested, attended, volunteering or leading; blank means listened."), "interested"),
    Column("consent", gettext_lazy("anonymous, identified or shareable; blank means anonymous."), "anonymous"),
    Column("name", gettext_lazy("Only with consent."), ""),
    Column("email", gettext_lazy("Only with consent."), ""),
    Column("phone", gettext_lazy("Only with consent."), ""),
    Column("address", gettext_lazy("Only with consent."), ""),
    Column("resident_postcode", gettext_lazy("Only with consent."), ""),
    Column("consent_given", gettext_lazy("yes if the resident agreed to the wording on the sheet; needed for any contact detail."), ""),
    Column("partners", gettext_lazy("For shareable: the partners they agreed to, separated by ;"), ""),
    Column("special_category", gettext_lazy("yes if the notes reveal health, beliefs, background or similar."), "no"),
    Column("explicit_consent", gettext_lazy("yes if they explicitly agreed we keep that with their name."), ""),
    Column("follow_up", gettext_lazy("A follow-up to do."), ""),
    Column("follow_up_due", gettext_lazy("When the follow-up is due."), ""),
]  # fmt: skip
COLUMN_NAMES = [column.name for column in COLUMNS]
ANSWER_COLUMNS = {
    "what_they_love": "loves",
    "concerns": "concerns",
    "ideas": "ideas",
    "would_do": "would_do",
    "talk_to": "talk_to",
}
CONTACT_COLUMNS = ("name", "email", "phone", "address", "resident_postcode")
YES = {"yes", "y", "true", "1", "x", "✓"}
NO = {"no", "n", "false", "0", ""}


def template_csv() -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMN_NAMES)
    writer.writerow([column.example for column in COLUMNS])
    return buffer.getvalue()


def template_xlsx() -> io.BytesIO:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Conversations"
    sheet.append(COLUMN_NAMES)
    for cell, column in zip(sheet[1], COLUMNS, strict=True):
        cell.font = Font(bold=True)
        cell.comment = Comment(str(column.help), "Common Ground")
        sheet.column_dimensions[cell.column_letter].width = max(14, len(column.name) + 4)
    sheet.append([column.example for column in COLUMNS])
    notes = book.create_sheet("How to fill it in")
    notes.append(["column", "what goes in it"])
    for column in COLUMNS:
        notes.append([column.name, str(column.help)])
    output = io.BytesIO()
    book.save(output)
    output.seek(0)
    return output


# --- reading -------------------------------------------------------------------------------------


def _header(name: Any) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name or "").strip().lower()).strip("_")


def read_rows(
    content: bytes, filename: str
) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    """The headers and (spreadsheet row number, values) for every non-empty row after the header."""
    if filename.lower().endswith(".xlsx"):
        return _read_xlsx(content)
    return _read_csv(content)


def _read_csv(content: bytes) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252")
    reader = csv.reader(io.StringIO(text))
    headers = [_header(h) for h in next(reader, [])]

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            yield number, dict(zip(headers, values, strict=False))

    return headers, rows()


def _read_xlsx(content: bytes) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ValidationError(_("The file could not be read as an Excel workbook.")) from error
    sheet = book.worksheets[0]
    iterator = sheet.iter_rows(values_only=True)
    headers = [_header(h) for h in next(iterator, ())]

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        for number, values in enumerate(iterator, start=2):
            if not any(v not in (None, "") for v in values):
                continue
            yield number, dict(zip(headers, values, strict=False))
        book.close()

    return headers, rows()


# --- checking ------------------------------------------------------------------------------------


@dataclass
class RowProblem:
    row: int
    column: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class CleanRow:
    number: int
    client_id: uuid.UUID
    organiser: Organiser
    happened_at: datetime
    mode: str
    lsoa_id: int | None
    lon: float | None
    lat: float | None
    postcode: str
    street: str
    precision: str
    keep_exact: bool
    answers: dict[str, str]
    ladder: str
    tier: str
    details: ResidentDetails | None
    partners: list[Organisation]
    special_flagged: bool
    special_found: list[str]
    explicit_consent: bool
    name_withheld: bool
    follow_up: str
    follow_up_due: date | None


@dataclass
class CheckResult:
    rows: list[CleanRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    row_count: int = 0
    unknown_columns: list[str] = field(default_factory=list)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _yes(value: Any) -> bool | None:
    text = _text(value).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    return None


def _parse_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if len(text) == 10 and text[4] == "-":
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a date, no zone
        except ValueError:
            continue
    return None


def _parse_time(value: Any) -> time | None:
    if isinstance(value, datetime):
        return value.time()
    if isinstance(value, time):
        return value
    text = _text(value)
    if not text:
        return time(12, 0)
    if len(text) == 5 and text[2] == ":":
        try:
            return time.fromisoformat(text)
        except ValueError:
            return None
    for pattern in ("%H:%M", "%H.%M", "%H:%M:%S", "%I:%M%p", "%I%p"):
        try:
            return datetime.strptime(text.upper().replace(" ", ""), pattern).time()  # noqa: DTZ007
        except ValueError:
            continue
    return None


def _choice(value: Any, choices: dict[str, str], default: str) -> str | None:
    text = _text(value).lower()
    if not text:
        return default
    return choices.get(text)


def _choice_index(choices: Any) -> dict[str, str]:
    """Each choice by its value and by its label, lower case, so a sheet may use either."""
    index: dict[str, str] = {}
    for key, label in choices:
        index[str(label).lower()] = key
        index[key] = key
    return index


_IDENTITY_COLUMNS = [name for name in COLUMN_NAMES if name != "id"]


def _row_identity(host_id: int, values: dict[str, Any]) -> str:
    get = values.get
    return "\x1f".join([str(host_id), *(str(get(name) or "") for name in _IDENTITY_COLUMNS)])


class _Lookups:
    """Everything a row refers to, loaded once for the file."""

    def __init__(self, organisers: Iterable[Organiser], postcodes: Iterable[str]) -> None:
        self.organisers: dict[str, Organiser] = {}
        self.partners: dict[int, dict[str, Organisation]] = {}
        for organiser in organisers:
            self.organisers[organiser.full_name.strip().lower()] = organiser
            self.organisers[str(organiser.public_id)] = organiser
            if organiser.programme_id not in self.partners:
                named: dict[str, Organisation] = {}
                for organisation in Organisation.objects.filter(
                    pk__in=organiser.programme.organisation_ids()
                ):
                    named[organisation.name.lower()] = organisation
                    named[organisation.slug] = organisation
                self.partners[organiser.programme_id] = named
        self.postcodes = PostcodeBook(postcodes)
        self.streets: dict[str, Any] = {}
        self.zone = timezone.get_current_timezone()
        self.modes = _choice_index(Mode.choices)
        self.ladder = _choice_index(Ladder.choices)
        self.tiers = _choice_index(ConsentTier.choices)

    def street(self, text: str) -> Any:
        key = text.lower()
        if key not in self.streets:
            self.streets[key] = find_street(text)
        return self.streets[key]


def check_file(
    *,
    content: bytes,
    filename: str,
    host: Organisation,
    organisers: Iterable[Organiser],
    default_organiser: Organiser | None,
) -> CheckResult:
    """Read and check every row; nothing is written."""
    result = CheckResult()
    headers, rows = read_rows(content, filename)
    known = set(COLUMN_NAMES)
    result.unknown_columns = [h for h in headers if h and h not in known]
    for name in result.unknown_columns:
        result.problems.append(
            RowProblem(1, name, _("Unknown column; use the template's column names."))
        )
    if "date" not in headers:
        result.problems.append(RowProblem(1, "date", _("The date column is missing.")))
        return result
    all_rows = list(rows)
    result.row_count = len(all_rows)
    postcodes = {normalise_postcode(_text(values.get("postcode"))) or "" for _n, values in all_rows}
    lookups = _Lookups(organisers, postcodes)
    seen: Counter[str] = Counter()
    given_ids: dict[uuid.UUID, int] = {}
    now = timezone.now()
    for number, values in all_rows:
        clean = _check_row(
            number, values, host=host, lookups=lookups, default=default_organiser, now=now,
            problems=result.problems,
        )  # fmt: skip
        if clean is None:
            continue
        if _text(values.get("id")):
            if clean.client_id in given_ids:
                result.problems.append(
                    RowProblem(
                        number,
                        "id",
                        _("The same id is on row %(row)s.") % {"row": given_ids[clean.client_id]},
                    )
                )
                continue
            given_ids[clean.client_id] = number
        else:
            identity = _row_identity(host.pk, values)
            seen[identity] += 1
            clean.client_id = uuid.uuid5(ROW_NAMESPACE, f"{identity}#{seen[identity]}")
        result.rows.append(clean)
    return result


def _check_row(
    number: int,
    values: dict[str, Any],
    *,
    host: Organisation,
    lookups: _Lookups,
    default: Organiser | None,
    now: datetime,
    problems: list[RowProblem],
) -> CleanRow | None:
    found: list[RowProblem] = []

    def problem(column: str, reason: str) -> None:
        found.append(RowProblem(number, column, reason))

    client_id = uuid.uuid4()
    if _text(values.get("id")):
        try:
            client_id = uuid.UUID(_text(values.get("id")))
        except ValueError:
            problem("id", _("Not a valid id; leave it blank or use a UUID."))
    day = _parse_date(values.get("date"))
    if day is None:
        problem("date", _("Missing or not a date; use 2026-03-14 or 14/03/2026."))
    at = _parse_time(values.get("time"))
    if at is None:
        problem("time", _("Not a time; use 24-hour time such as 14:30."))
    happened_at = None
    if day is not None and at is not None:
        happened_at = datetime.combine(day, at, tzinfo=lookups.zone)
        if happened_at > now + timedelta(minutes=10):
            problem("date", _("The date is in the future."))
    organiser_text = _text(values.get("organiser"))
    organiser = lookups.organisers.get(organiser_text.lower()) if organiser_text else default
    if organiser is None:
        problem(
            "organiser",
            _("No organiser called %(name)s that you can record for.") % {"name": organiser_text}
            if organiser_text
            else _("Say who listened, or choose an organiser when uploading."),
        )
    elif organiser.host_id != host.pk:
        problem("organiser", _("%(name)s works for another host.") % {"name": organiser.full_name})
    mode = _choice(values.get("mode"), lookups.modes, Mode.DOORSTEP)
    if mode is None:
        problem("mode", _("Use doorstep, street, event, phone, online or group."))
    ladder = _choice(values.get("involvement"), lookups.ladder, Ladder.LISTENED)
    if ladder is None:
        problem("involvement", _("Use listened, interested, attended, volunteering or leading."))
    answers = {target: _text(values.get(column)) for column, target in ANSWER_COLUMNS.items()}
    if not any(answers.values()):
        problem("concerns", _("Nothing was written down for this conversation."))

    lsoa_id = lon = lat = None
    postcode_text = _text(values.get("postcode"))
    street_text = _text(values.get("street"))
    postcode = street = ""
    precision = PlacePrecision.NONE
    if postcode_text:
        postcode = normalise_postcode(postcode_text) or ""
        point = lookups.postcodes.get(postcode) if postcode else None
        if not postcode:
            problem("postcode", _("Not a full postcode."))
        elif point is None:
            problem("postcode", _("Unknown postcode %(postcode)s.") % {"postcode": postcode})
        else:
            lon, lat, lsoa_id = point
            precision = PlacePrecision.POSTCODE
    elif street_text:
        found_street = lookups.street(street_text)
        if found_street is None or found_street.lsoa_id is None:
            problem("street", _("Unknown street %(street)s.") % {"street": street_text})
        else:
            lon, lat, lsoa_id = found_street.lon, found_street.lat, found_street.lsoa_id
            street = str(found_street)
            precision = PlacePrecision.STREET
    elif mode in {Mode.DOORSTEP, Mode.STREET}:
        problem("postcode", _("A doorstep or street conversation needs a postcode or street."))
    keep_exact = _yes(values.get("keep_exact_place"))
    if keep_exact is None:
        problem("keep_exact_place", _("Use yes or no."))

    contact = {column: _text(values.get(column)) for column in CONTACT_COLUMNS}
    has_contact = any(contact.values())
    tier = _choice(values.get("consent"), lookups.tiers, ConsentTier.ANONYMOUS)
    consent_given = _yes(values.get("consent_given"))
    special_flagged = _yes(values.get("special_category"))
    explicit = _yes(values.get("explicit_consent"))
    for column, value in (
        ("consent_given", consent_given),
        ("special_category", special_flagged),
        ("explicit_consent", explicit),
    ):
        if value is None:
            problem(column, _("Use yes or no."))
    if tier is None:
        problem("consent", _("Use anonymous, identified or shareable."))
    elif has_contact and (tier == ConsentTier.ANONYMOUS or not consent_given):
        problem(
            "consent_given",
            _("Missing consent for contact details: the row has contact details but no consent."),
        )
    elif tier != ConsentTier.ANONYMOUS and not has_contact:
        problem(
            "name", _("The consent is %(tier)s but there are no contact details.") % {"tier": tier}
        )
    if contact["email"]:
        try:
            validate_email(contact["email"])
        except ValidationError:
            problem("email", _("Not a valid e-mail address."))
    partners: list[Organisation] = []
    if tier == ConsentTier.SHAREABLE and organiser is not None:
        named = lookups.partners.get(organiser.programme_id, {})
        for part in (p.strip() for p in _text(values.get("partners")).split(";")):
            if not part:
                continue
            organisation = named.get(part.lower()) or named.get(part)
            if organisation is None or organisation.pk == organiser.host_id:
                problem(
                    "partners", _("%(name)s is not a partner in this programme.") % {"name": part}
                )
            else:
                partners.append(organisation)
        if not partners:
            problem("partners", _("Name the partners the resident agreed to."))
    due = None
    if _text(values.get("follow_up_due")):
        due = _parse_date(values.get("follow_up_due"))
        if due is None:
            problem("follow_up_due", _("Not a date."))
    if found:
        problems.extend(found)
        return None
    found_categories = special_category.categories_in(*answers.values())
    special = bool(special_flagged) or bool(found_categories)
    withheld = tier != ConsentTier.ANONYMOUS and special and not explicit
    details = None
    if has_contact and not withheld:
        details = ResidentDetails(
            full_name=contact["name"],
            email=contact["email"],
            phone=contact["phone"],
            address=contact["address"],
            postcode=contact["resident_postcode"],
        )
    return CleanRow(
        number=number,
        client_id=client_id,
        organiser=organiser,  # type: ignore[arg-type]
        happened_at=happened_at,  # type: ignore[arg-type]
        mode=mode,  # type: ignore[arg-type]
        lsoa_id=lsoa_id,
        lon=lon,
        lat=lat,
        postcode=postcode,
        street=street,
        precision=precision,
        keep_exact=bool(keep_exact),
        answers=answers,
        ladder=ladder,  # type: ignore[arg-type]
        tier=ConsentTier.ANONYMOUS if withheld else tier,  # type: ignore[arg-type]
        details=details,
        partners=[] if withheld else partners,
        special_flagged=bool(special_flagged),
        special_found=found_categories,
        explicit_consent=bool(explicit) and not withheld,
        name_withheld=withheld,
        follow_up=_text(values.get("follow_up")),
        follow_up_due=due,
    )


def _preview(rows: list[CleanRow], lsoa_names: dict[int, str]) -> list[dict[str, Any]]:
    return [
        {
            "row": row.number,
            "date": timezone.localtime(row.happened_at).strftime("%d %b %Y %H:%M"),
            "organiser": row.organiser.full_name,
            "place": lsoa_names.get(row.lsoa_id or 0, ""),
            "concerns": (row.answers["concerns"] or row.answers["loves"])[:80],
            "consent": row.tier,
            "name_withheld": row.name_withheld,
        }
        for row in rows[:PREVIEW_ROWS]
    ]


# --- services ------------------------------------------------------------------------------------


def _host_for(actor: Any, organisers: Any, default_organiser: Organiser | None) -> Organisation:
    if default_organiser is not None:
        return default_organiser.host
    hosts = {organiser.host_id: organiser.host for organiser in organisers}
    if len(hosts) != 1:
        raise ValidationError(_("Choose who listened, so we know which host the rows belong to."))
    return next(iter(hosts.values()))


@transaction.atomic
def import_upload(
    *,
    actor: Any,
    upload: Any,
    organisers: Any,
    default_organiser: Organiser | None = None,
    from_paper: bool = True,
) -> ImportBatch:
    """Keep the file and queue its check; nothing from it is written yet."""
    from .tasks import check_import

    content = upload.read()
    host = _host_for(actor, organisers, default_organiser)
    batch = ImportBatch(
        host=host,
        uploaded_by=actor,
        default_organiser=default_organiser,
        filename=upload.name[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        from_paper=from_paper,
        consent_wording=wording.identified_wording(host.name),
    )
    batch.file.save(
        f"{uuid.uuid4()}{'.xlsx' if upload.name.lower().endswith('.xlsx') else '.csv'}",
        ContentFile(content),
        save=False,
    )
    batch.full_clean()
    batch.save()
    audit_record(
        actor=actor,
        action="import.upload",
        obj=batch,
        organisation_id=host.pk,
        changes={"filename": batch.filename, "sha256": batch.sha256},
    )
    transaction.on_commit(lambda: check_import.enqueue(str(batch.pk)))
    return batch


def _organisers_for(batch: ImportBatch) -> Any:
    return Organiser.objects.filter(host=batch.host).select_related("programme", "host")


def import_check(*, batch: ImportBatch) -> ImportBatch:
    """Check every row and keep the problems and a preview on the batch."""
    with batch.file.open("rb") as handle:
        content = handle.read()
    try:
        result = check_file(
            content=content,
            filename=batch.filename,
            host=batch.host,
            organisers=_organisers_for(batch),
            default_organiser=batch.default_organiser,
        )
    except ValidationError as error:
        batch.status = ImportBatch.Status.INVALID
        batch.errors = [{"row": 1, "column": "", "reason": " ".join(error.messages)}]
        batch.checked_at = timezone.now()
        batch.save()
        return batch
    batch.row_count = result.row_count
    batch.errors = [problem.as_dict() for problem in result.problems]
    if result.problems or not result.rows:
        if not result.rows and not result.problems:
            batch.errors = [{"row": 1, "column": "", "reason": _("The file has no rows.")}]
        batch.status = ImportBatch.Status.INVALID
        batch.preview = []
    else:
        existing = _existing_client_ids([row.client_id for row in result.rows])
        lsoa_names = dict(
            Lsoa.objects.filter(
                pk__in={r.lsoa_id for r in result.rows[:PREVIEW_ROWS] if r.lsoa_id}
            ).values_list("pk", "name")
        )
        batch.preview = _preview(result.rows, lsoa_names)
        batch.already_there_count = len(existing)
        withheld = sum(1 for row in result.rows if row.name_withheld)
        named = sum(1 for row in result.rows if row.details is not None)
        batch.message = _(
            "%(total)s rows are ready: %(new)s new, %(there)s already imported. %(named)s come with "
            "contact details; %(withheld)s mention health, beliefs or similar without explicit "
            "consent, so their names will not be kept."
        ) % {
            "total": len(result.rows),
            "new": len(result.rows) - len(existing),
            "there": len(existing),
            "named": named,
            "withheld": withheld,
        }
        batch.status = ImportBatch.Status.CHECKED
        _save_checked_rows(batch, result.rows)
    batch.checked_at = timezone.now()
    batch.save()
    if batch.status == ImportBatch.Status.INVALID:
        _discard_file(batch)
    return batch


def _discard_file(batch: ImportBatch) -> None:
    """The uploaded file holds personal data; once it is imported or refused it is not kept."""
    if batch.file:
        batch.file.delete(save=False)
        batch.file = ""
        batch.save(update_fields=["file"])
    if default_storage.exists(_checked_path(batch)):
        default_storage.delete(_checked_path(batch))


def _checked_path(batch: ImportBatch) -> str:
    return f"listening/imports/{batch.public_id}.checked.json"


def _save_checked_rows(batch: ImportBatch, rows: list[CleanRow]) -> None:
    """Keep the checked rows, so the import writes exactly what was previewed without checking again."""
    payload = [
        [
            row.number, str(row.client_id), row.organiser.pk, row.happened_at.isoformat(),
            row.mode, row.lsoa_id, row.lon, row.lat, row.postcode, row.street, row.precision,
            row.keep_exact, [row.answers[name] for name in ANSWER_FIELDS], row.ladder, row.tier,
            astuple(row.details) if row.details else None, [p.pk for p in row.partners],
            row.special_flagged, row.special_found, row.explicit_consent, row.name_withheld,
            row.follow_up, row.follow_up_due.isoformat() if row.follow_up_due else None,
        ]
        for row in rows
    ]  # fmt: skip
    path = _checked_path(batch)
    if default_storage.exists(path):
        default_storage.delete(path)
    content = json.dumps({"sha256": batch.sha256, "rows": payload}, separators=(",", ":"))
    default_storage.save(path, ContentFile(content.encode()))


def _load_checked_rows(batch: ImportBatch) -> list[CleanRow] | None:
    path = _checked_path(batch)
    if not default_storage.exists(path):
        return None
    with default_storage.open(path, "rb") as handle:
        stored = json.loads(handle.read())
    if stored.get("sha256") != batch.sha256:
        return None
    records = stored["rows"]
    organisers = {
        o.pk: o for o in _organisers_for(batch).filter(pk__in={record[2] for record in records})
    }
    partners = {
        o.pk: o
        for o in Organisation.objects.filter(pk__in={pk for record in records for pk in record[16]})
    }
    rows = []
    for record in records:
        organiser = organisers.get(record[2])
        if organiser is None or any(pk not in partners for pk in record[16]):
            raise ValidationError(
                _("Organisers or partners have changed since the file was checked; check it again.")
            )
        rows.append(
            CleanRow(
                number=record[0], client_id=uuid.UUID(record[1]), organiser=organiser,
                happened_at=datetime.fromisoformat(record[3]), mode=record[4], lsoa_id=record[5],
                lon=record[6], lat=record[7], postcode=record[8], street=record[9],
                precision=record[10], keep_exact=record[11],
                answers=dict(zip(ANSWER_FIELDS, record[12], strict=True)), ladder=record[13],
                tier=record[14], details=ResidentDetails(*record[15]) if record[15] else None,
                partners=[partners[pk] for pk in record[16]], special_flagged=record[17],
                special_found=record[18], explicit_consent=record[19], name_withheld=record[20],
                follow_up=record[21],
                follow_up_due=date.fromisoformat(record[22]) if record[22] else None,
            )
        )  # fmt: skip
    return rows


def _existing_client_ids(client_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    existing: set[uuid.UUID] = set()
    for start in range(0, len(client_ids), 900):
        chunk = client_ids[start : start + 900]
        existing.update(
            Conversation.objects.filter(client_id__in=chunk).values_list("client_id", flat=True)
        )
    return existing


@transaction.atomic
def import_confirm(*, actor: Any, batch: ImportBatch) -> ImportBatch:
    from .tasks import run_import

    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportBatch.Status.CHECKED:
        raise ValidationError(_("Only a checked file can be imported."))
    batch.status = ImportBatch.Status.IMPORTING
    batch.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="import.confirm", obj=batch, organisation_id=batch.host_id)
    actor_id = getattr(actor, "pk", None)
    transaction.on_commit(lambda: run_import.enqueue(str(batch.pk), actor_id))
    return batch


def import_run(*, batch: ImportBatch, actor: Any) -> ImportBatch:
    """Write every new row, or none: the whole file is one transaction."""
    try:
        with transaction.atomic():
            rows = _load_checked_rows(batch)
            if rows is None:
                with batch.file.open("rb") as handle:
                    result = check_file(
                        content=handle.read(),
                        filename=batch.filename,
                        host=batch.host,
                        organisers=_organisers_for(batch),
                        default_organiser=batch.default_organiser,
                    )
                if result.problems:
                    raise ValidationError(_("The file has problems now; check it again."))
                rows = result.rows
            created, already = write_rows(rows=rows, batch=batch, actor=actor)
            batch.status = ImportBatch.Status.IMPORTED
            batch.created_count = created
            batch.already_there_count = already
            batch.imported_at = timezone.now()
            batch.errors = []
            batch.save()
            audit_record(
                actor=actor,
                action="import.run",
                obj=batch,
                organisation_id=batch.host_id,
                changes={"created": created, "already_there": already},
            )
    except Exception as error:
        batch.refresh_from_db()
        batch.status = ImportBatch.Status.FAILED
        batch.message = _("Nothing was imported: %(reason)s") % {
            "reason": " ".join(getattr(error, "messages", [str(error)]))
        }
        batch.save()
        _discard_file(batch)
        raise
    _discard_file(batch)
    return batch


# --- writing -------------------------------------------------------------------------------------


def _residents_for(rows: list[CleanRow], *, host: Organisation, actor: Any) -> dict[int, Resident]:
    """The resident for each row with contact details: an existing one with the same e-mail or phone,
    one made earlier in the same file, or a new one."""
    keyed = [(row, resident_keys(row.details)) for row in rows if row.details is not None]
    emails = {keys["email_key"] for _row, keys in keyed if keys["email_key"]}
    phones = {keys["phone_key"] for _row, keys in keyed if len(keys["phone_key"]) >= 10}
    by_email: dict[str, Resident] = {}
    by_phone: dict[str, Resident] = {}
    base = Resident.objects.filter(host=host, merged_into__isnull=True)
    for values, index, key in (
        (sorted(emails), by_email, "email_key"),
        (sorted(phones), by_phone, "phone_key"),
    ):
        for start in range(0, len(values), 900):
            for resident in base.filter(**{f"{key}__in": values[start : start + 900]}):
                index.setdefault(getattr(resident, key), resident)
    result: dict[int, Resident] = {}
    new: list[Resident] = []
    creator = actor if getattr(actor, "is_authenticated", False) else None
    for row, keys in keyed:
        match = by_email.get(keys["email_key"]) if keys["email_key"] else None
        if match is None and len(keys["phone_key"]) >= 10:
            match = by_phone.get(keys["phone_key"])
        if match is None:
            details = row.details
            assert details is not None
            match = Resident(
                host=host,
                full_name=details.full_name[:150],
                email=details.email,
                phone=details.phone[:30],
                address=details.address[:255],
                postcode=(normalise_postcode(details.postcode) or details.postcode.upper())[:8],
                created_by=creator,
                **keys,
            )
            new.append(match)
            if keys["email_key"]:
                by_email[keys["email_key"]] = match
            if len(keys["phone_key"]) >= 10:
                by_phone[keys["phone_key"]] = match
        result[row.number] = match
    _create_all(Resident, new, need_ids=True)
    return result


def write_rows(*, rows: list[CleanRow], batch: ImportBatch, actor: Any) -> tuple[int, int]:
    """Write the rows not already there; returns (created, already there)."""
    existing = _existing_client_ids([row.client_id for row in rows])
    fresh = [row for row in rows if row.client_id not in existing]
    if not fresh:
        return 0, len(existing)
    host = batch.host
    residents = _residents_for(fresh, host=host, actor=actor)
    now = timezone.now()
    source = Source.PAPER if batch.from_paper else Source.IMPORT
    recorder_id = getattr(actor, "pk", None)
    lsoas = {
        pk: (ward_id, authority_id)
        for pk, ward_id, authority_id in Lsoa.objects.filter(
            pk__in={row.lsoa_id for row in fresh if row.lsoa_id}
        ).values_list("pk", "ward_id", "authority_id")
    }
    neighbourhoods = _neighbourhood_chooser(fresh)
    conversations: list[dict[str, Any]] = []
    for row in fresh:
        ward_id, authority_id = (
            lsoas.get(row.lsoa_id, (None, None)) if row.lsoa_id else (None, None)
        )
        resident = residents.get(row.number) if row.tier != ConsentTier.ANONYMOUS else None
        local_day = timezone.localtime(row.happened_at).date()
        exact = row.keep_exact
        conversations.append(
            {
                "public_id": uuid.uuid4(),
                "created_at": now,
                "updated_at": now,
                "client_id": row.client_id,
                "host_id": host.pk,
                "programme_id": row.organiser.programme_id,
                "programme_year": programme_year_of(
                    local_day, year_starts_month=row.organiser.programme.year_starts_month
                ),
                "organiser_id": row.organiser.pk,
                "recorded_by_id": recorder_id,
                "source": source,
                "import_batch_id": batch.pk,
                "happened_at": row.happened_at,
                "mode": row.mode,
                "lsoa_id": row.lsoa_id,
                "ward_id": ward_id,
                "neighbourhood_id": neighbourhoods(row),
                "authority_id": authority_id,
                "place_precision": row.precision,
                "place_needs_review": False,
                "location_consent": exact,
                "postcode": row.postcode if exact else "",
                "street": row.street if exact else "",
                "lon": row.lon if exact else None,
                "lat": row.lat if exact else None,
                **row.answers,
                "ladder": row.ladder,
                "consent_tier": row.tier,
                "resident_id": resident.pk if resident else None,
                "name_withheld": row.name_withheld,
                "special_category_flagged": row.special_flagged,
                "special_category_detected": row.special_found,
                "special_category": row.special_flagged or bool(row.special_found),
                "special_category_consent": row.explicit_consent and resident is not None,
                "counts_toward_listened": True,
                "version": 1,
            }
        )
    ids = _insert_conversations(conversations, batch=batch)
    codes = _Codes.for_rows(conversations, residents.values())
    versions = []
    for row, values in zip(fresh, conversations, strict=True):
        versions.append(
            {
                "conversation_id": ids[values["client_id"]],
                "number": 1,
                "data": _snapshot_from_values(
                    values,
                    codes=codes,
                    shared_with=[p.slug for p in row.partners]
                    if row.tier == ConsentTier.SHAREABLE
                    else [],
                ),
                "reason": "",
                "changed_by_id": recorder_id,
                "recorded_at": now,
            }
        )
    _insert_versions(versions)
    _write_consents_and_extras(fresh, ids=ids, residents=residents, batch=batch, actor=actor)
    refresh_counting({r.pk for r in residents.values()})
    conversations_changed(sorted(ids.values()))
    return len(fresh), len(existing)


def _neighbourhood_chooser(rows: list[CleanRow]) -> Any:
    from commonground.places.models import Neighbourhood

    lsoa_ids = {row.lsoa_id for row in rows if row.lsoa_id}
    containing: dict[int, list[int]] = {}
    for lsoa_id, neighbourhood_id in (
        Neighbourhood.lsoas.through.objects.filter(lsoa_id__in=lsoa_ids)
        .order_by("neighbourhood__name")
        .values_list("lsoa_id", "neighbourhood_id")
    ):
        containing.setdefault(lsoa_id, []).append(neighbourhood_id)
    own: dict[int, set[int]] = {}

    def choose(row: CleanRow) -> int | None:
        options = containing.get(row.lsoa_id or 0, [])
        if not options:
            return None
        mine = own.get(row.organiser.pk)
        if mine is None:
            mine = set(row.organiser.neighbourhoods.values_list("pk", flat=True))
            own[row.organiser.pk] = mine
        for option in options:
            if option in mine:
                return option
        return options[0]

    return choose


@dataclass
class _Codes:
    """Public codes for the ids in a batch, so first versions read like any other version."""

    lsoas: dict[int, str]
    wards: dict[int, str]
    authorities: dict[int, str]
    neighbourhoods: dict[int, str]
    organisers: dict[int, str]
    residents: dict[int, str]

    @classmethod
    def for_rows(cls, conversations: list[dict[str, Any]], residents: Iterable[Resident]) -> _Codes:
        from commonground.places.models import LocalAuthority, Neighbourhood, Ward

        def ids(key: str) -> set[int]:
            return {values[key] for values in conversations if values[key]}

        return cls(
            lsoas=dict(Lsoa.objects.filter(pk__in=ids("lsoa_id")).values_list("pk", "code")),
            wards=dict(Ward.objects.filter(pk__in=ids("ward_id")).values_list("pk", "code")),
            authorities=dict(
                LocalAuthority.objects.filter(pk__in=ids("authority_id")).values_list("pk", "code")
            ),
            neighbourhoods=dict(
                Neighbourhood.objects.filter(pk__in=ids("neighbourhood_id")).values_list(
                    "pk", "slug"
                )
            ),
            organisers={
                pk: str(public_id)
                for pk, public_id in Organiser.objects.filter(
                    pk__in=ids("organiser_id")
                ).values_list("pk", "public_id")
            },
            residents={resident.pk: str(resident.public_id) for resident in residents},
        )


def _snapshot_from_values(
    values: dict[str, Any], *, codes: _Codes, shared_with: list[str]
) -> dict[str, Any]:
    """The same snapshot :func:`services.snapshot` makes, from the values about to be written."""
    return {
        "happened_at": values["happened_at"].astimezone(UTC).isoformat(),
        "mode": values["mode"],
        "organiser": codes.organisers.get(values["organiser_id"]),
        "lsoa": codes.lsoas.get(values["lsoa_id"]),
        "ward": codes.wards.get(values["ward_id"]),
        "neighbourhood": codes.neighbourhoods.get(values["neighbourhood_id"]),
        "authority": codes.authorities.get(values["authority_id"]),
        "place_precision": values["place_precision"],
        "place_needs_review": values["place_needs_review"],
        "location_consent": values["location_consent"],
        "postcode": values["postcode"],
        "street": values["street"],
        "lon": values["lon"],
        "lat": values["lat"],
        **{name: values[name] for name in ANSWER_FIELDS},
        "ladder": values["ladder"],
        "consent_tier": values["consent_tier"],
        "shared_with": sorted(shared_with),
        "resident": codes.residents.get(values["resident_id"]),
        "name_withheld": values["name_withheld"],
        "special_category": values["special_category"],
        "special_category_flagged": values["special_category_flagged"],
        "special_category_detected": list(values["special_category_detected"]),
        "special_category_consent": values["special_category_consent"],
    }


CONVERSATION_COLUMNS = [
    "public_id", "created_at", "updated_at", "client_id", "host_id", "programme_id",
    "programme_year", "organiser_id", "recorded_by_id", "source", "import_batch_id", "happened_at",
    "mode", "lsoa_id", "ward_id", "neighbourhood_id", "authority_id", "place_precision",
    "place_needs_review", "location_consent", "postcode", "street", "lon", "lat", "loves",
    "concerns", "ideas", "would_do", "talk_to", "ladder", "consent_tier", "resident_id",
    "name_withheld", "special_category_flagged", "special_category_detected", "special_category",
    "special_category_consent", "counts_toward_listened", "version",
]  # fmt: skip
VERSION_COLUMNS = ["conversation_id", "number", "data", "reason", "changed_by_id", "recorded_at"]


def _copy(table: str, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> None:
    """PostgreSQL's COPY, the fastest way in; JSON values must already be text."""
    with connection.cursor() as cursor:
        raw = cursor.cursor
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        with raw.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _create_all(model: type[Model], objects: list[Any], *, need_ids: bool = False) -> None:
    """Insert model instances in bulk: ``COPY`` on PostgreSQL, ``bulk_create`` elsewhere.

    With ``need_ids`` each instance gets its primary key back (looked up by its public id).
    """
    if not objects:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objects, batch_size=2000)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    _copy(
        model._meta.db_table,
        [f.column for f in fields],
        (
            tuple(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields)
            for obj in objects
        ),
    )
    if need_ids:
        by_public = {obj.public_id: obj for obj in objects}
        keys = list(by_public)
        for start in range(0, len(keys), 900):
            for pk, public_id in model._default_manager.filter(
                public_id__in=keys[start : start + 900]
            ).values_list("pk", "public_id"):
                by_public[public_id].pk = pk


def _insert_conversations(
    conversations: list[dict[str, Any]], *, batch: ImportBatch
) -> dict[uuid.UUID, int]:
    if connection.vendor == "postgresql":
        table = Conversation._meta.db_table
        _copy(
            table,
            CONVERSATION_COLUMNS,
            (
                tuple(
                    json.dumps(values[c]) if c == "special_category_detected" else values[c]
                    for c in CONVERSATION_COLUMNS
                )
                for values in conversations
            ),
        )
    else:
        Conversation.objects.bulk_create(
            (Conversation(**values) for values in conversations), batch_size=1000
        )
    wanted = {values["client_id"] for values in conversations}
    return {
        client_id: pk
        for pk, client_id in Conversation.objects.filter(import_batch=batch).values_list(
            "pk", "client_id"
        )
        if client_id in wanted
    }


def _insert_versions(versions: list[dict[str, Any]]) -> None:
    if connection.vendor == "postgresql":
        _copy(
            ConversationVersion._meta.db_table,
            VERSION_COLUMNS,
            (
                tuple(json.dumps(v[c]) if c == "data" else v[c] for c in VERSION_COLUMNS)
                for v in versions
            ),
        )
    else:
        ConversationVersion.objects.bulk_create(
            (ConversationVersion(**values) for values in versions), batch_size=1000
        )


def _write_consents_and_extras(
    rows: list[CleanRow],
    *,
    ids: dict[uuid.UUID, int],
    residents: dict[int, Resident],
    batch: ImportBatch,
    actor: Any,
) -> None:
    host = batch.host
    taker = actor if getattr(actor, "is_authenticated", False) else None
    consents: list[Consent] = []
    partners_for: list[list[Organisation]] = []
    shared: list[Any] = []
    follow_ups: list[FollowUp] = []
    through = Conversation.shared_with.through
    how_to_withdraw = wording.how_to_withdraw(host.name)
    for row in rows:
        conversation_id = ids[row.client_id]
        resident = residents.get(row.number)
        if resident is not None and row.tier != ConsentTier.ANONYMOUS:
            text = (
                wording.shareable_wording(host.name, [p.name for p in row.partners])
                if row.partners
                else batch.consent_wording or wording.identified_wording(host.name)
            )
            if row.explicit_consent:
                text = f"{text}\n\n{wording.special_category_wording()}"
            consents.append(
                Consent(
                    resident=resident,
                    host=host,
                    purpose=Consent.Purpose.REFERRAL if row.partners else Consent.Purpose.FOLLOW_UP,
                    wording=text,
                    wording_version=wording.WORDING_VERSION,
                    explicit_special_category=row.explicit_consent,
                    method=Consent.Method.PAPER if batch.from_paper else Consent.Method.IN_PERSON,
                    given_at=row.happened_at,
                    taken_by=taker,
                    taken_by_name=row.organiser.full_name,
                    how_to_withdraw=how_to_withdraw,
                    conversation_id=conversation_id,
                )
            )
            partners_for.append(row.partners)
            for partner in row.partners:
                shared.append(through(conversation_id=conversation_id, organisation_id=partner.pk))
        if row.follow_up:
            follow_ups.append(
                FollowUp(
                    conversation_id=conversation_id,
                    description=row.follow_up[:500],
                    due_on=row.follow_up_due,
                    assigned_to=row.organiser,
                )
            )
    _create_all(Consent, consents, need_ids=any(partners_for))
    partner_through = Consent.partners.through
    partner_rows = [
        partner_through(consent_id=consent.pk, organisation_id=partner.pk)
        for consent, partners in zip(consents, partners_for, strict=True)
        for partner in partners
    ]
    partner_through.objects.bulk_create(partner_rows, batch_size=2000)
    through.objects.bulk_create(shared, batch_size=2000)
    _create_all(FollowUp, follow_ups)
