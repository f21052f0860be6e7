from django.core.validators import MaxLengthValidator
from django.db import models

from governance.models.choices import Role
from governance.models.history import governed_history
from governance.validators import validate_model_name, validate_single_line, validate_text

ROLE_PERMISSIONS = [(role.permission_codename, f"Act as {role.label}") for role in Role]


class Team(models.Model):
    """A group of people owning models; roles can be granted for one team's models."""

    slug = models.CharField(max_length=100, unique=True, validators=[validate_model_name])
    name = models.CharField(max_length=200, validators=[validate_single_line])
    description = models.TextField(
        blank=True, validators=[validate_text, MaxLengthValidator(10_000)]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = governed_history()

    class Meta:
        ordering = ["slug"]
        permissions = ROLE_PERMISSIONS

    def __str__(self) -> str:
        return self.name
