"""Reads of the EU AI Act compliance checklist (governance.compliance): a version's
checklist page, the overview of the visible production versions (the dashboard's block),
and the production versions' statuses the inventory shows and filters on. Each answers
from governance.compliance.FACT_QUERIES queries plus its visibility lookups, whatever the
number of versions."""

from collections import Counter
from dataclasses import dataclass

from django.db.models import QuerySet

from governance.compliance import Checklist, Status, checklist_for, checklists_for
from governance.models import ModelVersion, RegisteredModel, Stage
from governance.selectors import User, version_get_for, versions_visible_to

OVERVIEW_LIMIT = 20  # red versions listed by name on the overview
SCORE_BANDS = ((100, "100%"), (80, "80–99%"), (50, "50–79%"), (0, "below 50%"))
STATUS_ORDER = (Status.RED, Status.AMBER, Status.GREEN, Status.NOT_APPLICABLE)


@dataclass(frozen=True)
class VersionCompliance:
    version: ModelVersion
    checklist: Checklist


@dataclass(frozen=True)
class ComplianceOverview:
    """The visible production versions by status and by score band, the worst first."""

    total: int
    statuses: list[tuple[str, int]]
    bands: list[tuple[str, int]]
    worst: list[Checklist]  # red ones first, lowest score first, at most OVERVIEW_LIMIT


def version_compliance_for(*, user: User, name: str, version: str) -> VersionCompliance:
    """404 unless the person may see the version."""
    found = version_get_for(user=user, name=name, version=version)
    return VersionCompliance(found, checklist_for(found.pk))


def _band(score: int) -> str:
    return next(label for floor, label in SCORE_BANDS if score >= floor)


def compliance_overview_for(*, user: User) -> ComplianceOverview:
    live = versions_visible_to(user).filter(stage=Stage.PRODUCTION)
    checklists = checklists_for(live.order_by("model__name"))
    statuses = Counter(checklist.status for checklist in checklists)
    bands = Counter(_band(checklist.score) for checklist in checklists)
    not_green = [c for c in checklists if c.status in (Status.RED, Status.AMBER)]
    not_green.sort(key=lambda c: (STATUS_ORDER.index(c.status), c.score, c.model))
    return ComplianceOverview(
        total=len(checklists),
        statuses=[(status, statuses[status]) for status in STATUS_ORDER],
        bands=[(label, bands[label]) for _, label in SCORE_BANDS],
        worst=not_green[:OVERVIEW_LIMIT],
    )


def _by_model(versions: QuerySet[ModelVersion]) -> dict[int, Checklist]:
    return {checklist.model_id: checklist for checklist in checklists_for(versions.order_by())}


def production_compliance(models: QuerySet[RegisteredModel]) -> dict[int, Checklist]:
    """Model id -> the checklist of its production version, for these models (a filtered
    queryset, used as a subquery) that have one."""
    ids = models.order_by().values("pk")
    return _by_model(ModelVersion.objects.filter(stage=Stage.PRODUCTION, model__in=ids))


def compliance_of_versions(version_ids: list[int]) -> dict[int, Checklist]:
    """Model id -> checklist, for these versions (one per model: the inventory's page)."""
    return _by_model(ModelVersion.objects.filter(pk__in=version_ids)) if version_ids else {}
