from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("org", "0004_leader_version")]

    operations = [
        migrations.AlterField(
            model_name="membership",
            name="phone",
            field=models.CharField(blank=True, max_length=30, verbose_name="mobile"),
        ),
        migrations.AddField(
            model_name="membership",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
    ]
