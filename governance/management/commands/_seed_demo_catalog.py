"""What the demo contains: two teams, nine models covering every stage and risk level, and
the model cards of their versions. Data only; _seed_demo_story.py plays it through the
services."""

import datetime
import hashlib
from dataclasses import dataclass, field

from governance.models import ApprovalStatus, ReviewSchedule, RiskLevel, Stage


@dataclass(frozen=True)
class TeamSpec:
    slug: str
    name: str
    description: str
    lead: str  # username of the team's lead, who holds ml_lead on this team only


@dataclass(frozen=True)
class OpenRequest:
    """A request left open for the demo: pending, or in_review after some approvals."""

    target: Stage
    status: ApprovalStatus


@dataclass(frozen=True)
class VersionSpec:
    version: str
    stage: Stage
    trained_days_ago: int
    accuracy: float
    deployed: bool = False  # reported serving production traffic once it reached its stage
    open_request: OpenRequest | None = None
    draft_card: bool = False  # an early card: purpose only, the rest still to write
    abandoned: bool = False  # retired straight from development, never served
    drifting: bool = False  # its monitoring shows drift and an accuracy drop in the last week


@dataclass(frozen=True)
class ModelSpec:
    name: str
    team: str
    risk: RiskLevel
    description: str
    intended_use: str
    primary_users: tuple[str, ...]
    out_of_scope_uses: tuple[str, ...]
    data: str
    limitations: tuple[str, ...]
    groups: tuple[str, ...]
    versions: tuple[VersionSpec, ...]
    ethics: tuple[str, ...] = field(default=())


TEAMS = (
    TeamSpec(
        "customer-analytics",
        "Customer Analytics",
        "Churn, lifetime value and recommendation models for retail customers.",
        "analytics-lead",
    ),
    TeamSpec(
        "fraud-risk",
        "Fraud & Credit Risk",
        "Transaction fraud, credit and anti-money-laundering models.",
        "fraud-lead",
    ),
)

CHURN = "customer-churn-predictor"
V = VersionSpec
PENDING_PRODUCTION = OpenRequest(Stage.PRODUCTION, ApprovalStatus.PENDING)
REVIEWED_PRODUCTION = OpenRequest(Stage.PRODUCTION, ApprovalStatus.IN_REVIEW)

