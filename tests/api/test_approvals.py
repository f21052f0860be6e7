"""/api/v1/approvals/: the list with its filters (awaiting_me among them), the request detail,
decisions and revocation; who may do what, the promotion to production end to end, and bad
input that writes nothing."""

import pytest

from governance.models import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStatus,
    AuditEventType,
    Decision,
    ModelVersion,
    Role,
    Stage,
)
from governance.models.approvals import NOTE_LIMIT
from governance.services.approvals import approval_create, approval_decide
from governance.services.versions import version_update_card
from tests.db_state import audit_mark, new_events, nothing_written
from tests.factories import (
    COMPLETE_CARD,
    ApprovalRequestFactory,
    ModelVersionFactory,
    RegisteredModelFactory,
    grant,
)
from tests.workflows import approve_all, request_promotion

LIST = "/api/v1/approvals/"


def detail_url(request: ApprovalRequest) -> str:
    return f"/api/v1/approvals/{request.pk}/"


def decide_url(request: ApprovalRequest) -> str:
    return f"/api/v1/approvals/{request.pk}/decisions/"


def revoke_url(request: ApprovalRequest) -> str:
    return f"/api/v1/approvals/{request.pk}/revoke/"


def ids(response) -> list[int]:  # noqa: ANN001
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def production_version(model) -> ModelVersion:
    return ModelVersionFactory(model=model, version="2.3.0", stage=Stage.PRODUCTION, complete=True)


@pytest.fixture
def staging_version(model, production_version) -> ModelVersion:
    return ModelVersionFactory(model=model, version="2.4.1", stage=Stage.STAGING, complete=True)


@pytest.fixture
def production_request(staging_version, personas) -> ApprovalRequest:
    """lead asks to put 2.4.1 in production (medium risk: ml_lead + risk_officer)."""
    return request_promotion(staging_version, personas, Stage.PRODUCTION)


@pytest.fixture
def approved_request(production_request, personas) -> ApprovalRequest:
    """lead2 and risk_officer approved: 2.4.1 is in production, 2.3.0 deprecated."""
    return approve_all(production_request, personas)


# --- list -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status", "count"),
    [
        ("anonymous", 401, None),
        ("no_role", 200, 0),
        ("other_team_lead", 200, 0),
        ("auditor", 200, 1),
        ("superuser", 200, 1),
        ("global_risk", 200, 1),
        ("engineer", 200, 1),
        ("legal", 200, 1),
    ],
)
def test_list_permissions(api_as, production_request, persona, status, count) -> None:
    response = api_as(persona).get(LIST)

    assert response.status_code == status
    if count is not None:
        assert len(response.json()["results"]) == count


def test_list_rows_carry_decisions_and_missing_roles(api_as, production_request, personas) -> None:
    approval_decide(
        actor=personas["lead2"],
        request_id=production_request.pk,
        approve=True,
        note="Offline metrics hold.",
        role=Role.ML_LEAD,
    )

    [row] = api_as("auditor").get(LIST).json()["results"]

    assert (row["status"], row["missing_roles"]) == ("in_review", ["risk_officer"])
    [decision] = row["decisions"]
    assert (decision["role"], decision["decision"], decision["approver"]) == (
        "ml_lead",
        "approved",
        "lead2",
    )
    assert (decision["notes"], decision["live"]) == ("Offline metrics hold.", True)


def test_list_is_newest_first_with_cursor_pages(api_as, model, personas) -> None:
    made = [
        approval_create(
            actor=personas["engineer"],
            version_id=ModelVersionFactory(model=model, version=f"1.{n}.0").pk,
            target_stage=Stage.STAGING,
            justification="Ready.",
        )
        for n in range(3)
    ]
    client = api_as("auditor")

    first = client.get(f"{LIST}?page_size=2")
    second = client.get(first.json()["next"])

    assert ids(first) == [made[2].pk, made[1].pk]
    assert ids(second) == [made[0].pk]
    assert second.json()["next"] is None


