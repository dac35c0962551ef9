"""The record of processing (UK GDPR article 30) and the residents' privacy notice, built from the
same sources: the retention table in :mod:`.retention`, the data-sharing agreements in force and the
security settings. Neither page holds its own copy of a period, a recipient or a limit, so an officer
and a resident read the same facts, and a change to the schedule or an agreement shows on both at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commonground.accounts.models import ROLES_SEEING_PERSONAL_DATA, Role
from commonground.accounts.rules import holds_role
from commonground.core.models import AuditEvent
from commonground.programme.models import Organisation

from .models import DataSharingAgreement
from .retention import RULES_BY_KEY, RetentionRule

Text = str | Promise

# Officers who answer for how residents' data is handled; councillors and forum members see
# aggregates only and have no need of the record.
ROLES_READING_THE_RECORD = (
    Role.HOST_MANAGER,
    Role.COUNCIL_OFFICER,
    Role.PARTNER_OFFICER,
    Role.ADMINISTRATOR,
)


def may_read_processing_record(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and holds_role(
        user, *ROLES_READING_THE_RECORD
    )


@dataclass(frozen=True)
class Activity:
    """One purpose for which residents' information is processed, as article 30(1) asks."""

    key: str
    purpose: Text
    lawful_basis: Text
    data: tuple[Text, ...]
    people: tuple[Text, ...]
    recipients: Text
    retention_keys: tuple[str, ...]
    retention_note: Text = ""

    @property
    def retention(self) -> list[RetentionRule]:
        return [RULES_BY_KEY[key] for key in self.retention_keys]


ACTIVITIES: tuple[Activity, ...] = (
    Activity(
        key="listening",
        purpose=gettext_lazy(
            "Listening: recording what residents say about their area, so organisers, hosts and the "
            "council can see what matters to people by area and act on it."
        ),
        lawful_basis=gettext_lazy(
            "Public task of the council (article 6(1)(e)) or the legitimate interests of the host "
            "organisation (article 6(1)(f)). Notes that reveal health, beliefs or similar are kept "
            "with a name only with explicit consent (article 9(2)(a)); otherwise without it."
        ),
        data=(
            gettext_lazy("What the resident said (loves, concerns, ideas, what they would do)"),
            gettext_lazy("Who else they suggested talking to"),
            gettext_lazy("Area (LSOA, ward, neighbourhood); the exact place only with consent"),
            gettext_lazy("When, how and by which organiser"),
            gettext_lazy("Special category information, when a resident volunteers it"),
        ),
        people=(
            gettext_lazy("Residents listened to"),
            gettext_lazy("People a resident names in their notes"),
        ),
        recipients=gettext_lazy(
            "The host organisation's organisers and managers. The council, partners, councillors "
            "and forums see counts and themes by area only, with counts under 5 suppressed."
        ),
        retention_keys=("conversation_notes", "import_files"),
    ),
    Activity(
        key="contact",
        purpose=gettext_lazy(
            "Getting back in touch: keeping a resident's name and contact details so the host can "
            "follow up what they raised, invite them to meetings or involve them in a group."
        ),
        lawful_basis=gettext_lazy(
            "Consent (article 6(1)(a)), recorded with the exact wording shown, when and by whom. It "
            "can be withdrawn at any time; contact details are removed at once when it is."
        ),
        data=(
            gettext_lazy("Name, e-mail address, phone number, address and postcode"),
            gettext_lazy("Consent records: wording, version, method, date, withdrawal"),
            gettext_lazy("Follow-ups, meeting invitations and group involvement"),
        ),
        people=(gettext_lazy("Residents who agreed to be contacted"),),
        recipients=gettext_lazy("The host organisation that the resident gave consent to."),
        retention_keys=("contact_details",),
        retention_note=gettext_lazy(
            "Consent records stay with the resident's record as proof of what was agreed."
        ),
    ),
    Activity(
        key="referral",
        purpose=gettext_lazy(
            "Referral: passing a resident's details to a partner the resident named, so that the "
            "partner can help with what they raised."
        ),
        lawful_basis=gettext_lazy(
            "Consent of the resident for a referral (article 6(1)(a)), naming each partner, under "
            "a data-sharing agreement in force between the host and that partner."
        ),
        data=(gettext_lazy("Only the fields each data-sharing agreement lists"),),
        people=(gettext_lazy("Residents who asked to be referred"),),
        recipients=gettext_lazy(
            "The partners named in the data-sharing agreements in force (listed below). Every view "
            "of a resident's details by a partner is recorded in the audit trail."
        ),
        retention_keys=("contact_details", "conversation_notes"),
    ),
    Activity(
        key="equality",
        purpose=gettext_lazy(
            "Equality monitoring: checking that the programme reaches every part of the community."
        ),
        lawful_basis=gettext_lazy(
            "Voluntary answers given with consent (articles 6(1)(a) and 9(2)(a)); kept with no link "
            "to a name or a conversation and only counted in groups."
        ),
        data=(
            gettext_lazy("Age band, ethnic group, disability, sex, caring responsibilities"),
            gettext_lazy("The month and area they were given in"),
        ),
        people=(gettext_lazy("Residents who chose to answer"),),
        recipients=gettext_lazy("Nobody sees single answers; reports show totals of 5 or more."),
        retention_keys=("equality_answers",),
    ),
    Activity(
        key="audit",
        purpose=gettext_lazy(
            "Accountability: recording who changed anything and who outside the host saw a "
            "resident's details, to answer complaints, subject access requests and audits."
        ),
        lawful_basis=gettext_lazy(
            "Legal obligation to keep personal data secure and show compliance (articles 5(2), "
            "6(1)(c) and 32)."
        ),
        data=(
            gettext_lazy("Who, what, which record, when and from where"),
            gettext_lazy("Which fields of a resident's record an outside officer was shown"),
        ),
        people=(
            gettext_lazy("Staff and volunteers who use the system"),
            gettext_lazy("Residents whose records were viewed or changed"),
        ),
        recipients=gettext_lazy(
            "Information governance officers and auditors of the host and the council."
        ),
        retention_keys=("audit_events",),
    ),
)


