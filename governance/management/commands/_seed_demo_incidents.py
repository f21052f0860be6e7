"""The demo's serious incident: one open incident on the drifting fraud scorer, recorded by
the risk officer through the service (so its history and audit event are real), thirteen
days after awareness: due for reporting within two days when the demo is loaded. A version
that already has an incident is left alone."""

from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from governance.management.commands._seed_people import SeedLog
from governance.models import IncidentSeverity, ModelVersion, SeriousIncident
from governance.services.incidents import incident_record

MODEL, VERSION = "fraud-transaction-scorer", "3.1.0"
DESCRIPTION = (
    "After the score drifted, legitimate card payments of about 1,200 customers were held "
    "for review for up to 50 hours instead of the one-hour human review the instructions "
    "require; several customers could not pay for medicine or rent. Possible infringement of "
    "obligations protecting fundamental rights (Art. 3(49)(c))."
)
CORRECTIVE_ACTION = "Hold threshold raised from 0.9 to 0.95; extra analysts on the hold queue."


def seed_incidents(people: dict[str, AbstractBaseUser], log: SeedLog) -> None:
    version = ModelVersion.objects.filter(model__name=MODEL, version=VERSION).first()
    if version is None or SeriousIncident.objects.filter(version=version).exists():
        return
    aware = timezone.localdate() - timedelta(days=13)
    incident_record(
        actor=people["risk"],
        version_id=version.pk,
        description=DESCRIPTION,
        aware_at=aware,
        occurred_at=aware - timedelta(days=2),
        severity=IncidentSeverity.OTHER,
        corrective_action=CORRECTIVE_ACTION,
    )
    log.add("serious incidents")