MODELS = (
    ModelSpec(
        name=CHURN,
        team="customer-analytics",
        risk=RiskLevel.HIGH,
        description="Monthly churn risk of retail customers, used to target retention offers.",
        intended_use="Rank active retail customers by their risk of cancelling within 30 days "
        "so the retention team can prioritise outreach.",
        primary_users=("Retention team", "CRM campaign managers"),
        out_of_scope_uses=("Credit or pricing decisions", "Decisions about employees"),
        data="Twelve months of anonymised account activity, support tickets and billing events "
        "of 2.1 million retail customers.",
        limitations=("Less accurate for customers younger than three months",),
        groups=("age<30", "age30-60", "age>60"),
        ethics=("Offers must not differ by age or postcode beyond the measured churn risk",),
        versions=(
            V("2.3.0", Stage.DEPRECATED, 150, 0.905, deployed=True),
            V("2.4.1", Stage.PRODUCTION, 40, 0.921, deployed=True),
        ),
    ),
    ModelSpec(
        name="product-recommender",
        team="customer-analytics",
        risk=RiskLevel.LOW,
        description="Next-best-product suggestions on the web shop.",
        intended_use="Suggest up to five products on product pages and in the basket.",
        primary_users=("Web shop",),
        out_of_scope_uses=("E-mail marketing to minors",),
        data="Six months of anonymised sessions and orders from the web shop.",
        limitations=("Cold start: new products get no suggestions for their first week",),
        groups=("new-visitors", "returning-visitors"),
        versions=(
            V("1.2.0", Stage.PRODUCTION, 70, 0.934, deployed=True),
            V("1.3.0", Stage.STAGING, 12, 0.941, open_request=PENDING_PRODUCTION),
        ),
    ),
    ModelSpec(
        name="customer-lifetime-value",
        team="customer-analytics",
        risk=RiskLevel.MEDIUM,
        description="Expected 24-month revenue per customer for budget planning.",
        intended_use="Estimate 24-month revenue per customer segment for marketing budgets.",
        primary_users=("Finance", "Marketing analytics"),
        out_of_scope_uses=("Individual credit limits",),
        data="Five years of order history aggregated per customer.",
        limitations=("Assumes prices stay within 10% of the training period",),
        groups=("b2c", "b2b"),
        versions=(
            V("0.9.0", Stage.PRODUCTION, 120, 0.902, deployed=True),
            V("1.0.0", Stage.STAGING, 20, 0.915, open_request=REVIEWED_PRODUCTION),
        ),
    ),
    ModelSpec(
        name="marketing-uplift",
        team="customer-analytics",
        risk=RiskLevel.LOW,
        description="Which customers react to a campaign at all (uplift model).",
        intended_use="Choose the customers for whom a campaign changes the purchase decision.",
        primary_users=("CRM campaign managers",),
        out_of_scope_uses=("Pricing",),
        data="Results of 40 randomised campaigns with control groups.",
        limitations=("Only validated on e-mail campaigns",),
        groups=("email", "app"),
        versions=(
            V("0.1.0", Stage.RETIRED, 200, 0.81, abandoned=True),
            V(
                "0.2.0",
                Stage.DEVELOPMENT,
                5,
                0.86,
                open_request=OpenRequest(Stage.STAGING, ApprovalStatus.PENDING),
            ),
        ),
    ),
    ModelSpec(
        name="support-ticket-router",
        team="customer-analytics",
        risk=RiskLevel.MEDIUM,
        description="Routes incoming support tickets to the right queue.",
        intended_use="Assign incoming support tickets to one of twelve queues.",
        primary_users=("Customer support",),
        out_of_scope_uses=("Prioritising customers by value",),
        data="400,000 labelled support tickets in four languages.",
        limitations=("Tickets in languages other than EN, DE, FR and NL go to triage",),
        groups=("en", "de", "fr", "nl"),
        versions=(
            V("1.0.0", Stage.RETIRED, 300, 0.88, deployed=True),
            V("2.0.0", Stage.PRODUCTION, 60, 0.927, deployed=True),
        ),
    ),
    ModelSpec(
        name="fraud-transaction-scorer",
        team="fraud-risk",
        risk=RiskLevel.CRITICAL,
        description="Real-time fraud score for card transactions.",
        intended_use="Score card transactions in real time; scores above 0.9 are held for review.",
        primary_users=("Payments platform", "Fraud analysts"),
        out_of_scope_uses=("Blocking accounts without human review",),
        data="18 months of card transactions with confirmed fraud labels.",
        limitations=("New merchant categories are scored conservatively",),
        groups=("domestic", "cross-border", "card-not-present"),
        ethics=("Holds must be reviewed by a person within one hour",),
        versions=(
            V("3.1.0", Stage.PRODUCTION, 80, 0.944, deployed=True, drifting=True),
            V("3.2.0", Stage.STAGING, 10, 0.951, open_request=REVIEWED_PRODUCTION),
        ),
    ),
    ModelSpec(
        name="credit-limit-advisor",
        team="fraud-risk",
        risk=RiskLevel.HIGH,
        description="Suggests credit limits for new card applications.",
        intended_use="Suggest an initial credit limit for a credit officer to confirm.",
        primary_users=("Credit officers",),
        out_of_scope_uses=("Automatic approval or rejection of applications",),
        data="Three years of card applications with repayment outcomes.",
        limitations=("Not validated for business cards",),
        groups=("age<30", "age>=30"),
        ethics=("Must not use nationality or gender, directly or by proxy",),
        # The shadow model: serving production before anyone approved it.
        versions=(V("1.0.0", Stage.DEVELOPMENT, 25, 0.87, deployed=True, draft_card=True),),
    ),
    ModelSpec(
        name="aml-alert-triage",
        team="fraud-risk",
        risk=RiskLevel.CRITICAL,
        description="Orders anti-money-laundering alerts by urgency for investigators.",
        intended_use="Order AML alerts by urgency; every alert is still investigated.",
        primary_users=("AML investigators",),
        out_of_scope_uses=("Closing alerts without investigation",),
        data="Two years of AML alerts with investigation outcomes.",
        limitations=("Trade-finance alerts are under-represented",),
        groups=("retail", "corporate"),
        ethics=("Investigators see the score, never a recommendation to close",),
        versions=(V("0.4.0", Stage.STAGING, 15, 0.89),),
    ),
    ModelSpec(
        name="identity-document-classifier",
        team="fraud-risk",
        risk=RiskLevel.MEDIUM,
        description="Classifies uploaded identity documents by type and country.",
        intended_use="Recognise the type and issuing country of uploaded identity documents.",
        primary_users=("Onboarding platform",),
        out_of_scope_uses=("Deciding whether a document is genuine",),
        data="250,000 labelled document images from 40 countries.",
        limitations=("Poor on photos taken at an angle over 30 degrees",),
        groups=("eu", "non-eu"),
        versions=(
            V("1.0.0", Stage.RETIRED, 400, 0.9),
            V("1.1.0", Stage.DEPRECATED, 260, 0.93),
        ),
    ),
)


def _digest(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _draft_card(spec: ModelSpec) -> dict:
    return {"intended_use": spec.intended_use, "primary_users": list(spec.primary_users)}


def card_for(spec: ModelSpec, version: VersionSpec, today: datetime.date) -> dict:
    """A complete card (every field filled), or a draft for versions still being written."""
    if version.draft_card:
        return _draft_card(spec)
    accuracy = version.accuracy
    by_group = {
        group: {"accuracy": round(accuracy - 0.01 * index, 3)}
        for index, group in enumerate(spec.groups)
    }
    return {
        **_draft_card(spec),
        "out_of_scope_uses": list(spec.out_of_scope_uses),
        "training_data_description": spec.data,
        "training_data_version": f"{spec.name}-data-{version.version}",
        "training_date": today - datetime.timedelta(days=version.trained_days_ago),
        "training_pipeline": f"pipelines/{spec.name}/train.py",
        "hyperparameters": {"max_depth": 6, "learning_rate": 0.05, "n_estimators": 400},
        "code_revision": _digest(spec.name, version.version, "code")[:12],
        "artifact_uri": f"s3://tutela-models/{spec.name}/{version.version}/model.pkl",
        "artifact_sha256": _digest(spec.name, version.version),
        "evaluation_metrics": {"accuracy": accuracy, "auc": round(accuracy + 0.03, 3)},
        "performance_by_group": by_group,
        "known_limitations": list(spec.limitations),
        "ethical_considerations": list(spec.ethics) or ["No personal data beyond the purpose"],
        "fairness_assessment": {
            "method": "Accuracy parity across groups (max gap 0.05)",
            "summary": "Within tolerance for every group.",
            "groups": list(spec.groups),
            "results": {"max_accuracy_gap": round(0.01 * (len(spec.groups) - 1), 3)},
        },
        "review_schedule": ReviewSchedule.QUARTERLY,
        "retirement_criteria": {
            "max_age_days": 365,
            "metric_floors": [{"metric": "accuracy", "min": 0.88, "days": 7}],
            "drift_ceiling": 0.3,
            "retire_on_replacement": True,
        },
    }
