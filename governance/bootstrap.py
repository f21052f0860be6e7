"""Rows Tutela cannot run without: the audit chain head and the role groups.

Created by data migrations; the test suite re-creates them after flushing tables.
Works with migration-state apps and with the real app registry alike.
"""

from django.apps.registry import Apps

from governance.models.audit import GENESIS_HASH, HEAD_ID

GOVERNED_MODELS = (
    "team",
    "registeredmodel",
    "modelversion",
    "approvalrequest",
    "approvaldecision",
    "deployment",
    "metricobservation",
    "retirementalert",
    "auditevent",
)
VIEW_ALL = [("governance", f"view_{name}") for name in GOVERNED_MODELS]
# Add/change pages only open forms; the service behind each form decides (policies.py).
AUTHOR_PAGES = [
    ("governance", "add_registeredmodel"),
    ("governance", "add_modelversion"),
    ("governance", "change_modelversion"),
]
MODEL_SETTINGS_PAGES = [("governance", "change_registeredmodel")]
SCHEDULES = [
    ("django_celery_beat", f"{action}_{name}")
    for name in (
        "periodictask",
        "crontabschedule",
        "intervalschedule",
        "solarschedule",
        "clockedschedule",
    )
    for action in ("view", "add", "change", "delete")
]
PEOPLE_PAGES = [
    ("governance", "add_team"),
    ("governance", "change_team"),  # opens guardian's role page of a team
    ("auth", "view_user"),
    ("auth", "add_user"),
    ("auth", "change_user"),
    ("auth", "view_group"),
]

# Global role holders are members of the group named after the role. Group permissions
# are model-level: they open the admin portal's pages; who may act on which model is
# decided by governance.policies from the role itself. "auditors" is read-only access.
ROLE_GROUPS = {
    "ml_engineer": VIEW_ALL + AUTHOR_PAGES,
    "ml_lead": VIEW_ALL + AUTHOR_PAGES + MODEL_SETTINGS_PAGES,
    "risk_officer": VIEW_ALL + MODEL_SETTINGS_PAGES,
    "legal": VIEW_ALL,
    "governance_admin": VIEW_ALL + MODEL_SETTINGS_PAGES + PEOPLE_PAGES + SCHEDULES,
    "auditors": VIEW_ALL,
}
AUDITORS_GROUP = "auditors"


def create_chain_head(apps: Apps) -> None:
    apps.get_model("governance", "AuditChainHead").objects.get_or_create(
        pk=HEAD_ID, defaults={"sequence": 0, "hash": GENESIS_HASH}
    )


def create_role_groups(apps: Apps) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ROLE_GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in perms:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
