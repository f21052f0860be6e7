"""Database triggers that make the audit table append-only below the ORM.

Installed by a migration. Only the table's owner can drop them; run the web and
worker processes as a database role that does not own the tables (README, Deploy).
"""

from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "governance_auditevent"

POSTGRESQL_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{TABLE} is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE OR REPLACE TRIGGER {TABLE}_no_update_delete
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_append_only()
    """,
    f"""
    CREATE OR REPLACE TRIGGER {TABLE}_no_truncate
    BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_append_only()
    """,
]
POSTGRESQL_REMOVE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update_delete ON {TABLE}",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}",
    f"DROP FUNCTION IF EXISTS {TABLE}_append_only()",
]

SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER IF NOT EXISTS {TABLE}_no_{operation.lower()}
    BEFORE {operation} ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only: {operation} refused'); END
    """
    for operation in ("UPDATE", "DELETE")
]
SQLITE_REMOVE = [f"DROP TRIGGER IF EXISTS {TABLE}_no_{op}" for op in ("update", "delete")]

STATEMENTS = {
    "postgresql": (POSTGRESQL_INSTALL, POSTGRESQL_REMOVE),
    "sqlite": (SQLITE_INSTALL, SQLITE_REMOVE),
}


def _run(connection: BaseDatabaseWrapper, install: bool) -> None:
    if connection.vendor not in STATEMENTS:
        raise NotImplementedError(f"No append-only triggers for {connection.vendor}.")
    install_sql, remove_sql = STATEMENTS[connection.vendor]
    with connection.cursor() as cursor:
        for statement in install_sql if install else remove_sql:
            cursor.execute(statement)


def install_triggers(connection: BaseDatabaseWrapper) -> None:
    _run(connection, install=True)


def remove_triggers(connection: BaseDatabaseWrapper) -> None:
    """Only for migrations' reversal and the test suite's table flush."""
    _run(connection, install=False)