@pytest.fixture
def mixed_requests(personas, team, production_request) -> dict[str, ApprovalRequest]:
    """A: production_request (lead; missing ml_lead, risk_officer). B: engineer's staging
    request (missing ml_engineer). C: lead's production request on another model that lead2
    approved (missing risk_officer). D: a rejected staging request."""
    other = RegisteredModelFactory(name="card-fraud", team=team, owner=personas["lead"])
    staged = ModelVersionFactory(model=other, version="1.0.0", stage=Stage.STAGING, complete=True)
    in_review = request_promotion(staged, personas, Stage.PRODUCTION)
    approval_decide(
        actor=personas["lead2"], request_id=in_review.pk, approve=True, note="", role="ml_lead"
    )
    development = ModelVersionFactory(model=production_request.version.model, version="3.0.0")
    staging = request_promotion(development, personas, Stage.STAGING)
    third = RegisteredModelFactory(name="aml-scorer", team=team, owner=personas["lead"])
    rejected = request_promotion(ModelVersionFactory(model=third), personas, Stage.STAGING)
    approval_decide(actor=personas["engineer2"], request_id=rejected.pk, approve=False, note="No.")
    return {"A": production_request, "B": staging, "C": in_review, "D": rejected}


@pytest.mark.parametrize(
    ("persona", "awaiting"),
    [
        ("lead", []),  # A and C are lead's own; B needs ml_engineer
        ("lead2", ["A"]),  # lead2 already decided C
        ("engineer", []),  # B is engineer's own
        ("engineer2", ["B"]),
        ("risk_officer", ["C", "A"]),
        ("global_risk", ["C", "A"]),
        ("legal", []),  # medium risk: legal is not required
        ("auditor", []),
        ("no_role", []),
        ("other_team_lead", []),
    ],
)
def test_awaiting_me_lists_what_the_caller_can_decide(
    api_as, mixed_requests, persona, awaiting
) -> None:
    client = api_as(persona)
    everything = ids(client.get(LIST))

    response = client.get(f"{LIST}?awaiting_me=true")
    others = client.get(f"{LIST}?awaiting_me=false")

    assert response.status_code == 200
    assert ids(response) == [mixed_requests[key].pk for key in awaiting]
    assert ids(others) == [pk for pk in everything if pk not in ids(response)]


def test_filters_by_status_and_model(api_as, mixed_requests) -> None:
    client = api_as("auditor")

    by_status = client.get(f"{LIST}?status=rejected")
    by_model = client.get(f"{LIST}?model=card-fraud")
    both = client.get(f"{LIST}?model=card-fraud&status=pending")
    not_awaiting = client.get(f"{LIST}?awaiting_me=false")

    assert ids(by_status) == [mixed_requests["D"].pk]
    assert ids(by_model) == [mixed_requests["C"].pk]
    assert ids(both) == []
    assert len(ids(not_awaiting)) == 4


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=open", "status"),
        ("status=APPROVED", "status"),
        ("awaiting_me=yes", "awaiting_me"),
        ("model=churn%00", "model"),
        ("model=" + "m" * 101, "model"),
    ],
)
def test_bad_list_filters_are_refused(api_as, production_request, query, field) -> None:
    response = api_as("auditor").get(f"{LIST}?{query}")

    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]


def test_forged_cursor_is_not_found(api_as, production_request) -> None:
    response = api_as("auditor").get(f"{LIST}?cursor=not-a-cursor")

    assert response.status_code == 404
    assert response.json()["detail"] == "Invalid cursor"


def _requests_with_decisions(model, personas, count: int) -> None:  # noqa: ANN001
    """Pending staging requests by engineer, each with a decision a card edit superseded
    (factory set-up, no services): engineer2 awaits every one."""
    for n in range(count):
        request = ApprovalRequestFactory(
            version=ModelVersionFactory(model=model, version=f"0.{n}.0"),
            requester=personas["engineer"],
        )
        ApprovalDecision.objects.create(
            request=request,
            approver=personas["engineer2"],
            role=Role.ML_ENGINEER,
            decision=Decision.REJECTED,
            notes="No.",
            card_hash="0" * 64,
            superseded_at=request.created_at,
        )


@pytest.mark.parametrize("rows", [2, 20])
@pytest.mark.parametrize(
    ("query", "bound"),
    [
        # token, global roles, read access, role grants; the page and its decisions
        ("", 6),
        ("?status=pending&model=customer-churn-predictor", 6),
        ("?awaiting_me=true", 8),  # and the open requests with their decisions
    ],
)
def test_list_query_count_does_not_grow_with_rows(
    api_as, model, personas, django_assert_max_num_queries, rows, query, bound
) -> None:
    _requests_with_decisions(model, personas, rows)
    client = api_as("engineer2")
    client.get(LIST)  # the token's last-used time is written on first use only

    with django_assert_max_num_queries(bound):
        response = client.get(LIST + query)

    assert response.status_code == 200
    assert len(response.json()["results"]) == rows
    assert all(len(row["decisions"]) == 1 for row in response.json()["results"])


