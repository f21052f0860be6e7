"""The words of the checklist: an evidence item's state, its level, an article's status, and
the results the checks return. Plain values, no database (choices for their labels)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.db.models import TextChoices

if TYPE_CHECKING:
    from governance.compliance.facts import VersionFacts


class State(TextChoices):
    """complete: present, and signed off on the card as it is now where it is card evidence;
    partial: present but a draft, stale, incomplete or from an earlier card; missing."""

    COMPLETE = "complete", "complete"
    PARTIAL = "partial", "partial"
    MISSING = "missing", "missing"
    NOT_APPLICABLE = "not_applicable", "not applicable"


class Level(TextChoices):
    """EU-AI-ACT.md section 5: what the article requires (MUST) or what good practice adds."""

    MUST = "must", "MUST"
    SHOULD = "should", "SHOULD"


class Status(TextChoices):
    GREEN = "green", "green"
    AMBER = "amber", "amber"
    RED = "red", "red"
    NOT_APPLICABLE = "not_applicable", "not applicable"


class Duty(TextChoices):
    """Whose duty an article is: everyone's (Art. 6), a provider's or a deployer's."""

    EVERYONE = "everyone"
    PROVIDER = "provider"
    DEPLOYER = "deployer"


@dataclass(frozen=True, slots=True)
class Finding:
    """What one check found: its state, what it looked at, and why (what is there, or what
    is partial or missing)."""

    state: State
    looked_at: str
    reason: str


def complete(looked_at: str, reason: str) -> Finding:
    return Finding(State.COMPLETE, looked_at, reason)


def partial(looked_at: str, reason: str) -> Finding:
    return Finding(State.PARTIAL, looked_at, reason)


def missing(looked_at: str, reason: str) -> Finding:
    return Finding(State.MISSING, looked_at, reason)


def not_applicable(looked_at: str, reason: str) -> Finding:
    return Finding(State.NOT_APPLICABLE, looked_at, reason)


Check = Callable[["VersionFacts"], Finding]


@dataclass(frozen=True)
class EvidenceItem:
    """One row of the evidence table: a stable key (the production gate and the tests name
    items by it), the article, what it is, its level, and the check that decides its state."""

    key: str
    title: str
    level: Level
    check: Check


@dataclass(frozen=True)
class Article:
    number: str  # "6", "9", ... as cited
    title: str
    duty: Duty
    items: tuple[EvidenceItem, ...]


@dataclass(frozen=True, slots=True)
class ItemResult:
    key: str
    article: str
    title: str
    level: Level
    state: State
    looked_at: str
    reason: str

    @property
    def label(self) -> str:
        """How the production gate names it in its list of what is missing."""
        return f"Art. {self.article}: {self.title}"


@dataclass(frozen=True, slots=True)
class ArticleResult:
    number: str
    title: str
    status: Status
    reason: str
    items: tuple[ItemResult, ...]
    due_from: date | None = None  # when its duties apply (regulatory dates), if known
    today: date | None = None

    @property
    def applicable(self) -> bool:
        return self.status != Status.NOT_APPLICABLE

    @property
    def not_yet_due(self) -> bool:
        """EU-AI-ACT.md section 5: before the duties apply, red shows as "not yet due"."""
        return (
            self.status == Status.RED
            and self.due_from is not None
            and self.today is not None
            and self.today < self.due_from
        )


@dataclass(frozen=True)
class Checklist:
    """The checklist of one version: its articles, overall status and score."""

    version_id: int
    model_id: int
    model: str
    version: str
    stage: str
    high_risk: bool | None  # None: the model is not classified yet
    organisation_role: str  # "" when not classified
    articles: tuple[ArticleResult, ...]
    status: Status
    score: int  # percent, see governance.compliance (MUST weight 3, SHOULD 1)
    generated_at: datetime

    @property
    def items(self) -> list[ItemResult]:
        return [item for article in self.articles for item in article.items]

    def item(self, key: str) -> ItemResult:
        return next(item for item in self.items if item.key == key)

    def article(self, number: str) -> ArticleResult:
        return next(article for article in self.articles if article.number == number)

    @property
    def applicable_articles(self) -> list[ArticleResult]:
        return [article for article in self.articles if article.applicable]

    @property
    def not_applicable_articles(self) -> list[ArticleResult]:
        return [article for article in self.articles if not article.applicable]

    @property
    def missing_items(self) -> list[ItemResult]:
        return [
            item
            for article in self.applicable_articles
            for item in article.items
            if item.state == State.MISSING
        ]
