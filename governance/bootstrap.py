"""Rows Tutela cannot run without: the audit chain head and the role groups.

Created by data migrations; the test suite re-creates them after flushing tables.
Works with migration-state apps and with the real app registry alike.
"""

from django.apps.registry import Apps

from governance.models.audit import GENESIS_HASH

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
ADMIN_EXTRA = [
    ("governance", f"{action}_{name}")
    for name in ("team", "registeredmodel", "modelversion")
    for action in ("add", "change")
] + [("auth", "view_user"), ("auth", "add_user"), ("auth", "change_user"), ("auth", "view_group")]

# Global role holders are members of the group named after the role. Group permissions
# are model-level: they open the admin portal's pages; who may act on which model is
# decided by governance.policies from the role itself. "auditors" is read-only access.
ROLE_GROUPS = {
    "ml_engineer": VIEW_ALL,
    "ml_lead": VIEW_ALL,
    "risk_officer": VIEW_ALL,
    "legal": VIEW_ALL,
    "governance_admin": VIEW_ALL + ADMIN_EXTRA,
    "auditors": VIEW_ALL,
}
AUDITORS_GROUP = "auditors"


def create_chain_head(apps: Apps) -> None:
    apps.get_model("governance", "AuditChainHead").objects.get_or_create(
        pk=1, defaults={"sequence": 0, "hash": GENESIS_HASH}
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
