"""Make the audit table append-only in the database and create the chain head row."""

from django.db import migrations

from governance.audit_guard import install_triggers, remove_triggers
from governance.bootstrap import create_chain_head


def forwards(apps, schema_editor):
    create_chain_head(apps)
    install_triggers(schema_editor.connection)


def backwards(apps, schema_editor):
    remove_triggers(schema_editor.connection)
    apps.get_model("governance", "AuditChainHead").objects.filter(pk=1).delete()


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
