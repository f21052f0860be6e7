import json
from typing import Any

from django.conf import settings
from django.db import models

from governance.models.approvals import ApprovalRequest
from governance.models.choices import AuditEventType
from governance.models.registered_models import RegisteredModel
from governance.models.versions import ModelVersion

GENESIS_HASH = "0" * 64
HEAD_ID = 1  # the single AuditChainHead row


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove an audit event."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Audit events are append-only; they cannot be updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events are append-only; they cannot be deleted.")


class AuditEvent(models.Model):
    """One lifecycle event in the append-only, hash-chained audit trail."""

    sequence = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField()
    event_type = models.CharField(max_length=64, choices=AuditEventType.choices, db_index=True)
    actor = models.CharField(max_length=150, help_text="Username, or system:<task>.")
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    model = models.ForeignKey(
        RegisteredModel, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.ForeignKey(
        ModelVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    request = models.ForeignKey(
        ApprovalRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Stored as the exact canonical JSON text that was hashed, so verification never
    # depends on how a database round-trips numbers or key order.
    details = models.TextField(default="{}")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["sequence"]
        indexes = [
            models.Index(fields=["model", "sequence"], name="audit_model_seq_idx"),
            models.Index(fields=["created_at"], name="audit_created_idx"),
            # The API's ?actor= filter, in chain order.
            models.Index(fields=["actor", "sequence"], name="audit_actor_seq_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.event_type} by {self.actor}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit events are append-only; they cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events are append-only; they cannot be deleted.")

    @property
    def details_data(self) -> dict:
        return json.loads(self.details)


class AuditChainHead(models.Model):
    """The single row every append locks, so concurrent writers never fork the chain."""

    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"head #{self.sequence} {self.hash[:12]}"
