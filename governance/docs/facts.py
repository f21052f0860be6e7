"""Facts for the documents, each from one kind of record and naming where it comes from:
card fields, approvals, the classification, retirement rules, monitoring, incidents."""

from collections.abc import Sequence
from dataclasses import dataclass

from governance import retirement_rules
from governance.docs.document import Fact, Item, item, moment, plain, table
from governance.docs.evidence import Evidence
from governance.models import ApprovalDecision, ModelVersion, RiskClassification

EMPTY = ("", None, [], {})
FREE_TEXT = {"intended_use", "training_data_description"}  # as templatetags.tutela shows it


def card_source(version: ModelVersion, field: str) -> str:
    return f"card field {field}, card revision {version.card_revision}"


def card_fact(version: ModelVersion, field: str, label: str) -> Fact | None:
    """A card field as a fact, or None when it is empty (the caller names it as missing).
    Free text is Markdown (rendered sanitized), per-group metrics a group/metric table."""
    value = getattr(version, field)
    if value in EMPTY:
        return None
    source = card_source(version, field)
    if field == "performance_by_group":
        rows = [
            (group, metric, number)
            for group, values in value.items()
            for metric, number in (values.items() if isinstance(values, dict) else [("", values)])
        ]
        return Fact(label, table(("group", "metric", "value"), rows), source)
    if isinstance(value, list):
        return Fact(label, tuple(plain(item) for item in value), source)
    if isinstance(value, dict):
        return Fact(label, table(("name", "value"), value.items()), source)
    return Fact(label, plain(value), source, markdown=field in FREE_TEXT)


@dataclass(frozen=True)
class CardItem:
    """An Annex IV item answered by card fields alone; the required ones left empty are
    its gap."""

    key: str
    ref: str
    title: str
    fields: tuple[tuple[str, str], ...]  # (card field, label), in the order shown
    required: tuple[str, ...]

    def build(self, version: ModelVersion) -> Item:
        facts = [card_fact(version, field, label) for field, label in self.fields]
        return item(self.key, self.ref, self.title, facts, [needs(version, *self.required)])


def needs(version: ModelVersion, *fields: str) -> str | None:
    """What would fill the gap: the empty card fields among these, or None if all are set."""
    empty = [field for field in fields if getattr(version, field) in EMPTY]
    if not empty:
        return None
    noun = "card field" if len(empty) == 1 else "card fields"
    return f"the {noun} {', '.join(empty)} (card editor or PATCH /api/v1/.../versions/...)"


def fairness_facts(version: ModelVersion) -> list[Fact]:
    assessment = version.fairness_assessment or {}
    source = card_source(version, "fairness_assessment")
    facts = []
    if assessment.get("method"):
        facts.append(Fact("Fairness method", plain(assessment["method"]), source))
    if assessment.get("groups"):
        facts.append(Fact("Groups examined", tuple(map(plain, assessment["groups"])), source))
    if assessment.get("results"):
        results = table(("metric", "value"), assessment["results"].items())
        facts.append(Fact("Fairness results", results, source))
    if assessment.get("summary"):
        facts.append(Fact("Fairness summary", plain(assessment["summary"]), source, markdown=True))
    return facts


def criteria_lines(version: ModelVersion) -> tuple[str, ...]:
    """The retirement rules in force (an empty field means the defaults)."""
    criteria = retirement_rules.criteria_of(version.retirement_criteria)
    lines = []
    if criteria.max_age_days is not None:
        lines.append(f"Retire when older than {criteria.max_age_days} days since training")
    lines += [
        f"Retire when {floor.metric} stays below {floor.min:g} for {floor.days} days"
        for floor in criteria.floors
    ]
    if criteria.drift_ceiling is not None:
        lines.append(f"Retire when drift_score rises above {criteria.drift_ceiling:g}")
    if criteria.retire_on_replacement:
        lines.append("Retire when a newer version serves production")
    return tuple(lines)


def criteria_fact(evidence: Evidence) -> Fact | None:
    version, model = evidence.version, evidence.model
    lines = criteria_lines(version)
    if not lines:
        return None
    action = "deprecates the version" if model.auto_deprecate else "raises an alert"
    note = f"A firing rule {action}; rollback stays possible for {model.grace_period_days} days"
    return Fact("Retirement criteria", (*lines, note), card_source(version, "retirement_criteria"))


def approvals_fact(decisions: Sequence[ApprovalDecision]) -> Fact | None:
    """Dated, attributed sign-offs: who approved which card (hash) in which role, when."""
    if not decisions:
        return None
    rows = [
        (
            f"#{d.request_id}",
            d.approver.get_username(),
            d.role,
            moment(d.created_at),
            d.card_hash[:12],
            d.notes,
        )
        for d in decisions
    ]
    columns = ("request", "approved by", "role", "at", "card hash", "notes")
    return Fact("Approvals", table(columns, rows), "approval decisions (Tutela review workflow)")


def review_fact(version: ModelVersion) -> Fact:
    schedule = f"Reviewed {version.review_schedule}"
    if version.last_reviewed_at:
        schedule += f"; last review {moment(version.last_reviewed_at)}"
    if version.next_review_at:
        schedule += f"; next due {moment(version.next_review_at)}"
    return Fact("Review schedule", schedule, card_source(version, "review_schedule"))


def classification_source(classification: RiskClassification) -> str:
    who = classification.confirmed_by.get_username()
    return f"risk classification confirmed by {who} on {moment(classification.confirmed_at)}"


def classification_facts(classification: RiskClassification) -> list[Fact]:
    c, source = classification, classification_source(classification)
    exemption = c.get_art6_3_exemption_display()
    if c.exemption_reasoning:
        exemption += f": {c.exemption_reasoning}"
    answers = (
        f"Organisation's role: {c.get_organisation_role_display()}",
        f"Proposed risk level: {c.proposed_risk_level}",
        f"High-risk under Art. 6: {'yes' if c.is_high_risk else 'no'}",
        f"Annex III: {c.get_annex_iii_point_display()}",
        f"Safety component under Annex I: {'yes' if c.annex_i_safety_component else 'no'}",
        f"Profiles natural persons: {'yes' if c.profiles_natural_persons else 'no'}",
        f"Art. 6(3) exemption: {exemption}",
        f"General-purpose AI model: {'yes' if c.general_purpose_ai else 'no'}",
    )
    reasons = tuple(plain(reason) for reason in c.proposal_reasons or [])
    facts = [Fact("Classification", answers, source)]
    if reasons:
        facts.append(Fact("Why", reasons, source))
    return facts
