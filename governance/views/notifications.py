"""The dashboard's notifications: a person marks their unread ones as read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from governance.services.notifications import notifications_mark_read


@login_required
@require_POST
def notification_read(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_read(actor=request.user)
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} as read.")
    return redirect("governance:dashboard")
