"""From facts to checklists: which articles apply to a version, each item's state, each
article's status and the overall status and score (rules in governance/compliance/__init__)."""

from datetime import date
from sys import intern

from governance.compliance.annex_iv import ARTICLE_11
from governance.compliance.facts import VersionFacts
from governance.compliance.market import ARTICLE_26, ARTICLE_72, ARTICLE_73
from governance.compliance.operation import (
    ARTICLE_12,
    ARTICLE_13,
    ARTICLE_14,
    ARTICLE_15,
    ARTICLE_17,
)
from governance.compliance.risk_data import ARTICLE_6, ARTICLE_9, ARTICLE_10
from governance.compliance.states import (
    Article,
    ArticleResult,
    Checklist,
    Duty,
    ItemResult,
    Level,
    State,
    Status,
)
from governance.models import AnnexIIIPoint, OrganisationRole

ARTICLES = (
    ARTICLE_6,
    ARTICLE_9,
    ARTICLE_10,
    ARTICLE_11,
    ARTICLE_12,
    ARTICLE_13,
    ARTICLE_14,
    ARTICLE_15,
    ARTICLE_17,
    ARTICLE_26,
    ARTICLE_72,
    ARTICLE_73,
)
WEIGHT = {Level.MUST: 3, Level.SHOULD: 1}
CREDIT = {State.COMPLETE: 1.0, State.PARTIAL: 0.5, State.MISSING: 0.0}
SEVERITY = (Status.GREEN, Status.AMBER, Status.RED)
ROLE_DUTIES = {
    OrganisationRole.PROVIDER: {Duty.PROVIDER},
    OrganisationRole.DEPLOYER: {Duty.DEPLOYER},
    OrganisationRole.BOTH: {Duty.PROVIDER, Duty.DEPLOYER},
}


def not_applicable_because(article: Article, facts: VersionFacts) -> str:
    """Why an article does not apply to this version ("" when it does): Art. 6 applies to
    every system; the others to high-risk ones, by the organisation's role."""
    if article.duty == Duty.EVERYONE:
        return ""
    c = facts.classification
    if c is None:
        return "Applies to high-risk systems; the model is not classified yet (see Art. 6)."
    if not c.is_high_risk:
        return "Applies to high-risk systems; the classification says not high-risk (Art. 6)."
    if article.duty not in ROLE_DUTIES[c.organisation_role]:
        return f"A {article.duty}'s duty; the organisation is the {c.organisation_role}."
    return ""


def due_from(article: Article, facts: VersionFacts) -> date | None:
    """The high-risk duties apply from the regulatory dates of the system's route(s)
    (Annex III, Annex I), the earlier one if both."""
    c = facts.classification
    if article.duty == Duty.EVERYONE or c is None or not c.is_high_risk:
        return None
    routes = []
    if c.annex_iii_point != AnnexIIIPoint.NONE:
        routes.append("III")
    if c.annex_i_safety_component:
        routes.append("I")
    dates = [facts.high_risk_dates[route] for route in routes if route in facts.high_risk_dates]
    return min(dates, default=None)


def _titles(items: list[ItemResult]) -> str:
    return "; ".join(item.title for item in items)


def article_status(items: tuple[ItemResult, ...]) -> tuple[Status, str]:
    """RED: a MUST item missing; AMBER: a MUST partial, or a SHOULD not complete; GREEN."""
    applicable = [item for item in items if item.state != State.NOT_APPLICABLE]
    if not applicable:
        return Status.NOT_APPLICABLE, "No evidence item applies to this version."
    red = [i for i in applicable if i.level == Level.MUST and i.state == State.MISSING]
    if red:
        return Status.RED, f"Missing: {_titles(red)}."
    amber = [i for i in applicable if i.state != State.COMPLETE]
    if amber:
        return Status.AMBER, f"Not complete: {_titles(amber)}."
    return Status.GREEN, "Every evidence item is complete."


def _judge(article: Article, facts: VersionFacts) -> ArticleResult:
    reason = not_applicable_because(article, facts)
    if reason:
        return ArticleResult(article.number, article.title, Status.NOT_APPLICABLE, reason, ())
    items = []
    for item in article.items:
        found = item.check(facts)
        items.append(
            ItemResult(
                item.key,
                article.number,
                item.title,
                item.level,
                found.state,
                # Thousands of versions share these texts: one copy of each is kept.
                intern(found.looked_at),
                intern(found.reason),
            )
        )
    status, why = article_status(tuple(items))
    due = due_from(article, facts)
    return ArticleResult(article.number, article.title, status, why, tuple(items), due, facts.today)


def score(articles: list[ArticleResult]) -> int:
    """Percent of the applicable evidence weight present: MUST items weigh 3, SHOULD 1;
    complete counts fully, partial half, missing nothing; not-applicable items are left out."""
    items = [
        item
        for article in articles
        if article.applicable
        for item in article.items
        if item.state != State.NOT_APPLICABLE
    ]
    total = sum(WEIGHT[item.level] for item in items)
    earned = sum(WEIGHT[item.level] * CREDIT[item.state] for item in items)
    return round(100 * earned / total) if total else 100


def overall(articles: list[ArticleResult]) -> Status:
    """The worst status of the applicable articles."""
    statuses = [article.status for article in articles if article.applicable]
    return max(statuses, key=SEVERITY.index, default=Status.NOT_APPLICABLE)


def checklist_of(facts: VersionFacts) -> Checklist:
    articles = [_judge(article, facts) for article in ARTICLES]
    version, c = facts.version, facts.classification
    return Checklist(
        version_id=version.pk,
        model_id=version.model_id,
        model=version.model.name,
        version=version.version,
        stage=version.stage,
        high_risk=None if c is None else c.is_high_risk,
        organisation_role="" if c is None else c.organisation_role,
        articles=tuple(articles),
        status=overall(articles),
        score=score(articles),
        generated_at=facts.now,
    )
