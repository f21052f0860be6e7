from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from governance.models.choices import RiskLevel
from governance.models.history import governed_history
from governance.models.teams import ROLE_PERMISSIONS, Team
from governance.validators import validate_model_name, validate_text


def default_grace_period_days() -> int:
    return settings.TUTELA_GRACE_PERIOD_DAYS


class RegisteredModel(models.Model):
    """A named model owned by a team; its risk level decides which roles must approve."""

    name = models.CharField(max_length=100, unique=True, validators=[validate_model_name])
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="models")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_models"
    )
    description = models.TextField(
        blank=True, validators=[validate_text, MaxLengthValidator(10_000)]
    )
    risk_level = models.CharField(
        max_length=16, choices=RiskLevel.choices, default=RiskLevel.MEDIUM
    )
    auto_deprecate = models.BooleanField(
        default=False,
        help_text="Deprecate a production version automatically when a retirement rule fires.",
    )
    grace_period_days = models.PositiveSmallIntegerField(
        default=default_grace_period_days,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Days a deprecated version can be rolled back before it is retired.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = governed_history()

    class Meta:
        ordering = ["name"]
        permissions = ROLE_PERMISSIONS
        constraints = [
            models.CheckConstraint(
                condition=Q(risk_level__in=RiskLevel.values), name="registered_model_risk_valid"
            ),
            models.CheckConstraint(
                condition=Q(grace_period_days__gte=1), name="registered_model_grace_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name
