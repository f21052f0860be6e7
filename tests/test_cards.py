from governance.cards import CARD_FIELDS, PENDING, card_hash
from governance.models import ApprovalDecision, ApprovalStatus, Decision, Role, Stage
from tests.factories import ApprovalRequestFactory, ModelVersionFactory

SECTIONS = ["identity", "purpose", "training", "performance", "risk_and_ethics", "governance"]


def test_card_dict_has_every_section_and_every_field(version):
    card = version.to_dict()

    assert list(card) == SECTIONS
    fields = {field for section in SECTIONS[1:] for field in card[section]}
    assert set(CARD_FIELDS) <= fields
    assert {"risk_level", "approved_by", "approval_date"} <= fields
    assert card["identity"] == {
        "name": "customer-churn-predictor",
        "version": "2.4.1",
        "owner": "lead",
        "team": "fraud",
        "stage": "development",
        "card_revision": 1,
    }
    assert card["training"]["training_date"] == "2026-10-01"


def test_card_shows_pending_until_a_production_approval(version):
    card = version.to_dict()

    assert card["governance"]["approved_by"] == PENDING
    assert card["governance"]["approval_date"] == PENDING
    assert "- **approved_by**: PENDING" in version.to_markdown()


def test_card_names_the_approvers_of_the_production_approval(version, personas):
    version.stage = Stage.PRODUCTION  # the approval below put it there
    request = ApprovalRequestFactory(
        version=version,
        target_stage=Stage.PRODUCTION,
        status=ApprovalStatus.APPROVED,
        requester=personas["lead2"],
        required_roles=[Role.ML_LEAD, Role.RISK_OFFICER],
        decided_at="2026-11-01T10:00:00Z",
    )
    for person, role in (("lead", Role.ML_LEAD), ("risk_officer", Role.RISK_OFFICER)):
        ApprovalDecision.objects.create(
            request=request,
            approver=personas[person],
            role=role,
            decision=Decision.APPROVED,
            card_hash=request.card_hash,
        )

    governance = version.to_dict()["governance"]

    assert governance["approved_by"] == ["lead (ml_lead)", "risk_officer (risk_officer)"]
    assert governance["approval_date"].startswith("2026-11-01T10:00:00")


def test_card_of_a_version_before_production_is_pending_without_reading_approvals(
    version, django_assert_num_queries
):
    version.model.owner, version.model.team  # noqa: B018 - loaded before counting

    with django_assert_num_queries(0):
        governance = version.to_dict()["governance"]

    assert governance["approved_by"] == governance["approval_date"] == "PENDING"


def test_markdown_renders_every_section_with_lists_nested(version):
    markdown = version.to_markdown()

    assert markdown.startswith("# Model card: customer-churn-predictor 2.4.1\n")
    for title in ("Identity", "Purpose", "Training", "Performance", "Risk and ethics"):
        assert f"\n## {title}\n" in markdown
    assert "- **out_of_scope_uses**: \n  - Credit decisions\n  - Pricing" in markdown
    assert "  - accuracy: 0.91" in markdown


def test_empty_fields_are_marked_not_provided(model):
    bare = ModelVersionFactory(model=model, version="0.1.0")

    assert "- **intended_use**: _not provided_" in bare.to_markdown()


def test_card_hash_changes_with_content_and_ignores_key_order(version):
    values = version.card_values()
    reordered = dict(reversed(list(values.items())))

    assert card_hash(values) == card_hash(reordered) == version.card_hash()
    version.known_limitations = [*version.known_limitations, "New limitation"]
    assert version.card_hash() != card_hash(values)
