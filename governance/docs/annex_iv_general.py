"""Annex IV points 1 (general description) and 2 (elements and development process), each
item filled from the card, the registered model, deployments, approvals and the
classification; a gap names what would provide the missing evidence."""

from governance.docs.document import Fact, Item, item, moment, table
from governance.docs.evidence import Evidence
from governance.docs.facts import (
    CardItem,
    approvals_fact,
    card_fact,
    classification_source,
    criteria_fact,
    fairness_facts,
    needs,
    review_fact,
)
from governance.models import Environment

CLASSIFY = "a risk classification of the model (its Classification page)"
NOT_IN_TUTELA = "not recorded in Tutela; add it to the technical file"


def _versions_fact(evidence: Evidence) -> Fact:
    rows = [f"{v.version}: {v.stage}, registered {moment(v.created_at)}" for v in evidence.siblings]
    return Fact("Other versions of the model", tuple(rows) or ("None: the only version",))


def _provider(evidence: Evidence) -> Fact:
    model, classification = evidence.model, evidence.classification
    text = f"Team {model.team.name} ({model.team.slug}); model owner {model.owner.get_username()}"
    if classification is not None:
        text += f"; role: {classification.get_organisation_role_display()}"
    return Fact("Provider", text, "registered model")


def general_1a(evidence: Evidence) -> Item:
    version, classification = evidence.version, evidence.classification
    registered = f"registered {moment(version.created_at)} by {version.created_by.get_username()}"
    identity = f"{version.model.name} {version.version} ({version.stage}), {registered}"
    purpose = None
    if classification is not None:
        source = classification_source(classification)
        purpose = Fact("Intended purpose (classification)", classification.intended_purpose, source)
    facts = [
        card_fact(version, "intended_use", "Intended purpose"),
        purpose,
        _provider(evidence),
        Fact("Version", identity, f"card revision {version.card_revision}"),
        _versions_fact(evidence),
    ]
    title = "Intended purpose, provider, version and relation to earlier versions"
    return item("1a", "1(a)", title, facts, [needs(version, "intended_use")])


def _deployments_table(evidence: Evidence, environments: tuple[str, ...]) -> Fact | None:
    rows = [
        (
            d.endpoint,
            d.environment,
            moment(d.reported_at),
            "active" if d.active else moment(d.ended_at),
        )
        for d in evidence.deployments
        if d.environment in environments
    ]
    if not rows:
        return None
    columns = ("endpoint", "environment", "from", "until")
    return Fact("Serving endpoints", table(columns, rows), "deployment reports")


def general_1b(evidence: Evidence) -> Item:
    found = _deployments_table(evidence, tuple(Environment.values))
    gap = (
        None if found else "deployment reports of the serving platform (POST /api/v1/deployments/)"
    )
    title = "Interaction with hardware, software and other AI systems"
    return item("1b", "1(b)", title, [found], [gap])


def general_1c(evidence: Evidence) -> Item:
    version = evidence.version
    facts = [
        card_fact(version, "code_revision", "Code revision"),
        card_fact(version, "training_pipeline", "Training pipeline"),
        card_fact(version, "artifact_uri", "Artefact"),
        card_fact(version, "artifact_sha256", "Artefact SHA-256"),
        review_fact(version),
    ]
    gap = needs(version, "code_revision", "artifact_uri", "artifact_sha256")
    return item("1c", "1(c)", "Software versions and update requirements", facts, [gap])


def general_1d(evidence: Evidence) -> Item:
    version = evidence.version
    facts = [
        card_fact(version, "artifact_uri", "Distributed artefact"),
        _deployments_table(evidence, (Environment.PRODUCTION,)),
    ]
    gap = None if any(facts) else "the artefact URI or a production deployment report"
    title = "Forms in which the system is placed on the market or put into service"
    return item("1d", "1(d)", title, facts, [gap])


def general_1f(evidence: Evidence) -> Item:
    classification = evidence.classification
    title = "Photographs or illustrations of the product (for a component of products)"
    if classification is not None and not classification.annex_i_safety_component:
        text = "Not applicable: not a safety component of a product under Annex I"
        fact = Fact("Product", text, classification_source(classification))
        return item("1f", "1(f)", title, [fact], [])
    needed = CLASSIFY if classification is None else f"product photographs; {NOT_IN_TUTELA}"
    return item("1f", "1(f)", title, [], [needed])