# --- detail -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 401),
        ("no_role", 404),
        ("other_team_lead", 404),
        ("auditor", 200),
        ("superuser", 200),
        ("global_risk", 200),
        ("engineer", 200),
        ("lead", 200),
    ],
)
def test_detail_permissions(api_as, production_request, persona, status) -> None:
    assert api_as(persona).get(detail_url(production_request)).status_code == status


def test_detail_shows_the_whole_request(api_as, approved_request, personas) -> None:
    body = api_as("auditor").get(detail_url(approved_request)).json()

    assert body["kind"] == "approval_request"
    assert (body["id"], body["status"]) == (approved_request.pk, "approved")
    assert (body["model"], body["version"]) == ("customer-churn-predictor", "2.4.1")
    assert (body["from_stage"], body["target_stage"]) == ("staging", "production")
    assert (body["requester"], body["justification"]) == ("lead", "Ready.")
    assert (body["required_roles"], body["missing_roles"]) == (["ml_lead", "risk_officer"], [])
    assert [(d["role"], d["approver"], d["decision"], d["live"]) for d in body["decisions"]] == [
        ("ml_lead", "lead2", "approved", True),
        ("risk_officer", "risk_officer", "approved", True),
    ]
    assert body["decided_at"] is not None
    assert body["updated_at"] == body["decided_at"]
    assert body["revoked_by"] is None


def test_detail_shows_superseded_decisions_as_not_live(
    api_as, production_request, personas
) -> None:
    approval_decide(
        actor=personas["lead2"], request_id=production_request.pk, approve=True, note="", role=None
    )
    version_update_card(
        actor=personas["lead"],
        version_id=production_request.version_id,
        changes={"intended_use": "Score churn risk of all customers."},
    )

    body = api_as("auditor").get(detail_url(production_request)).json()

    assert body["status"] == "pending"
    assert body["missing_roles"] == ["ml_lead", "risk_officer"]
    [decision] = body["decisions"]
    assert (decision["approver"], decision["live"]) == ("lead2", False)
    assert decision["superseded_at"] is not None


@pytest.mark.parametrize(
    "path", ["/api/v1/approvals/999999/", "/api/v1/approvals/" + "9" * 30 + "/"]
)
def test_unknown_request_is_not_found(api_as, path) -> None:
    assert api_as("auditor").get(path).status_code == 404


# --- decisions --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 401),
        ("no_role", 404),
        ("other_team_lead", 404),
        ("auditor", 403),
        ("superuser", 403),
        ("lead", 403),  # the requester
        ("engineer", 403),
        ("legal", 403),  # not required for a medium-risk model
        ("admin", 403),
        ("lead2", 201),
        ("risk_officer", 201),
        ("global_risk", 201),
    ],
)
def test_decide_permissions(api_as, production_request, persona, status) -> None:
    client = api_as(persona)

    response = client.post(decide_url(production_request), {"decision": "approved"})

    assert response.status_code == status, response.content
    assert production_request.decisions.exists() == (status == 201)


def test_requester_cannot_decide_own_request(api_as, production_request) -> None:
    client = api_as("lead")

    with nothing_written():
        response = client.post(
            decide_url(production_request), {"decision": "approved", "role": "ml_lead"}
        )

    assert response.status_code == 403
    assert "another reviewer must decide" in response.json()["detail"]


def test_one_person_fills_at_most_one_role(api_as, production_request, personas) -> None:
    grant(personas["lead2"], Role.RISK_OFFICER, production_request.version.model.team)
    client = api_as("lead2")
    first = client.post(decide_url(production_request), {"decision": "approved", "role": "ml_lead"})

    with nothing_written():
        second = client.post(
            decide_url(production_request), {"decision": "approved", "role": "risk_officer"}
        )

    assert first.status_code == 201
    assert second.status_code == 403
    assert "one person fills at most one role" in second.json()["detail"]


