"""Art. 11: the technical documentation, one evidence item per item of the Annex IV document
(governance.docs.annex_iv) with the same key, point and title, and the same state the
document gives it: complete (filled, no MISSING marker), partial (filled, with a MISSING
marker) or missing (a MISSING marker only).

The document's builders render every row they read (events, revisions, observations); the
checklist needs only whether the evidence is there, for thousands of versions at once, so
it decides from VersionFacts with the same rules. tests/compliance/test_annex_iv_items.py
holds both to the same answers."""

from dataclasses import dataclass

from governance.compliance.checks import NOT_IN_TUTELA, filled
from governance.compliance.facts import VersionFacts
from governance.compliance.states import (
    Article,
    Duty,
    EvidenceItem,
    Finding,
    Level,
    complete,
    missing,
    partial,
)
from governance.docs.evidence import LIFECYCLE_EVENTS
from governance.docs.facts import criteria_lines
from governance.models import Environment

FAIRNESS_PARTS = ("method", "groups", "results", "summary")
SOURCES_6 = "audit events and field history of the version"


@dataclass(frozen=True)
class Point:
    """An Annex IV item filled from card fields: `facts` fill it, empty `gaps` mark it
    MISSING; `always` is what the document states whatever the card holds, `outside` the
    evidence Tutela does not hold (always marked MISSING)."""

    key: str
    ref: str
    title: str
    facts: tuple[str, ...] = ()
    gaps: tuple[str, ...] = ()
    always: str = ""
    outside: str = ""


def judge(ref: str, sources: str, found: list[str], gaps: list[str]) -> Finding:
    """The document's rule: no fact is missing, a fact with a gap partial, else complete."""
    looked_at = f"Annex IV {ref} as generated from {sources}"
    if not found:
        return missing(looked_at, f"MISSING: {'; '.join(gaps)}")
    if gaps:
        return partial(looked_at, f"has {', '.join(found)}; MISSING: {'; '.join(gaps)}")
    return complete(looked_at, f"has {', '.join(found)}")


def _point_check(point: Point):  # noqa: ANN202 - a Check
    def check(facts: VersionFacts) -> Finding:
        found = [field for field in point.facts if filled(facts, field)]
        found += [point.always] if point.always else []
        gaps = [f"card field {field} is empty" for field in point.gaps if not filled(facts, field)]
        gaps += [f"{point.outside}: {NOT_IN_TUTELA}"] if point.outside else []
        fields = dict.fromkeys((*point.facts, *point.gaps))
        sources = f"card fields {', '.join(fields)}" if fields else "the registered model"
        return judge(point.ref, sources, found, gaps)

    return check


def _deployed(facts: VersionFacts, environments: tuple[str, ...]) -> bool:
    return any(env in environments for env, _ in facts.deployments)


def interaction_1b(facts: VersionFacts) -> Finding:
    if _deployed(facts, tuple(Environment.values)):
        return judge("1(b)", "deployment reports", ["serving endpoints"], [])
    return judge("1(b)", "deployment reports", [], ["deployment reports of the serving platform"])


def market_forms_1d(facts: VersionFacts) -> Finding:
    found = ["artefact URI"] if filled(facts, "artifact_uri") else []
    found += ["production endpoints"] if _deployed(facts, (Environment.PRODUCTION,)) else []
    sources = "card field artifact_uri, deployment reports"
    return judge(
        "1(d)", sources, found, [] if found else ["an artefact URI or production deployment"]
    )


def product_1f(facts: VersionFacts) -> Finding:
    c = facts.classification
    if c is not None and not c.annex_i_safety_component:
        return judge("1(f)", "the classification", ["not a safety component under Annex I"], [])
    needed = "a risk classification" if c is None else f"product photographs: {NOT_IN_TUTELA}"
    return judge("1(f)", "the classification", [], [needed])


def changes_2f(facts: VersionFacts) -> Finding:
    if criteria_lines(facts.version):
        return judge("2(f)", "card field retirement_criteria", ["retirement criteria"], [])
    return judge("2(f)", "card field retirement_criteria", [], ["every retirement rule is off"])