def general_1h(evidence: Evidence) -> Item:
    version = evidence.version
    facts = [
        card_fact(version, "out_of_scope_uses", "Out-of-scope uses"),
        card_fact(version, "known_limitations", "Known limitations"),
        Fact("Model card", "card.md and card.pdf of this version", "model card export"),
    ]
    gap = needs(version, "out_of_scope_uses", "known_limitations")
    return item("1h", "1(h)", "Instructions for use for the deployer", facts, [gap])


def section_1(evidence: Evidence) -> tuple[Item, ...]:
    users = card_fact(evidence.version, "primary_users", "Primary users")
    return (
        general_1a(evidence),
        general_1b(evidence),
        general_1c(evidence),
        general_1d(evidence),
        item(
            "1e",
            "1(e)",
            "Hardware on which it is intended to run",
            [],
            [f"the target hardware; {NOT_IN_TUTELA}"],
        ),
        general_1f(evidence),
        item(
            "1g",
            "1(g)",
            "User interface provided to the deployer",
            [users],
            [f"a description of the deployer's user interface; {NOT_IN_TUTELA}"],
        ),
        general_1h(evidence),
    )


def development_2c(evidence: Evidence) -> Item:
    version = evidence.version
    facts = [card_fact(version, "artifact_uri", "Artefact")]
    gaps = [f"the computational resources used to train and validate; {NOT_IN_TUTELA}"]
    return item("2c", "2(c)", "System architecture and computational resources", facts, gaps)


def development_2g(evidence: Evidence) -> Item:
    version = evidence.version
    approvals = approvals_fact(evidence.approvals())
    facts = [
        card_fact(version, "evaluation_metrics", "Evaluation metrics"),
        card_fact(version, "performance_by_group", "Performance by group"),
        *fairness_facts(version),
        approvals,
    ]
    gaps = [
        needs(version, "evaluation_metrics", "performance_by_group", "fairness_assessment"),
        None
        if approvals
        else "dated sign-off by responsible persons (an approval of this version)",
    ]
    title = "Validation and testing: procedures, metrics, dated and signed test reports"
    return item("2g", "2(g)", title, facts, gaps)


def development_2e(evidence: Evidence) -> Item:
    version = evidence.version
    roles = sorted({role for r in evidence.requests for role in r.required_roles})
    facts = [
        review_fact(version),
        Fact("Roles its promotions required", ", ".join(roles), "approval requests")
        if roles
        else None,
    ]
    gaps = [f"the runtime oversight measures (Art. 14: override, stop); {NOT_IN_TUTELA}"]
    return item("2e", "2(e)", "Assessment of the human oversight measures", facts, gaps)


ITEM_2A = CardItem(
    "2a",
    "2(a)",
    "Methods and steps of development",
    (
        ("training_pipeline", "Training pipeline"),
        ("training_date", "Training date"),
        ("code_revision", "Code revision"),
    ),
    ("training_pipeline", "training_date"),
)
ITEM_2B = CardItem(
    "2b",
    "2(b)",
    "Design specifications: logic, algorithms, key choices",
    (("hyperparameters", "Hyperparameters"),),
    ("hyperparameters",),
)
ITEM_2D = CardItem(
    "2d",
    "2(d)",
    "Data requirements and datasheets",
    (("training_data_description", "Training data"), ("training_data_version", "Data version")),
    ("training_data_description", "training_data_version"),
)


def development_2f(evidence: Evidence) -> Item:
    criteria = criteria_fact(evidence)
    gap = None if criteria else "the card field retirement_criteria"
    title = "Pre-determined changes and how compliance is kept"
    return item("2f", "2(f)", title, [criteria], [gap])


def development_2h(evidence: Evidence) -> Item:
    label = "Artefact integrity (SHA-256, fixed once set)"
    sha = card_fact(evidence.version, "artifact_sha256", label)
    gap = f"the cybersecurity measures (Art. 15(5)); {NOT_IN_TUTELA}"
    return item("2h", "2(h)", "Cybersecurity measures", [sha], [gap])


def section_2(evidence: Evidence) -> tuple[Item, ...]:
    version = evidence.version
    return (
        ITEM_2A.build(version),
        ITEM_2B.build(version),
        development_2c(evidence),
        ITEM_2D.build(version),
        development_2e(evidence),
        development_2f(evidence),
        development_2g(evidence),
        development_2h(evidence),
    )
