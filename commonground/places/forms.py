from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Lsoa


class NeighbourhoodForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        help_text=_("The name residents use, e.g. Foxhill and Odd Down."),
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    lsoas = forms.ModelMultipleChoiceField(
        label=_("LSOAs in this neighbourhood"),
        queryset=Lsoa.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        to_field_name="code",
        error_messages={"required": _("Choose at least one LSOA.")},
    )

    def __init__(self, *args: object, authority: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lsoas"].queryset = (
            Lsoa.objects.filter(authority=authority)
            .select_related("ward")
            .order_by("ward__name", "code")
        )
        self.fields["lsoas"].label_from_instance = lambda lsoa: (
            f"{lsoa.code} {lsoa.name} – {lsoa.ward.name if lsoa.ward else ''}, population {lsoa.population or '?'}, IMD decile {lsoa.imd_decile}"
        )