def _fairness(facts: VersionFacts) -> bool:
    assessment = facts.version.fairness_assessment or {}
    return any(assessment.get(part) for part in FAIRNESS_PARTS)


def testing_2g(facts: VersionFacts) -> Finding:
    fields = ("evaluation_metrics", "performance_by_group")
    found = [field for field in fields if filled(facts, field)]
    found += ["fairness assessment"] if _fairness(facts) else []
    found += ["dated approvals"] if facts.approvals else []
    empty = [f for f in (*fields, "fairness_assessment") if not filled(facts, f)]
    gaps = [f"card fields {', '.join(empty)} are empty"] if empty else []
    gaps += [] if facts.approvals else ["a dated sign-off (an approval of this version)"]
    return judge("2(g)", "the card's performance fields and approval decisions", found, gaps)


def metrics_4(facts: VersionFacts) -> Finding:
    found = ["declared metrics"] if filled(facts, "evaluation_metrics") else []
    found += ["retirement criteria"] if criteria_lines(facts.version) else []
    found += ["monitored metrics"] if facts.metrics else []
    found += ["fairness assessment"] if _fairness(facts) else []
    gaps = [] if filled(facts, "evaluation_metrics") else ["card field evaluation_metrics is empty"]
    gaps.append(f"why these metrics suit the intended purpose: {NOT_IN_TUTELA}")
    return judge("4", "the card, retirement criteria and monitoring", found, gaps)


def risk_5(facts: VersionFacts) -> Finding:
    gaps = [] if facts.classification is not None else ["a risk classification"]
    gaps.append("a risk register with hazards, mitigations and residual-risk acceptance")
    return judge("5", "the registered model and its classification", ["model risk level"], gaps)


def changes_6(facts: VersionFacts) -> Finding:
    events = any(kind in facts.audit for kind in LIFECYCLE_EVENTS)
    if events or facts.history_rows:
        return judge("6", SOURCES_6, ["lifecycle events and revisions"], [])
    return judge("6", SOURCES_6, [], ["lifecycle records (audit events, history)"])


def _high_risk_only(ref: str, needed: str):  # noqa: ANN202 - a Check
    def check(facts: VersionFacts) -> Finding:
        c = facts.classification
        if c is not None and not c.is_high_risk:
            return judge(ref, "the classification", ["not required: not high-risk"], [])
        return judge(
            ref, "the classification", [], [needed if c is not None else "a risk classification"]
        )

    return check


def monitoring_9(facts: VersionFacts) -> Finding:
    found = ["observed metrics"] if facts.metrics else []
    found += ["retirement criteria"] if criteria_lines(facts.version) else []
    found.append("review schedule")
    gaps = [] if facts.metrics else ["monitoring observations"]
    return judge("9", "monitoring observations, retirement criteria, review schedule", found, gaps)


def _always(ref: str, what: str):  # noqa: ANN202 - a Check
    return lambda facts: judge(ref, what, [what], [])


