"""Art. 11 of the checklist has one item per item of the Annex IV document, in the same
order, and gives each the state the document does: complete (facts, no MISSING marker),
partial (facts and a MISSING marker), missing (a MISSING marker only)."""

import pytest

from governance.compliance.annex_iv import ARTICLE_11
from governance.compliance.facts import load_facts
from governance.docs.annex_iv import annex_iv_document
from governance.models import ModelVersion
from tests.compliance.support import classified, complete_evidence, observe
from tests.factories import (
    COMPLETE_CARD,
    DeploymentFactory,
    ModelVersionFactory,
)


def document_states(version: ModelVersion) -> list[tuple[str, str]]:
    document = annex_iv_document(version)
    found = []
    for section in document.sections:
        for item in section.items:
            state = "complete" if item.complete else ("partial" if item.facts else "missing")
            found.append((item.key, state))
    return found


def checklist_states(version: ModelVersion) -> list[tuple[str, str]]:
    (facts,) = load_facts(ModelVersion.objects.filter(pk=version.pk))
    return [(i.key.removeprefix("annex_iv."), i.check(facts).state) for i in ARTICLE_11.items]


def _empty(model, personas) -> ModelVersion:  # noqa: ANN001
    return ModelVersionFactory(model=model, version="0.1.0", retirement_criteria={})


def _card_only_not_high_risk(model, personas) -> ModelVersion:  # noqa: ANN001
    classified(model, is_high_risk=False, annex_iii_point="none", proposed_risk_level="medium")
    return ModelVersionFactory(model=model, version="1.0.0", **COMPLETE_CARD)


def _high_risk_partly_filled(model, personas) -> ModelVersion:  # noqa: ANN001
    classified(model, annex_i_safety_component=True)
    card = {"intended_use": "Ranks applicants.", "training_pipeline": "p.py"}
    version = ModelVersionFactory(model=model, version="1.0.0", **card)
    DeploymentFactory(version=version, environment="staging")
    observe(version, personas)
    return version


@pytest.mark.parametrize(
    "build", [_empty, _card_only_not_high_risk, _high_risk_partly_filled, complete_evidence]
)
def test_each_annex_iv_item_has_the_state_the_document_gives_it(model, personas, build):
    version = build(model, personas)

    assert checklist_states(version) == document_states(version)


def test_the_items_carry_the_documents_points_and_titles(version):
    document = annex_iv_document(version)
    titles = [(item.key, item.ref, item.title) for s in document.sections for item in s.items]

    ours = [(item.key.removeprefix("annex_iv."), item.title) for item in ARTICLE_11.items]

    assert [(key, f"Annex IV {ref} {title}") for key, ref, title in titles] == ours
