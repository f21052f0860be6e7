"""The inventory (/models/): every visible model, filtered, sorted and paginated."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from governance.compliance import Status
from governance.models import RiskLevel, Stage
from governance.selectors.inventory import (
    InventoryFilters,
    inventory_page_for,
    sort_key,
    teams_visible_to,
)

SEARCH_MAX_LENGTH = 100
COMPLIANCE_STATUSES = (Status.RED, Status.AMBER, Status.GREEN)  # of a production version
SORT_COLUMNS = (
    ("name", "Model"),
    ("team", "Team"),
    ("risk", "Risk"),
    ("production", "Production version"),
    ("age", "Age since training"),
)


def parse_filters(params: QueryDict, team_slugs: set[str]) -> InventoryFilters:
    """Unknown values are ignored (the filter is off), never an error."""
    key, descending = sort_key(params.get("sort", ""))
    return InventoryFilters(
        team=params.get("team", "") if params.get("team") in team_slugs else "",
        stage=params.get("stage", "") if params.get("stage") in Stage.values else "",
        risk=params.get("risk", "") if params.get("risk") in RiskLevel.values else "",
        open_alerts=params.get("alerts") == "1",
        # PostgreSQL refuses NUL characters in text parameters.
        q=params.get("q", "").replace("\x00", "").strip()[:SEARCH_MAX_LENGTH],
        sort=f"-{key}" if descending else key,
        compliance=params.get("compliance", "")
        if params.get("compliance") in COMPLIANCE_STATUSES
        else "",
    )


def sort_columns(sort: str) -> list[dict]:
    """Header links: a click sorts by the column, a second click reverses the direction."""
    current, descending = sort_key(sort)
    columns = []
    for key, label in SORT_COLUMNS:
        active = key == current
        columns.append(
            {
                "key": key,
                "label": label,
                "active": active,
                "descending": active and descending,
                "next": f"-{key}" if active and not descending else key,
            }
        )
    return columns


@login_required
@require_GET
def model_list(request: HttpRequest) -> HttpResponse:
    teams = list(teams_visible_to(request.user).values_list("slug", "name"))
    filters = parse_filters(request.GET, {slug for slug, _ in teams})
    page = inventory_page_for(user=request.user, filters=filters, page=request.GET.get("page"))
    context = {
        "nav": "models",
        "page": page,
        "filters": filters,
        "teams": teams,
        "stages": Stage.values,
        "risks": RiskLevel.values,
        "compliance_statuses": [status.value for status in COMPLIANCE_STATUSES],
        "columns": sort_columns(filters.sort),
    }
    return render(request, "governance/inventory/list.html", context)