POINTS_1 = (
    Point("1a", "1(a)", "Intended purpose, provider, version and relation to earlier versions",
          ("intended_use",), ("intended_use",), always="provider and version"),
    Point("1c", "1(c)", "Software versions and update requirements",
          ("code_revision", "training_pipeline", "artifact_uri", "artifact_sha256"),
          ("code_revision", "artifact_uri", "artifact_sha256"), always="review schedule"),
    Point("1e", "1(e)", "Hardware on which it is intended to run", outside="the target hardware"),
    Point("1g", "1(g)", "User interface provided to the deployer", ("primary_users",),
          outside="a description of the deployer's user interface"),
    Point("1h", "1(h)", "Instructions for use for the deployer",
          ("out_of_scope_uses", "known_limitations"), ("out_of_scope_uses", "known_limitations"),
          always="model card export"),
)  # fmt: skip
POINTS_2 = (
    Point("2a", "2(a)", "Methods and steps of development",
          ("training_pipeline", "training_date", "code_revision"),
          ("training_pipeline", "training_date")),
    Point("2b", "2(b)", "Design specifications: logic, algorithms, key choices",
          ("hyperparameters",), ("hyperparameters",)),
    Point("2c", "2(c)", "System architecture and computational resources", ("artifact_uri",),
          outside="the computational resources used to train and validate"),
    Point("2d", "2(d)", "Data requirements and datasheets",
          ("training_data_description", "training_data_version"),
          ("training_data_description", "training_data_version")),
    Point("2e", "2(e)", "Assessment of the human oversight measures", always="review schedule",
          outside="the runtime oversight measures (Art. 14: override, stop)"),
    Point("2h", "2(h)", "Cybersecurity measures", ("artifact_sha256",),
          outside="the cybersecurity measures (Art. 15(5))"),
)  # fmt: skip
POINTS_3 = (
    Point("3_limits", "3", "Capabilities and limitations in performance",
          ("known_limitations", "out_of_scope_uses"), ("known_limitations",)),
    Point("3_accuracy", "3", "Accuracy for specific persons or groups, and overall",
          ("evaluation_metrics", "performance_by_group"),
          ("evaluation_metrics", "performance_by_group")),
    Point("3_risks", "3", "Foreseeable unintended outcomes and sources of risk",
          ("ethical_considerations",), ("ethical_considerations",)),
    Point("3_oversight", "3", "Human oversight measures", always="see 2(e)"),
    Point("3_input", "3", "Specifications on input data",
          ("training_data_description",), ("training_data_description",)),
)  # fmt: skip


def _item(key: str, title: str, check) -> EvidenceItem:  # noqa: ANN001 - a Check
    return EvidenceItem(f"annex_iv.{key}", f"Annex IV {title}", Level.MUST, check)


def _points(points: tuple[Point, ...]) -> dict[str, EvidenceItem]:
    return {p.key: _item(p.key, f"{p.ref} {p.title}", _point_check(p)) for p in points}


def _items() -> tuple[EvidenceItem, ...]:
    """Every item, in the document's order (1(a) ... 9)."""
    general = _points(POINTS_1) | {
        "1b": _item("1b", "1(b) Interaction with hardware, software and other AI systems",
                    interaction_1b),
        "1d": _item("1d", "1(d) Forms in which the system is placed on the market or put into "
                    "service", market_forms_1d),
        "1f": _item("1f", "1(f) Photographs or illustrations of the product (for a component "
                    "of products)", product_1f),
    }  # fmt: skip
    development = _points(POINTS_2) | {
        "2f": _item("2f", "2(f) Pre-determined changes and how compliance is kept", changes_2f),
        "2g": _item("2g", "2(g) Validation and testing: procedures, metrics, dated and signed "
                    "test reports", testing_2g),
    }  # fmt: skip
    rest = (
        _item("4", "4 Appropriateness of the performance metrics", metrics_4),
        _item("5", "5 Risk management system (Art. 9)", risk_5),
        _item("6", "6 Relevant changes through the lifecycle", changes_6),
        _item("7", "7 Harmonised standards applied, or other solutions adopted",
              _high_risk_only("7", "the harmonised standards (OJ references) applied")),
        _item("8", "8 Copy of the EU declaration of conformity",
              _high_risk_only("8", "the signed EU declaration of conformity (Art. 47)")),
        _item("9_monitoring", "9 Post-market monitoring plan and data", monitoring_9),
        _item("9_alerts", "9 Alerts from the monitoring rules",
              _always("9", "retirement alerts (or none raised)")),
        _item("9_incidents", "9 Serious incidents (Art. 73)",
              _always("9", "incident register (or none recorded)")),
    )  # fmt: skip
    return (
        *(general[key] for key in ("1a", "1b", "1c", "1d", "1e", "1f", "1g", "1h")),
        *(development[key] for key in ("2a", "2b", "2c", "2d", "2e", "2f", "2g", "2h")),
        *_points(POINTS_3).values(),
        *rest,
    )


ARTICLE_11 = Article("11", "Technical documentation (Annex IV)", Duty.PROVIDER, _items())
