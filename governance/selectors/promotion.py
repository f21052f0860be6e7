"""What the promotion request page shows: the next stage, the roles the policy will
require, what the card lacks, and why a request cannot be made now."""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser

from governance import policies
from governance.cards import CARD_FIELDS
from governance.exceptions import REFUSALS, refusal_message
from governance.models import (
    OPEN_APPROVAL_STATUSES,
    ApprovalRequest,
    ModelVersion,
    Role,
    Stage,
)


@dataclass(frozen=True)
class PromotionPage:
    target: Stage | None
    refusal: str = ""  # why no request can be made now; empty when one can
    rollback: bool = False
    checks_card: bool = False  # the target needs a complete card
    required_roles: list[str] = field(default_factory=list)  # role labels, in Role order
    # (what, card editor anchor); no anchor: EU AI Act evidence, shown on the checklist page
    missing: list[tuple[str, str]] = field(default_factory=list)
    grace_period_ends: datetime | None = None
    open_request: ApprovalRequest | None = None

    @property
    def can_submit(self) -> bool:
        return self.target is not None and not self.refusal and self.open_request is None


def _anchor(what: str) -> str:
    field_name = what.split(" or ")[0]
    return field_name if field_name in CARD_FIELDS else ""


def _refusal(user: AbstractBaseUser, version: ModelVersion, target: Stage) -> str:
    try:
        policies.require_can_request(user, version, target)
    except REFUSALS as error:
        return refusal_message(error)
    return ""


def promotion_page_for(*, user: AbstractBaseUser, version: ModelVersion) -> PromotionPage:
    target = policies.promotion_target(version)
    if target is None:
        return PromotionPage(
            target=None,
            refusal=(
                f"{version} is {version.stage}: nothing can be requested from this stage. "
                "Versions are requested for staging from development, for production from "
                "staging, and back to production (a rollback) while deprecated within the "
                "grace period."
            ),
        )
    roles = policies.required_roles(version, target)
    rollback = policies.is_rollback(version, target)
    return PromotionPage(
        target=target,
        refusal=_refusal(user, version, target),
        rollback=rollback,
        checks_card=policies.needs_complete_card(target),
        required_roles=[role.label for role in Role if role in roles],
        missing=[
            (what, _anchor(what)) for what in policies.card_fields_missing_for(version, target)
        ],
        grace_period_ends=policies.grace_period_ends(version) if rollback else None,
        open_request=ApprovalRequest.objects.filter(
            version=version, target_stage=target, status__in=OPEN_APPROVAL_STATUSES
        ).first(),
    )
