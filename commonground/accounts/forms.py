from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("The 6-digit code, for example 123456."),
        max_length=10,
        min_length=6,
    )

    def clean_token(self) -> str:
        value = self.cleaned_data["token"].replace(" ", "")
        if not value.isdigit() or len(value) != 6:
            raise forms.ValidationError(_("Enter the 6-digit code from your authenticator app."))
        return value


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("What is this token for?"),
        help_text=_("For example: Tablet for Foxhill listening days."),
        max_length=100,
    )
