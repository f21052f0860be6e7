from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Prefetch, Q

from governance.models.choices import (
    OPEN_APPROVAL_STATUSES,
    ApprovalStatus,
    Decision,
    Role,
    Stage,
)
from governance.models.history import governed_history
from governance.models.versions import ModelVersion
from governance.validators import validate_text

NOTE_LIMIT = 5_000
REQUESTABLE_STAGES = (Stage.STAGING, Stage.PRODUCTION)


class ApprovalRequest(models.Model):
    """Asks to move a version to a target stage; the roles that must approve are fixed here."""

    version = models.ForeignKey(
        ModelVersion, on_delete=models.PROTECT, related_name="approval_requests"
    )
    target_stage = models.CharField(max_length=16, choices=Stage.choices)
    from_stage = models.CharField(
        max_length=16, choices=Stage.choices, help_text="The stage the version was in."
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="approval_requests"
    )
    justification = models.TextField(validators=[validate_text, MaxLengthValidator(NOTE_LIMIT)])
    status = models.CharField(
        max_length=16, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    required_roles = models.JSONField(help_text="Sorted role names fixed by the policy.")
    card_hash = models.CharField(max_length=64, help_text="SHA-256 of the card under review.")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.TextField(
        blank=True, validators=[validate_text, MaxLengthValidator(NOTE_LIMIT)]
    )

    history = governed_history()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "target_stage"],
                condition=Q(status__in=OPEN_APPROVAL_STATUSES),
                name="one_open_request_per_version_target",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ApprovalStatus.values), name="approval_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(target_stage__in=REQUESTABLE_STAGES), name="approval_target_valid"
            ),
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="approval_status_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.version} -> {self.target_stage} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_APPROVAL_STATUSES


class ApprovalDecision(models.Model):
    """One reviewer's approval or rejection in one role; superseded when the review restarts."""

    request = models.ForeignKey(ApprovalRequest, on_delete=models.PROTECT, related_name="decisions")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="approval_decisions"
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    decision = models.CharField(max_length=16, choices=Decision.choices)
    notes = models.TextField(blank=True, validators=[validate_text, MaxLengthValidator(NOTE_LIMIT)])
    card_hash = models.CharField(max_length=64, help_text="SHA-256 of the card decided on.")
    created_at = models.DateTimeField(auto_now_add=True)
    superseded_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when a card edit or risk raise restarted the review."
    )

    history = governed_history()

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "approver"],
                condition=Q(superseded_at__isnull=True),
                name="one_live_decision_per_approver",
            ),
            models.UniqueConstraint(
                fields=["request", "role"],
                condition=Q(superseded_at__isnull=True),
                name="one_live_decision_per_role",
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="decision_role_valid"),
            models.CheckConstraint(
                condition=Q(decision__in=Decision.values), name="decision_value_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.approver} {self.decision} as {self.role} on #{self.request_id}"


# Every decision on a request (superseded ones too) with its approver, oldest first: what
# the policy reads to know the filled roles, and what the API and the review page show.
ALL_DECISIONS = Prefetch(
    "decisions", queryset=ApprovalDecision.objects.select_related("approver").order_by("pk")
)
