from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from governance.admin.actions import confirmed_action
from governance.admin.base import HistoryAdminMixin, ReadOnlyAdminMixin, ViewOnlyMixin
from governance.models import ApprovalDecision, ApprovalRequest, Role
from governance.services.approvals import approval_decide, approval_revoke

NOTES_HELP = "Kept in the audit trail; required when rejecting."


class ApproveForm(forms.Form):
    notes = forms.CharField(widget=forms.Textarea, required=False, help_text=NOTES_HELP)
    role = forms.ChoiceField(
        choices=[("", "The missing role I hold")] + Role.choices,
        required=False,
        help_text="Only needed when you hold several of the roles the request still needs.",
    )


class RejectForm(forms.Form):
    notes = forms.CharField(widget=forms.Textarea, required=False, help_text=NOTES_HELP)


class RevokeForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea,
        required=False,
        help_text="Why the approval is withdrawn; a version in production leaves it.",
    )


@confirmed_action(form=ApproveForm, description="Approve…", done="Approved")
def approve(request: HttpRequest, approval: ApprovalRequest, data: dict) -> None:
    approval_decide(
        actor=request.user,
        request_id=approval.pk,
        approve=True,
        note=data["notes"],
        role=data["role"] or None,
    )


@confirmed_action(form=RejectForm, description="Reject…", done="Rejected")
def reject(request: HttpRequest, approval: ApprovalRequest, data: dict) -> None:
    approval_decide(actor=request.user, request_id=approval.pk, approve=False, note=data["notes"])


@confirmed_action(form=RevokeForm, description="Revoke approval…", done="Revoked")
def revoke(request: HttpRequest, approval: ApprovalRequest, data: dict) -> None:
    approval_revoke(actor=request.user, request_id=approval.pk, reason=data["reason"])


class DecisionInline(ViewOnlyMixin, admin.TabularInline):
    model = ApprovalDecision
    fields = ("approver", "role", "decision", "notes", "created_at", "superseded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("approver")


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(ReadOnlyAdminMixin, HistoryAdminMixin, SimpleHistoryAdmin):
    """Requests are made from the version list (Request promotion…) and decided here with
    the Approve / Reject / Revoke actions; the request itself is never edited."""

    actions = [approve, reject, revoke]
    inlines = [DecisionInline]
    list_display = (
        "id",
        "version",
        "target_stage",
        "status",
        "roles",
        "requester",
        "created_at",
        "decided_at",
    )
    list_display_links = ("id", "version")
    list_filter = (
        "status",
        "target_stage",
        "version__model__risk_level",
        "version__model__team",
    )
    list_select_related = ("version__model", "requester")
    search_fields = ("version__model__name", "version__version", "requester__username")
    date_hierarchy = "created_at"
    history_list_display = ("status",)

    @admin.display(description="required roles")
    def roles(self, approval: ApprovalRequest) -> str:
        return ", ".join(approval.required_roles)


@admin.register(ApprovalDecision)
class ApprovalDecisionAdmin(ReadOnlyAdminMixin, HistoryAdminMixin, SimpleHistoryAdmin):
    """Decisions are written only by approval_decide; superseded ones are kept on record."""

    list_display = ("request", "approver", "role", "decision", "created_at", "superseded_at")
    list_filter = ("decision", "role", ("superseded_at", admin.EmptyFieldListFilter))
    list_select_related = ("request__version__model", "approver")
    search_fields = ("request__version__model__name", "approver__username", "notes")
    date_hierarchy = "created_at"
