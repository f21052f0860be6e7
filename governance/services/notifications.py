"""Telling people about alerts: an in-app notification per person and alert key, and one
e-mail per person and batch, sent once the transaction commits."""

from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from governance.actors import Actor
from governance.models import Notification, RetirementAlert, Role
from governance.selectors.retirement import Recipient, alert_recipients


@dataclass(frozen=True)
class Notice:
    """Something to tell the people of an alert's model; key decides what counts as new."""

    alert: RetirementAlert
    key: str
    message: str


def notify(notices: list[Notice], *, roles: frozenset[Role]) -> list[Notification]:
    """Notify each notice's model owner and the people holding one of roles on its team or
    model. A (person, alert, key) already notified is skipped, so an unchanged alert never
    notifies, or mails, anyone twice. Four queries, whatever the number of notices."""
    if not notices:
        return []
    models = {notice.alert.version.model_id: notice.alert.version.model for notice in notices}
    recipients = alert_recipients(list(models.values()), roles)
    done = set(
        Notification.objects.filter(
            alert__in=[notice.alert for notice in notices],
            key__in={notice.key for notice in notices},
        ).values_list("recipient_id", "alert_id", "key")
    )
    rows, emails = [], {}
    for notice in notices:
        model = notice.alert.version.model
        link = reverse("governance:model-detail", args=[model.name])
        for person in recipients[model.pk]:
            if (person.user_id, notice.alert.pk, notice.key) in done:
                continue
            done.add((person.user_id, notice.alert.pk, notice.key))
            rows.append(_row(person, notice, link))
            if person.email:
                emails.setdefault(person.email, []).append((notice.message, link))
    Notification.objects.bulk_create(rows)
    email_on_commit(emails)
    return rows


def _row(person: Recipient, notice: Notice, link: str) -> Notification:
    return Notification(
        recipient_id=person.user_id,
        alert=notice.alert,
        key=notice.key,
        message=notice.message,
        link=link,
    )


def email_on_commit(
    emails: dict[str, list[tuple[str, str]]], *, many: str = "retirement alerts"
) -> None:
    """Address -> (message, link) items: one e-mail per person once the transaction commits,
    titled by its message, or "N <many>" for several (also the incident reminders')."""
    if emails:
        transaction.on_commit(partial(_send, emails, many))


def _send(emails: dict[str, list[tuple[str, str]]], many: str) -> None:
    """One message per person, over one connection."""
    base = settings.TUTELA_BASE_URL.rstrip("/")
    messages = []
    for address, items in emails.items():
        subject = items[0][0] if len(items) == 1 else f"{len(items)} {many}"
        body = "\n\n".join(f"{message}\n{base}{link}" for message, link in items)
        messages.append(
            EmailMessage(f"Tutela: {subject[:150]}", body, settings.DEFAULT_FROM_EMAIL, [address])
        )
    get_connection().send_messages(messages)


def notifications_mark_read(*, actor: Actor, notification_ids: list[int] | None = None) -> int:
    """A person marks their own unread notifications (all, or these) as read."""
    unread = Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    # Notifications are not governed records (no history, no audit event): a plain update.
    return unread.update(read_at=timezone.now())
