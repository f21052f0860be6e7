from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from governance import cards
from governance.models.choices import ReviewSchedule, Stage
from governance.models.history import governed_history
from governance.models.registered_models import RegisteredModel
from governance.validators import (
    VERSION_MAX_LENGTH,
    validate_artifact_uri,
    validate_fairness_assessment,
    validate_hyperparameters,
    validate_metric_values,
    validate_performance_by_group,
    validate_retirement_criteria,
    validate_sha256,
    validate_single_line,
    validate_string_list,
    validate_text,
    validate_version_string,
)

TEXT_LIMIT = 10_000


def default_retirement_criteria() -> dict:
    return {
        "max_age_days": settings.TUTELA_DEFAULT_MAX_AGE_DAYS,
        "metric_floors": [dict(settings.TUTELA_DEFAULT_METRIC_FLOOR)],
        "drift_ceiling": settings.TUTELA_DEFAULT_DRIFT_CEILING,
        "retire_on_replacement": True,
    }


def _text(**kwargs) -> models.TextField:
    return models.TextField(
        blank=True, validators=[validate_text, MaxLengthValidator(TEXT_LIMIT)], **kwargs
    )


def _line(max_length: int, *extra) -> models.CharField:
    return models.CharField(
        max_length=max_length, blank=True, validators=[validate_single_line, *extra]
    )


class ModelVersion(models.Model):
    """One trained artefact with its model card and lifecycle stage."""

    model = models.ForeignKey(RegisteredModel, on_delete=models.PROTECT, related_name="versions")
    version = models.CharField(max_length=VERSION_MAX_LENGTH, validators=[validate_version_string])
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.DEVELOPMENT)
    stage_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    card_revision = models.PositiveIntegerField(
        default=1, help_text="Increments on every card change (optimistic concurrency)."
    )
    card_updated_at = models.DateTimeField(default=timezone.now)
    # Kept by the services so "reviews overdue" is one indexed range scan: set when the
    # version enters production (an approval is a review), moved when its review schedule
    # changes, cleared when it leaves production.
    last_reviewed_at = models.DateTimeField(null=True, blank=True)
    next_review_at = models.DateTimeField(null=True, blank=True)

    # Purpose
    intended_use = _text()
    out_of_scope_uses = models.JSONField(
        default=list, blank=True, validators=[validate_string_list]
    )
    primary_users = models.JSONField(default=list, blank=True, validators=[validate_string_list])
    # Training
    training_data_description = _text()
    training_data_version = _line(200)
    training_date = models.DateField(null=True, blank=True)
    training_pipeline = _line(500)
    hyperparameters = models.JSONField(
        default=dict, blank=True, validators=[validate_hyperparameters]
    )
    code_revision = _line(200)
    artifact_uri = _line(2000, validate_artifact_uri)
    artifact_sha256 = _line(64, validate_sha256)
    # Performance
    evaluation_metrics = models.JSONField(
        default=dict, blank=True, validators=[validate_metric_values]
    )
    performance_by_group = models.JSONField(
        default=dict, blank=True, validators=[validate_performance_by_group]
    )
    known_limitations = models.JSONField(
        default=list, blank=True, validators=[validate_string_list]
    )
    # Risk and ethics
    ethical_considerations = models.JSONField(
        default=list, blank=True, validators=[validate_string_list]
    )
    fairness_assessment = models.JSONField(
        default=dict, blank=True, validators=[validate_fairness_assessment]
    )
    # Governance
    review_schedule = models.CharField(
        max_length=16, choices=ReviewSchedule.choices, default=ReviewSchedule.QUARTERLY
    )
    retirement_criteria = models.JSONField(
        default=default_retirement_criteria, blank=True, validators=[validate_retirement_criteria]
    )

    history = governed_history()

    class Meta:
        ordering = ["model__name", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["model", "version"], name="unique_model_version"),
            models.UniqueConstraint(
                fields=["model"],
                condition=Q(stage=Stage.PRODUCTION),
                name="one_production_version_per_model",
            ),
            models.CheckConstraint(
                condition=Q(stage__in=Stage.values), name="model_version_stage_valid"
            ),
            models.CheckConstraint(
                condition=Q(review_schedule__in=ReviewSchedule.values),
                name="model_version_review_schedule_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["stage", "model"], name="version_stage_idx"),
            models.Index(fields=["stage", "next_review_at"], name="version_review_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.model.name} {self.version}"

    def card_values(self) -> dict:
        """The editable card as plain data (the input of the card hash)."""
        return {field: getattr(self, field) for field in cards.CARD_FIELDS}

    def card_hash(self) -> str:
        return cards.card_hash(self.card_values())

    def to_dict(self) -> dict:
        return cards.card_to_dict(self)

    def to_markdown(self) -> str:
        return cards.card_to_markdown(self)
