import sys

from django.db import models
from django.db.models import Q

from governance.models.versions import ModelVersion
from governance.validators import validate_metric_name, validate_single_line

FLOAT_MAX = sys.float_info.max


class MetricObservation(models.Model):
    """One monitored value (accuracy, drift_score, ...) of a version at a time; never NaN."""

    version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="metrics")
    name = models.CharField(max_length=100, validators=[validate_metric_name])
    value = models.FloatField()
    observed_at = models.DateTimeField()
    source = models.CharField(max_length=200, blank=True, validators=[validate_single_line])
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["observed_at"]
        constraints = [
            # NaN compares greater than every number on PostgreSQL and becomes NULL on
            # SQLite, so this range check refuses NaN and both infinities everywhere.
            models.CheckConstraint(
                condition=Q(value__gte=-FLOAT_MAX) & Q(value__lte=FLOAT_MAX),
                name="metric_value_finite",
            ),
        ]
        indexes = [
            models.Index(fields=["version", "name", "observed_at"], name="metric_series_idx")
        ]

    def __str__(self) -> str:
        return f"{self.version} {self.name}={self.value} @ {self.observed_at:%Y-%m-%d %H:%M}"
