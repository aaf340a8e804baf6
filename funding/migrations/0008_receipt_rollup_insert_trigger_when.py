"""PostgreSQL: receipt inserts get a rollup trigger of their own, skipped by its WHEN while
a bulk insert has paused the rollups (funding/rollup_triggers.py). SQLite's triggers are as
they were. The old trigger set works with this code too, so going back changes nothing."""

from django.db import migrations


def install_triggers(apps, schema_editor):
    from funding import rollup_triggers

    if schema_editor.connection.vendor == "postgresql":
        rollup_triggers.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("funding", "0007_project_list_sort_indexes")]

    operations = [migrations.RunPython(install_triggers, migrations.RunPython.noop)]
