"""Reinstall the append-only triggers: old rows may now be pruned, anchors are protected."""

from django.db import migrations


def reinstall(apps, schema_editor):
    from audit import triggers

    triggers.remove(schema_editor.connection)
    triggers.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_hash_chain")]

    operations = [migrations.RunPython(reinstall, migrations.RunPython.noop)]
