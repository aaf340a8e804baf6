"""Target revisions get an effective date (生效日期, design §3.1).

Existing revisions take the local date they were saved on, kept inside the target's year
(a revision saved before its year began is effective from 1 January, one saved after it
ended from 31 December), so every revision is effective within its year.
"""

import datetime as dt

from django.db import migrations, models
from django.utils import timezone


def backfill_effective_dates(apps, schema_editor):
    TargetRevision = apps.get_model("funding", "TargetRevision")
    revisions = list(TargetRevision.objects.select_related("target").filter(effective_on=None))
    for revision in revisions:
        saved_on = timezone.localtime(revision.changed_at).date()
        year = revision.target.year
        revision.effective_on = min(max(saved_on, dt.date(year, 1, 1)), dt.date(year, 12, 31))
    TargetRevision.objects.bulk_update(revisions, ["effective_on"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("funding", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="targetrevision",
            name="effective_on",
            field=models.DateField(null=True, verbose_name="effective on"),
        ),
        migrations.RunPython(backfill_effective_dates, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="targetrevision",
            name="effective_on",
            field=models.DateField(verbose_name="effective on"),
        ),
    ]