def test_holder_of_two_missing_roles_must_choose_one(api_as, production_request, personas) -> None:
    grant(personas["lead2"], Role.RISK_OFFICER, production_request.version.model.team)
    client = api_as("lead2")

    with nothing_written():
        response = client.post(decide_url(production_request), {"decision": "approved"})

    assert response.status_code == 409
    assert "choose the one you decide in" in response.json()["detail"]


def test_a_role_already_decided_is_a_conflict(api_as, production_request, personas) -> None:
    approval_decide(
        actor=personas["lead2"], request_id=production_request.pk, approve=True, note=""
    )
    grant(personas["risk_officer"], Role.ML_LEAD, production_request.version.model.team)
    client = api_as("risk_officer")

    with nothing_written():
        response = client.post(
            decide_url(production_request), {"decision": "approved", "role": "ml_lead"}
        )

    assert response.status_code == 409


def test_promotion_to_production_over_the_api(api_as, staging_version, production_version) -> None:
    lead, lead2, risk = api_as("lead"), api_as("lead2"), api_as("risk_officer")
    mark = audit_mark()

    asked = lead.post(
        "/api/v1/models/customer-churn-predictor/versions/2.4.1/transitions/",
        {"target_stage": "production", "justification": "AUC 0.94 on the holdout."},
    )
    request_id = asked.json()["id"]
    first = lead2.post(
        f"/api/v1/approvals/{request_id}/decisions/",
        {"decision": "approved", "role": "ml_lead", "notes": "Offline metrics hold."},
    )
    last = risk.post(
        f"/api/v1/approvals/{request_id}/decisions/",
        {"decision": "approved", "role": "risk_officer", "notes": "Fairness checked."},
    )

    assert asked.status_code == 201
    assert (first.status_code, first.json()["status"]) == (201, "in_review")
    assert first.json()["missing_roles"] == ["risk_officer"]
    assert (last.status_code, last.json()["status"]) == (201, "approved")
    assert last.json()["missing_roles"] == []
    staging_version.refresh_from_db()
    production_version.refresh_from_db()
    assert staging_version.stage == Stage.PRODUCTION
    assert production_version.stage == Stage.DEPRECATED
    events = [(event[0], event[1]) for event in new_events(mark)]
    assert events == [
        (AuditEventType.APPROVAL_REQUESTED, "lead"),
        (AuditEventType.APPROVAL_DECISION, "lead2"),
        (AuditEventType.APPROVAL_DECISION, "risk_officer"),
        (AuditEventType.APPROVAL_APPROVED, "risk_officer"),
        (AuditEventType.DEPRECATED, "risk_officer"),
        (AuditEventType.STAGE_CHANGED, "risk_officer"),
    ]


def test_rejection_closes_the_request(api_as, production_request, staging_version) -> None:
    response = api_as("risk_officer").post(
        decide_url(production_request),
        {"decision": "rejected", "notes": "No fairness assessment for new customers."},
    )

    assert response.status_code == 201
    assert response.json()["status"] == "rejected"
    [decision] = response.json()["decisions"]
    assert decision["notes"] == "No fairness assessment for new customers."
    staging_version.refresh_from_db()
    assert staging_version.stage == Stage.STAGING


def test_closed_request_takes_no_more_decisions(api_as, approved_request) -> None:
    client = api_as("global_risk")

    with nothing_written():
        response = client.post(decide_url(approved_request), {"decision": "rejected", "notes": "x"})

    assert response.status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"decision": "maybe"}, "decision"),
        ({"decision": "APPROVED"}, "decision"),
        ({"decision": True}, "decision"),
        ({"decision": 1}, "decision"),
        ({"decision": None}, "decision"),
        ({"decision": ["approved"]}, "decision"),
        ({}, "decision"),
        ({"decision": "approved", "role": "boss"}, "role"),
        ({"decision": "approved", "role": 3}, "role"),
        ({"decision": "approved", "notes": 5}, "notes"),
        ({"decision": "approved", "notes": None}, "notes"),
        ({"decision": "approved", "notes": "ok\x00"}, "notes"),
        ({"decision": "approved", "notes": "n" * (NOTE_LIMIT + 1)}, "notes"),
        ({"decision": "rejected"}, "notes"),
        ({"decision": "rejected", "notes": "  "}, "notes"),
        (["approved"], "non_field_errors"),
        ('"approved"', "non_field_errors"),
    ],
)
def test_bad_decision_input_is_refused_and_writes_nothing(
    api_as, production_request, body, field
) -> None:
    client = api_as("risk_officer")

    with nothing_written():
        response = client.post(decide_url(production_request), body)

    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]


