"""API token forms: a name and how long the token lasts; the token service decides the rest."""

from datetime import datetime, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

NEVER = "never"
EXPIRY_CHOICES = [
    ("30", "in 30 days"),
    ("90", "in 90 days"),
    ("365", "in a year"),
    (NEVER, "never"),
]


class TokenForm(forms.Form):
    """The token's name and lifetime; the service checks both again (length, one line)."""

    name = forms.CharField(
        max_length=100,
        help_text="What will use it, e.g. “training pipeline” or “drift monitor”.",
    )
    expires_in = forms.ChoiceField(
        label="Expires",
        choices=EXPIRY_CHOICES,
        initial="90",
        help_text="A token that never expires works until someone revokes it.",
    )

    def expires_at(self) -> datetime | None:
        choice = self.cleaned_data["expires_in"]
        return None if choice == NEVER else timezone.now() + timedelta(days=int(choice))

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """A refusal's per-field messages next to the fields (others above the form)."""
        for field, messages in errors.items():
            self.add_error(field if field in self.fields else None, messages)


class IssueTokenForm(TokenForm):
    """An admin issues a token for someone (a person or a service account) by username."""

    # A text field, not a select of every account; CharField also refuses NUL characters,
    # which PostgreSQL would reject in the lookup.
    user = forms.CharField(
        max_length=150,
        label="For user",
        help_text="The username of the person or service account the token acts as.",
    )

    field_order = ["user", "name", "expires_in"]

    def clean_user(self) -> AbstractBaseUser:
        username = self.cleaned_data["user"]
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise forms.ValidationError("No user has this username.")
        return user
