from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from commonground.accounts.models import User
from commonground.insight.models import Theme
from commonground.places.models import Lsoa, Neighbourhood, Ward
from commonground.programme.models import Organisation, Programme

from .models import (
    ActionPlanItem,
    AreaType,
    ForumAction,
    ForumMember,
    Group,
    Idea,
    Involvement,
    Matter,
    MatterCategory,
    Milestone,
    Project,
    ToolkitEntry,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("format", "%Y-%m-%dT%H:%M")
        super().__init__(**kwargs)


_WIDGET_CLASSES = {
    "select": "govuk-select",
    "textarea": "govuk-textarea",
    "file": "govuk-file-upload",
}
_ERROR_CLASSES = {
    "govuk-select": "govuk-select--error",
    "govuk-textarea": "govuk-textarea--error",
    "govuk-input": "govuk-input--error",
    "govuk-file-upload": "govuk-file-upload--error",
}


def _widget_kind(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
        return "options"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.FileInput):
        return "file"
    if isinstance(widget, forms.Select):
        return "select"
    return "input"


class GovukMixin:
    """Gives each widget its GOV.UK class, hint and error links, so templates render ``{{ field }}``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            kind = _widget_kind(field.widget)
            field.widget.kind = kind
            if kind in {"options", "checkbox"}:
                continue
            css = _WIDGET_CLASSES.get(kind, "govuk-input")
            field.widget.attrs["class"] = f"{css} {field.widget.attrs.get('class', '')}".strip()
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"id_{self.add_prefix(name)}-hint"  # type: ignore[attr-defined]

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            field = self.fields.get(name)  # type: ignore[attr-defined]
            if field is None:
                continue
            css = field.widget.attrs.get("class", "")
            for base, error in _ERROR_CLASSES.items():
                if base in css.split() and error not in css:
                    field.widget.attrs["class"] = f"{css} {error}"
            described = f"id_{self.add_prefix(name)}-error"  # type: ignore[attr-defined]
            existing = field.widget.attrs.get("aria-describedby", "")
            if described not in existing:
                field.widget.attrs["aria-describedby"] = f"{existing} {described}".strip()


class Form(GovukMixin, forms.Form):
    pass


class ModelForm(GovukMixin, forms.ModelForm):
    pass


def _textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class LsoaCodeField(forms.CharField):
    """An LSOA chosen by its code, e.g. E01014463: shorter than a list of 32,844."""

    def clean(self, value: Any) -> Lsoa | None:  # type: ignore[override]
        code = (super().clean(value) or "").strip().upper()
        if not code:
            return None
        lsoa = Lsoa.objects.select_related("ward", "authority").filter(code=code).first()
        if lsoa is None:
            raise forms.ValidationError(
                _("%(code)s is not an LSOA code we know, e.g. E01014463."), params={"code": code}
            )
        return lsoa


def themes_field(required: bool = False) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.filter(is_active=True).select_related("parent"),
        required=required,
        widget=forms.CheckboxSelectMultiple,
    )


def neighbourhood_field(required: bool = False) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Neighbourhood"),
        queryset=Neighbourhood.objects.order_by("name"),
        required=required,
    )


# --- matters ------------------------------------------------------------------------------------


class MatterRaiseForm(Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("What and where, e.g. Fly-tipping behind the shops on Whiteway Road."),
    )
    description = forms.CharField(
        label=_("Description"),
        widget=_textarea(5),
        max_length=4000,
        help_text=_("This is published. Describe the problem and the place, never who said it."),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=MatterCategory.objects.filter(is_active=True).select_related("theme"),
    )
    conversations = forms.ModelMultipleChoiceField(
        label=_("Conversations in which residents raised it"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Your 30 most recent conversations; search above for others. Only conversations you may open are listed."
        ),
    )
    neighbourhood = neighbourhood_field()
    lsoa = LsoaCodeField(
        label=_("LSOA code (optional)"),
        required=False,
        help_text=_("If you know it; otherwise the place comes from the conversations."),
    )
    address = forms.CharField(
        label=_("Street or landmark"),
        required=False,
        max_length=255,
        help_text=_("No house numbers."),
    )
    is_public = forms.BooleanField(
        label=_("Publish on Open311 and the “You said, we did” page"), required=False, initial=True
    )

    def __init__(self, *args: Any, conversations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["conversations"].queryset = conversations
        self.fields["conversations"].label_from_instance = _conversation_label


def _conversation_label(conversation: Any) -> str:
    said = (conversation.concerns or conversation.ideas or conversation.loves or "").strip()
    place = conversation.neighbourhood or conversation.ward or ""
    text = f"{conversation} – {place}: {said[:90]}" if place else f"{conversation}: {said[:90]}"
    return text


class AddConversationsForm(Form):
    conversations = forms.ModelMultipleChoiceField(queryset=None)

    def __init__(self, *args: Any, conversations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["conversations"].queryset = conversations


class AcknowledgeForm(Form):
    public_note = forms.CharField(
        label=_("Public note (optional)"), required=False, widget=_textarea(3)
    )


class MatterStatusForm(Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (Matter.Status.ACKNOWLEDGED, Matter.Status.ACKNOWLEDGED.label),
            (Matter.Status.IN_PROGRESS, Matter.Status.IN_PROGRESS.label),
        ],
        widget=forms.RadioSelect,
    )
    public_note = forms.CharField(
        label=_("Public note"),
        widget=_textarea(3),
        help_text=_("Residents read this. Say what is happening and when."),
    )
    internal_note = forms.CharField(
        label=_("Note for colleagues (optional)"), required=False, widget=_textarea(2)
    )


class MatterCloseForm(Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (Matter.Status.RESOLVED, Matter.Status.RESOLVED.label),
            (Matter.Status.CLOSED, Matter.Status.CLOSED.label),
        ],
        widget=forms.RadioSelect,
    )
    public_note = forms.CharField(
        label=_("What was done"),
        widget=_textarea(3),
        help_text=_("Residents read this on the “You said, we did” page."),
    )
    internal_note = forms.CharField(
        label=_("Note for colleagues (optional)"), required=False, widget=_textarea(2)
    )


class MatterReopenForm(Form):
    reason = forms.CharField(label=_("Why reopen it?"), widget=_textarea(3))


class MatterRerouteForm(Form):
    organisation = forms.ModelChoiceField(
        label=_("Send to"),
        queryset=Organisation.objects.filter(
            kind__in=[Organisation.Kind.COUNCIL, Organisation.Kind.PARTNER]
        ).order_by("name"),
    )
    team = forms.CharField(label=_("Team"), max_length=150)
    owner = forms.ModelChoiceField(
        label=_("Named owner (optional)"),
        queryset=User.objects.filter(is_active=True).order_by("full_name"),
        required=False,
    )
    reason = forms.CharField(label=_("Why"), widget=_textarea(2))


class RoutingRuleForm(Form):
    council = forms.ModelChoiceField(label=_("Council"), queryset=Organisation.objects.none())
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=MatterCategory.objects.select_related("theme"),
        required=False,
        empty_label=_("Any category"),
    )
    neighbourhood = neighbourhood_field()
    ward = forms.ModelChoiceField(
        label=_("Ward"), queryset=Ward.objects.exclude(boundary="").order_by("name"), required=False
    )
    lsoa = LsoaCodeField(label=_("LSOA code"), required=False)
    partner = forms.ModelChoiceField(
        label=_("Send to"),
        queryset=Organisation.objects.filter(
            kind__in=[Organisation.Kind.COUNCIL, Organisation.Kind.PARTNER]
        ).order_by("name"),
    )
    team = forms.CharField(label=_("Team"), max_length=150)
    owner = forms.ModelChoiceField(
        label=_("Named person (optional)"),
        queryset=User.objects.filter(is_active=True).order_by("full_name"),
        required=False,
    )
    priority = forms.IntegerField(
        label=_("Priority"),
        min_value=0,
        max_value=1000,
        initial=100,
        help_text=_("Between equally specific rules, the lower number wins."),
    )
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)
    note = forms.CharField(label=_("Note"), required=False, max_length=255)

    def __init__(self, *args: Any, councils: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = councils

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        areas = [name for name in ("neighbourhood", "ward", "lsoa") if data.get(name)]
        if len(areas) > 1:
            raise forms.ValidationError(_("Choose at most one of neighbourhood, ward or LSOA."))
        return data

    def rule_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("council")
        council = self.cleaned_data["council"]
        data["authority"] = council.authority
        return data


class RoutingPreviewForm(Form):
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=MatterCategory.objects.select_related("theme")
    )
    neighbourhood = neighbourhood_field()
    lsoa = LsoaCodeField(label=_("or an LSOA code"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("neighbourhood") and not data.get("lsoa"):
            raise forms.ValidationError(_("Choose a neighbourhood or give an LSOA code."))
        return data


class RoutingDefaultForm(Form):
    council = forms.ModelChoiceField(label=_("Council"), queryset=Organisation.objects.none())
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.filter(
            kind__in=[Organisation.Kind.COUNCIL, Organisation.Kind.PARTNER]
        ).order_by("name"),
    )
    team = forms.CharField(label=_("Team"), max_length=150)
    owner = forms.ModelChoiceField(
        label=_("Named owner"), queryset=User.objects.filter(is_active=True).order_by("full_name")
    )

    def __init__(self, *args: Any, councils: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = councils


class MatterCategoryForm(ModelForm):
    class Meta:
        model = MatterCategory
        fields = ["target_days", "description", "group", "keywords", "is_active"]
        widgets = {"description": _textarea(3)}


class MatterCategoryCreateForm(ModelForm):
    class Meta:
        model = MatterCategory
        fields = ["theme", "service_code", "target_days", "description", "group", "keywords"]
        widgets = {"description": _textarea(3)}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = Theme.objects.filter(
            is_active=True, matter_category__isnull=True
        ).select_related("parent")


# --- groups and the network ---------------------------------------------------------------------


class GroupForm(ModelForm):
    themes = themes_field()
    supporting_organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations that support it"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Group
        fields = [
            "name",
            "kind",
            "description",
            "neighbourhood",
            "formed_on",
            "email",
            "website",
            "is_published",
        ]
        widgets = {"formed_on": DateInput(), "description": _textarea(4)}


class GroupActivityForm(Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    description = forms.CharField(label=_("Description"), widget=_textarea(3), required=False)
    is_service = forms.BooleanField(
        label=_("A community service others can use (published in the directory feed)"),
        required=False,
    )
    schedule = forms.CharField(label=_("When"), max_length=150, required=False)
    venue = forms.CharField(label=_("Venue"), max_length=150, required=False)
    address = forms.CharField(label=_("Venue address"), max_length=200, required=False)
    town = forms.CharField(label=_("Town"), max_length=100, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=8, required=False)


class InvolvementForm(Form):
    resident = forms.ModelChoiceField(label=_("Resident"), queryset=None)
    role = forms.ChoiceField(label=_("Role"), choices=Involvement.Role.choices)
    started_on = forms.DateField(label=_("Since"), widget=DateInput())
    consent_given_on = forms.DateField(
        label=_("Date the resident agreed to be listed"),
        widget=DateInput(),
        required=False,
        help_text=_("Required: without their agreement, do not record them."),
    )

    def __init__(self, *args: Any, residents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resident"].queryset = residents


class NetworkLinkForm(Form):
    neighbourhood = neighbourhood_field(required=True)
    from_resident = forms.ModelChoiceField(
        label=_("From a resident"), queryset=None, required=False
    )
    from_group = forms.ModelChoiceField(label=_("or from a group"), queryset=None, required=False)
    from_organisation = forms.ModelChoiceField(
        label=_("or from an organisation"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
    )
    to_resident = forms.ModelChoiceField(label=_("To a resident"), queryset=None, required=False)
    to_group = forms.ModelChoiceField(label=_("or to a group"), queryset=None, required=False)
    to_organisation = forms.ModelChoiceField(
        label=_("or to an organisation"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
    )
    description = forms.CharField(label=_("What the link is"), max_length=255, required=False)
    made_on = forms.DateField(label=_("Date"), widget=DateInput())
    brokered = forms.BooleanField(label=_("I brokered this link"), required=False, initial=True)

    def __init__(self, *args: Any, residents: Any, groups: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for prefix in ("from", "to"):
            self.fields[f"{prefix}_resident"].queryset = residents
            self.fields[f"{prefix}_group"].queryset = groups

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for prefix, label in (("from", _("From")), ("to", _("To"))):
            chosen = [
                data.get(f"{prefix}_{kind}")
                for kind in ("resident", "group", "organisation")
                if data.get(f"{prefix}_{kind}")
            ]
            if len(chosen) != 1:
                raise forms.ValidationError(
                    _("%(end)s: choose exactly one resident, group or organisation."),
                    params={"end": label},
                )
            data[f"{prefix}_end"] = chosen[0]
        return data


# --- projects -----------------------------------------------------------------------------------


class ProjectForm(ModelForm):
    themes = themes_field()
    toolkit_entries = forms.ModelMultipleChoiceField(
        label=_("Toolkit guides used"),
        queryset=ToolkitEntry.objects.filter(is_published=True).order_by("title"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Project
        fields = [
            "title",
            "summary",
            "aims",
            "lead_group",
            "neighbourhood",
            "status",
            "starts_on",
            "ends_on",
            "needs_help",
            "help_wanted",
            "sustainability",
            "sustainability_note",
            "is_public",
        ]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "aims": _textarea(4),
            "sustainability_note": _textarea(3),
        }

    def __init__(self, *args: Any, groups: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_group"].queryset = groups


class MilestoneForm(ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due_on", "status"]
        widgets = {"due_on": DateInput()}


class MilestoneStatusForm(Form):
    status = forms.ChoiceField(label=_("Status"), choices=Milestone.Status.choices)


class ProjectEventForm(Form):
    title = forms.CharField(label=_("Event"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DateTimeInput())
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    attendance = forms.IntegerField(label=_("People who came"), min_value=0, required=False)


class VolunteerTimeForm(Form):
    worked_on = forms.DateField(label=_("Date"), widget=DateInput())
    volunteers = forms.IntegerField(label=_("Volunteers"), min_value=1)
    hours = forms.DecimalField(
        label=_("Total volunteer hours"), min_value=0.5, max_digits=8, decimal_places=1
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class OutcomeForm(Form):
    description = forms.CharField(label=_("Outcome"), max_length=255)
    value = forms.DecimalField(label=_("Amount (optional)"), required=False, max_digits=12)
    unit = forms.CharField(label=_("Unit"), max_length=50, required=False)
    recorded_on = forms.DateField(label=_("Date"), widget=DateInput())


class ProjectPhotoForm(Form):
    photo = forms.FileField(label=_("Photo"), help_text=_("JPEG, PNG or WebP, up to 5 MB."))
    caption = forms.CharField(label=_("Caption"), max_length=200)
    alt_text = forms.CharField(
        label=_("What the photo shows"),
        max_length=200,
        help_text=_("For people who cannot see it."),
    )
    everyone_agreed = forms.BooleanField(
        label=_("Everyone recognisable in the photo agreed to it being kept"), required=False
    )


# --- forums and plans ---------------------------------------------------------------------------


class ForumForm(Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    description = forms.CharField(label=_("Description"), widget=_textarea(3), required=False)
    council = forms.ModelChoiceField(
        label=_("Convening council"), queryset=Organisation.objects.none()
    )
    organisation = forms.ModelChoiceField(
        label=_("The forum's own organisation (optional)"),
        queryset=Organisation.objects.filter(kind=Organisation.Kind.FORUM).order_by("name"),
        required=False,
    )
    neighbourhoods = forms.ModelMultipleChoiceField(
        label=_("Neighbourhoods it covers"),
        queryset=Neighbourhood.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_public = forms.BooleanField(label=_("Publish meeting dates"), required=False, initial=True)

    def __init__(self, *args: Any, councils: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = councils


class ForumMemberForm(ModelForm):
    class Meta:
        model = ForumMember
        fields = ["name", "sector", "organisation", "represents", "joined_on"]
        widgets = {"joined_on": DateInput()}


class MeetingForm(Form):
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DateTimeInput())
    place = forms.CharField(label=_("Place"), max_length=200)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            raise forms.ValidationError(_("The meeting must end after it starts."))
        return data


class AgendaItemForm(Form):
    title = forms.CharField(label=_("Item"), max_length=200)
    body = forms.CharField(label=_("Details"), required=False, widget=_textarea(2))


class MinutesForm(Form):
    minutes = forms.CharField(label=_("Minutes"), widget=_textarea(10))


class ForumActionForm(Form):
    description = forms.CharField(label=_("Action"), max_length=300)
    owner = forms.CharField(label=_("Owner"), max_length=150)
    owner_organisation = forms.ModelChoiceField(
        label=_("Owner's organisation (optional)"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
    )
    due_on = forms.DateField(label=_("Due"), widget=DateInput())


class ForumActionUpdateForm(Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=ForumAction.Status.choices, widget=forms.RadioSelect
    )
    progress_note = forms.CharField(label=_("Progress"), required=False, widget=_textarea(3))


class ActionPlanForm(Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_on = forms.DateField(label=_("Starts"), widget=DateInput())
    forum = forms.ModelChoiceField(label=_("Forum"), queryset=None, required=False)
    programme = forms.ModelChoiceField(
        label=_("or programme"), queryset=Programme.objects.order_by("name"), required=False
    )
    description = forms.CharField(label=_("Description"), required=False, widget=_textarea(3))

    def __init__(self, *args: Any, forums: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["forum"].queryset = forums

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool(data.get("forum")) == bool(data.get("programme")):
            raise forms.ValidationError(_("Choose a forum or a programme, not both."))
        return data


class ActionPlanItemForm(ModelForm):
    class Meta:
        model = ActionPlanItem
        fields = ["title", "description", "owner", "organisation", "theme", "due_on"]
        widgets = {"due_on": DateInput(), "description": _textarea(3)}


class ActionPlanProgressForm(Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionPlanItem.Status.choices)
    note = forms.CharField(label=_("Progress"), widget=_textarea(3))


# --- ideas --------------------------------------------------------------------------------------


class IdeaForm(Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("The idea"), widget=_textarea(4))
    service_affected = forms.CharField(label=_("Service affected"), max_length=200)
    change = forms.CharField(label=_("The change proposed"), widget=_textarea(3))
    council = forms.ModelChoiceField(
        label=_("Council that owes a response"),
        queryset=Organisation.objects.filter(kind=Organisation.Kind.COUNCIL).order_by("name"),
    )
    service_organisation = forms.ModelChoiceField(
        label=_("Organisation that runs the service (optional)"),
        queryset=Organisation.objects.filter(
            kind__in=[Organisation.Kind.COUNCIL, Organisation.Kind.PARTNER]
        ).order_by("name"),
        required=False,
    )
    response_due_on = forms.DateField(
        label=_("Response due by"),
        widget=DateInput(),
        help_text=_("The agreement says ideas get a response within 8 weeks."),
    )
    neighbourhood = neighbourhood_field()
    forum = forms.ModelChoiceField(
        label=_("Raised at a forum (optional)"), queryset=None, required=False
    )
    themes = themes_field()
    conversations = forms.ModelMultipleChoiceField(
        label=_("Conversations it came from (optional)"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, conversations: Any, forums: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["conversations"].queryset = conversations
        self.fields["conversations"].label_from_instance = _conversation_label
        self.fields["forum"].queryset = forums


class IdeaCaseForm(ModelForm):
    class Meta:
        model = Idea
        fields = [
            "service_affected",
            "change",
            "one_off_cost",
            "yearly_saving_estimated",
            "yearly_saving_realised",
            "avoided_demand",
            "beneficiaries",
            "evidence",
            "owner",
            "service_organisation",
            "response_due_on",
        ]
        widgets = {
            "change": _textarea(3),
            "beneficiaries": _textarea(2),
            "evidence": _textarea(4),
            "response_due_on": DateInput(),
        }


class IdeaMoveForm(Form):
    status = forms.ChoiceField(
        label=_("Move to"), choices=Idea.Status.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("What happened"), widget=_textarea(3))
    rejection_reason = forms.CharField(
        label=_("Reason for rejecting (if rejected)"), required=False, widget=_textarea(2)
    )

    def __init__(self, *args: Any, allowed: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s, Idea.Status(s).label) for s in allowed]


class IdeaProgressForm(Form):
    note = forms.CharField(label=_("Progress"), widget=_textarea(3))


# --- toolkit ------------------------------------------------------------------------------------


class ToolkitEntryForm(Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=ToolkitEntry.Kind.choices, widget=forms.RadioSelect
    )
    summary = forms.CharField(label=_("Summary"), max_length=300)
    body = forms.CharField(
        label=_("Text"), widget=_textarea(12), help_text=_("A blank line starts a new paragraph.")
    )
    themes = themes_field()
    area_types = forms.MultipleChoiceField(
        label=_("Kinds of place it suits"),
        choices=AreaType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_published = forms.BooleanField(label=_("Published"), required=False, initial=True)


class ToolkitSearchForm(Form):
    q = forms.CharField(label=_("Search"), required=False)
    theme = forms.ModelChoiceField(
        label=_("Theme"), queryset=Theme.objects.filter(is_active=True), required=False
    )
    area_type = forms.ChoiceField(
        label=_("Kind of place"), choices=[("", _("Any")), *list(AreaType.choices)], required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Any")), *list(ToolkitEntry.Kind.choices)], required=False
    )