@dataclass(frozen=True)
class SecurityMeasure:
    title: Text
    detail: Text


def security_measures() -> list[SecurityMeasure]:
    """Technical and organisational measures (article 32), read from the settings in force."""
    hours = settings.SESSION_COOKIE_AGE / 3600
    mfa_roles = ", ".join(
        sorted(str(Role(role).label) for role in ROLES_SEEING_PERSONAL_DATA)
    ).lower()
    return [
        SecurityMeasure(
            _("Organisation boundary"),
            _(
                "Every record belongs to an organisation; people see residents' details only "
                "through a role in the host that holds them, or a data-sharing agreement in force "
                "together with the resident's own consent."
            ),
        ),
        SecurityMeasure(
            _("Two-factor sign-in"),
            _("Required for every role that can see personal data: %(roles)s.")
            % {"roles": mfa_roles},
        ),
        SecurityMeasure(
            _("Sessions and lockout"),
            _(
                "Sessions end after %(hours)s hours or when the browser closes; an account locks "
                "after %(limit)s failed sign-ins."
            )
            % {"hours": f"{hours:g}", "limit": settings.LOGIN_FAILURE_LIMIT},
        ),
        SecurityMeasure(
            _("Encryption in transit and browser protections"),
            _(
                "HTTPS only with HSTS in production; a content security policy with no inline "
                "scripts; pages cannot be framed; rate limits on sign-in, public forms and the API."
            ),
        ),
        SecurityMeasure(
            _("Audit trail"),
            _(
                "Every change, and every view of a resident's details by someone outside the host, "
                "is recorded with who, what and when."
            ),
        ),
        SecurityMeasure(
            _("Minimisation"),
            _(
                "Contact details only with consent; exact places only with consent; equality "
                "answers never linked to a name; published counts under 5 suppressed; quotes have "
                "personal details removed before anyone outside the host sees them."
            ),
        ),
        SecurityMeasure(
            _("Retention applied daily"),
            _(
                "The schedule below is applied by a daily task; each run is recorded in the audit "
                "trail with how many records each rule changed."
            ),
        ),
    ]


def agreements_in_force(on: date | None = None) -> QuerySet[DataSharingAgreement]:
    today = on or timezone.localdate()
    return (
        DataSharingAgreement.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=today),
            status=DataSharingAgreement.Status.ACTIVE,
            starts_on__lte=today,
        )
        .select_related("provider")
        .prefetch_related("recipients")
        .order_by("provider__name", "title")
    )


def recipient_names(on: date | None = None) -> list[str]:
    """Every organisation that may receive residents' details today, by name, once each."""
    names = {
        recipient.name
        for agreement in agreements_in_force(on)
        for recipient in agreement.recipients.all()
    }
    return sorted(names)


def last_applied() -> dict[str, datetime]:
    """When each retention rule last ran, from the audit trail it writes."""
    rows = (
        AuditEvent.objects.filter(action="retention.apply", object_type="privacy.retentionrule")
        .values("object_id")
        .annotate(latest=Max("at"))
    )
    return {row["object_id"]: row["latest"] for row in rows}


def controllers() -> list[Organisation]:
    return list(Organisation.objects.filter(kind=Organisation.Kind.HOST).order_by("name"))


def processing_record_context() -> dict[str, Any]:
    from .retention import RULES

    applied = last_applied()
    return {
        "activities": ACTIVITIES,
        "retention_rules": [(rule, applied.get(rule.key)) for rule in RULES],
        "agreements": list(agreements_in_force()),
        "security": security_measures(),
        "controllers": controllers(),
        "council_name": settings.COUNCIL_NAME,
        "generated_at": timezone.now(),
    }


def privacy_notice_context() -> dict[str, Any]:
    from .retention import RULES

    return {
        "retention_rules": RULES,
        "recipients": recipient_names(),
        "council_name": settings.COUNCIL_NAME,
    }
