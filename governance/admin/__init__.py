"""The admin portal for governance admins (issue 2, section 5).

Every governance model is registered; state changes go through admin actions and forms that
call governance/services, so each one is policy-checked and audited. Nothing governed is
deleted, and the audit trail is view only for everyone.
"""

from governance.admin import (  # noqa: F401 - importing registers the model admins
    api_tokens,
    approvals,
    classification,
    incidents,
    records,
    registered_models,
    teams,
    users,
    versions,
)
