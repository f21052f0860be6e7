"""Everybody's API tokens, for the people who may manage other people's tokens (superusers and
global governance admins): list and search them, issue one for a person or a service account,
revoke leaked ones. Rows are never added, edited or deleted here; the token services do it."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone

from governance import policies
from governance.admin.actions import service_action
from governance.admin.base import ReadOnlyAdminMixin
from governance.forms.tokens import IssueTokenForm
from governance.models import ApiToken
from governance.services.api_tokens import api_token_create, api_token_revoke
from governance.views.outcomes import attempt


@service_action(description="Revoke selected tokens", done="Revoked")
def revoke_tokens(request: HttpRequest, token: ApiToken, data: dict) -> None:
    api_token_revoke(actor=request.user, token_id=token.pk)


class TokenStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("active", "active"), ("expired", "expired"), ("revoked", "revoked")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        now = timezone.now()
        if self.value() == "active":
            return queryset.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now)).filter(
                revoked_at__isnull=True
            )
        if self.value() == "expired":
            return queryset.filter(expires_at__lte=now, revoked_at__isnull=True)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Issued with “Issue a token…” (api_token_create), revoked with the action."""

    actions = [revoke_tokens]
    list_display = (
        "name",
        "user",
        "hint_shown",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = (TokenStatusFilter, "created_at")
    list_select_related = ("user",)
    search_fields = ("name", "hint", "user__username", "user__email")
    date_hierarchy = "created_at"
    # The digest stays out of sight: it identifies the secret, and nobody needs to read it.
    fields = (
        "user",
        "name",
        "hint_shown",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    readonly_fields = fields
    change_list_template = "governance/tokens/admin_change_list.html"

    @admin.display(description="token", ordering="hint")
    def hint_shown(self, token: ApiToken) -> str:
        return f"{token.hint}…"

    def has_view_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        # Not a group permission: the page lists everybody's tokens, so it opens exactly for
        # those the token policy lets manage other people's tokens (None: someone else's).
        return policies.can(policies.require_can_manage_token, request.user, None)

    def get_urls(self) -> list[URLPattern]:
        issue = path(
            "issue/",
            self.admin_site.admin_view(self.issue_view),
            name="governance_apitoken_issue",
        )
        return [issue, *super().get_urls()]

    def issue_view(self, request: HttpRequest) -> TemplateResponse:
        """Issue a token for someone; the secret is shown on the answer page, once."""
        if not self.has_view_permission(request):
            raise PermissionDenied("Only governance admins issue tokens for other people.")
        form = IssueTokenForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            outcome = attempt(
                lambda: api_token_create(
                    actor=request.user,
                    user_id=form.cleaned_data["user"].pk,
                    name=form.cleaned_data["name"],
                    expires_at=form.expires_at(),
                )
            )
            if outcome.ok:
                token, secret = outcome.value
                context = {"token": token, "secret": secret, "title": "Token issued"}
                return self._render(request, "admin_issued.html", context)
            form.add_service_errors(outcome.errors or {"__all__": [outcome.message]})
        context = {"form": form, "title": "Issue an API token"}
        status = 400 if form.errors else 200
        return self._render(request, "admin_issue.html", context, status=status)

    def _render(
        self, request: HttpRequest, name: str, context: dict, status: int = 200
    ) -> TemplateResponse:
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, **context}
        return TemplateResponse(request, f"governance/tokens/{name}", context, status=status)
