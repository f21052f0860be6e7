"""The EU AI Act compliance checklist of model versions (issue 6; EU-AI-ACT.md sections 3
and 5). Computed on demand from the records Tutela already holds, never stored, never
from a self-declared checkbox. Product guidance, not legal advice.

Articles: 6 (every system); 9, 10, 11 (one item per Annex IV item), 12, 13, 14, 15, 17, 72,
73 (high-risk providers); 26 (high-risk deployers, with Art. 27). Which apply comes from the
model's classification: its `is_high_risk` and `organisation_role` (provider, deployer,
both). Articles that do not apply are "not applicable" with the reason, never red.

Evidence items (one table per article group: risk_data, annex_iv, operation, market) each
have a level, MUST or SHOULD, and a check that looks at concrete records and says what it
looked at and why the item is:
- complete: present and, for card evidence, on a card a person approved as it is now (a
  live approving decision on the current card hash);
- partial: present but a draft (card not approved since its last change), incomplete,
  stale (review overdue, observations older than 31 days), or only part of what the
  article asks is in Tutela;
- missing: absent, or a hard breach (an open serious incident past its reporting deadline);
- not applicable: with the reason (not in service yet, no exemption claimed, ...).

Article status: RED if a MUST item is missing; AMBER if a MUST item is partial or a SHOULD
item is not complete; GREEN when every item is complete. The version's status is the worst
of its applicable articles. Score: the percentage of the applicable evidence weight
present, MUST items weighing 3 and SHOULD items 1, a complete item counting fully, a
partial one half, a missing one nothing. Before the high-risk duties apply (the regulatory
dates table: Annex III, Annex I), a red article says "not yet due".

    checklists_for(queryset) -> list[Checklist]   # FACT_QUERIES queries, whatever its size
    checklist_for(version_id) -> Checklist
"""

from django.db.models import QuerySet

from governance.compliance.checklist import ARTICLES, checklist_of
from governance.compliance.facts import FACT_QUERIES, load_facts
from governance.compliance.states import (
    ArticleResult,
    Checklist,
    ItemResult,
    Level,
    State,
    Status,
)
from governance.models import ModelVersion

DISCLAIMER = "This is product guidance, not legal advice."

__all__ = [
    "ARTICLES",
    "DISCLAIMER",
    "FACT_QUERIES",
    "ArticleResult",
    "Checklist",
    "ItemResult",
    "Level",
    "State",
    "Status",
    "checklist_for",
    "checklists_for",
]


def checklists_for(versions: QuerySet[ModelVersion]) -> list[Checklist]:
    """The checklist of every version of the queryset, in its order, from FACT_QUERIES
    queries whatever the number of versions."""
    return [checklist_of(facts) for facts in load_facts(versions)]


def checklist_for(version_id: int) -> Checklist:
    """One version's checklist: the same loader with one id."""
    found = checklists_for(ModelVersion.objects.filter(pk=version_id))
    if not found:
        raise ModelVersion.DoesNotExist(f"No version with id {version_id}.")
    return found[0]
