"""Annex IV technical documentation of a version (EU AI Act Art. 11), generated from its
records: every Annex IV point in order (1(a)-(h), 2(a)-(h), 3 to 9), each item filled from
concrete data with its source, and a MISSING gap naming what would provide the evidence
where Tutela holds none. Product guidance, not legal advice.

    annex_iv_document(version) -> Document        # renderers: governance.docs.exports
"""

from governance.docs.annex_iv_control import sections_3_to_9
from governance.docs.annex_iv_general import section_1, section_2
from governance.docs.document import Document, Fact, Section, moment
from governance.docs.evidence import Evidence, evidence_for
from governance.models import ModelVersion

# Annex IV's nine points, in the Regulation's order (EU-AI-ACT.md, "Art 11 + Annex IV").
SECTION_TITLES = (
    "General description of the AI system",
    "Detailed description of the elements of the AI system and of its development process",
    "Monitoring, functioning and control of the AI system",
    "Appropriateness of the performance metrics",
    "Risk management system",
    "Relevant changes made through the lifecycle",
    "Harmonised standards applied",
    "EU declaration of conformity",
    "Post-market monitoring plan",
)


def _preamble(evidence: Evidence) -> tuple[Fact, ...]:
    version, model = evidence.version, evidence.model
    approval = evidence.production_approval()
    approved = (
        f"request #{approval.pk}, approved {moment(approval.decided_at)}"
        if approval
        else "not approved for production"
    )
    cut = sorted(evidence.truncated)
    facts = (
        Fact("Model", f"{model.name} (team {model.team.slug}, owner {model.owner.get_username()})"),
        Fact("Version", f"{version.version}, stage {version.stage}"),
        Fact("Risk level", model.risk_level),
        Fact("Card", f"revision {version.card_revision}, SHA-256 {version.card_hash()}"),
        Fact("Production approval", approved),
        Fact("Generated", moment(evidence.generated_at)),
    )
    if not cut:
        return facts
    note = f"only the newest {evidence.row_limit} of these are listed: {', '.join(cut)}"
    return (*facts, Fact("Long lists", note))


def annex_iv_from(evidence: Evidence) -> Document:
    """The document from evidence already read (no query)."""
    groups = [section_1(evidence), section_2(evidence), *sections_3_to_9(evidence)]
    sections = tuple(
        Section(number, title, items)
        for number, (title, items) in enumerate(zip(SECTION_TITLES, groups, strict=True), 1)
    )
    version = evidence.version
    return Document(
        title="Annex IV technical documentation",
        subject=f"{version.model.name} {version.version}",
        generated_at=evidence.generated_at,
        preamble=_preamble(evidence),
        sections=sections,
    )


def annex_iv_document(version: ModelVersion) -> Document:
    """The Annex IV document of a version, from a fixed number of queries."""
    return annex_iv_from(evidence_for(version))
