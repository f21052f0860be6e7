from django.conf import settings
from django.db import models
from django.db.models import Q

from governance.models.choices import Environment
from governance.models.history import governed_history
from governance.models.versions import ModelVersion
from governance.validators import validate_single_line


class Deployment(models.Model):
    """Which version serves which endpoint in which environment, as the platform reported."""

    endpoint = models.CharField(max_length=200, validators=[validate_single_line])
    environment = models.CharField(max_length=16, choices=Environment.choices)
    version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="deployments")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField()
    active = models.BooleanField(default=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    history = governed_history()

    class Meta:
        ordering = ["-reported_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "environment"],
                condition=Q(active=True),
                name="one_active_deployment_per_endpoint",
            ),
            models.CheckConstraint(
                condition=Q(environment__in=Environment.values), name="deployment_env_valid"
            ),
        ]
        indexes = [models.Index(fields=["version", "active"], name="deployment_version_idx")]

    def __str__(self) -> str:
        return f"{self.endpoint} ({self.environment}) -> {self.version}"