def test_body_over_the_size_limit_is_refused(api_as, production_request) -> None:
    client = api_as("risk_officer")

    with nothing_written():
        response = client.post(
            decide_url(production_request), {"decision": "approved", "notes": "n" * 2_000_000}
        )

    assert response.status_code == 413


def test_hidden_request_is_not_found_before_the_body_is_read(api_as, production_request) -> None:
    client = api_as("other_team_lead")

    assert client.post(decide_url(production_request), ["garbage"]).status_code == 404
    assert client.post(revoke_url(production_request), {"reason": 7}).status_code == 404


@pytest.mark.parametrize("persona", ["no_role", "other_team_lead"])
def test_hidden_closed_request_is_not_found_rather_than_a_conflict(
    api_as, approved_request, persona
) -> None:
    # Deciding on or revoking a request is refused for anyone once it is closed (409), but
    # that would tell a person who may not see the request that it exists.
    client = api_as(persona)

    with nothing_written():
        decided = client.post(decide_url(approved_request), {"decision": "approved"})
        revoked = client.post(revoke_url(approved_request), {"reason": "Drift."})

    assert (decided.status_code, revoked.status_code) == (404, 404)


def test_decision_on_an_unknown_request_is_not_found(api_as, personas) -> None:
    response = api_as("risk_officer").post(
        "/api/v1/approvals/424242/decisions/", {"decision": "approved"}
    )

    assert response.status_code == 404


def test_changed_card_is_a_conflict(api_as, production_request) -> None:
    ModelVersion.objects.filter(pk=production_request.version_id).update(
        intended_use=COMPLETE_CARD["intended_use"] + " Changed behind the review's back."
    )
    client = api_as("risk_officer")

    with nothing_written():
        response = client.post(decide_url(production_request), {"decision": "approved"})

    assert response.status_code == 409
    assert "changed outside a review" in response.json()["detail"]


# --- revoke -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 401),
        ("no_role", 404),
        ("other_team_lead", 404),
        ("auditor", 403),
        ("superuser", 403),
        ("engineer", 403),
        ("lead", 403),
        ("lead2", 403),
        ("admin", 403),
        ("risk_officer", 200),
        ("legal", 200),
        ("global_risk", 200),
    ],
)
def test_revoke_permissions(api_as, approved_request, persona, status) -> None:
    response = api_as(persona).post(revoke_url(approved_request), {"reason": "Complaints."})

    assert response.status_code == status, response.content
    approved_request.refresh_from_db()
    expected = ApprovalStatus.REVOKED if status == 200 else ApprovalStatus.APPROVED
    assert approved_request.status == expected


def test_revoke_takes_the_version_out_of_production(api_as, approved_request) -> None:
    client = api_as("risk_officer")
    mark = audit_mark()

    response = client.post(revoke_url(approved_request), {"reason": "Complaints from branches."})

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["revoked_by"]) == ("revoked", "risk_officer")
    assert body["revoke_reason"] == "Complaints from branches."
    assert body["updated_at"] == body["revoked_at"]
    version = ModelVersion.objects.get(pk=approved_request.version_id)
    assert version.stage == Stage.DEPRECATED
    assert [event[0] for event in new_events(mark)] == [
        AuditEventType.APPROVAL_REVOKED,
        AuditEventType.DEPRECATED,
    ]


def test_only_approved_production_requests_can_be_revoked(api_as, production_request) -> None:
    client = api_as("risk_officer")

    with nothing_written():
        response = client.post(revoke_url(production_request), {"reason": "Changed my mind."})

    assert response.status_code == 409


@pytest.mark.parametrize(
    "body",
    [{}, {"reason": ""}, {"reason": "   "}, {"reason": 7}, {"reason": "a\x00b"}, {"reason": None}]
    + [{"reason": "r" * (NOTE_LIMIT + 1)}, ["Complaints."]],
)
def test_bad_revoke_input_is_refused_and_writes_nothing(api_as, approved_request, body) -> None:
    client = api_as("risk_officer")

    with nothing_written():
        response = client.post(revoke_url(approved_request), body)

    assert response.status_code == 400, response.content
