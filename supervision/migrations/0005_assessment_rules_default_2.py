"""Assessment rules `default-2` (design §8, third round): a scoring method on every rules
version, and the `default-2` record (locked, like `default-1`).

Every version that exists before this migration keeps the method it was written for (`rate`,
`default-1`'s), so a result published with it reproduces exactly; new versions default to
`progress`."""

from django.db import migrations, models

CHOICES = [
    ("rate", "By completion rate"),
    ("progress", "By completion rate against time progress"),
]

DEFAULT_2 = {
    "name": "默认考核规则（对照时间进度）",
    "method": "progress",
    "funding_weight": 70,
    "items_weight": 30,
    "bonus_step_percent": 10,
    "bonus_per_step": 2,
    "bonus_cap": 10,
    "locked": True,
    "note": (
        "资金得分 = 70 × min(完成率 ÷ 时间进度, 1)；完成率超过100%的部分每满10个百分点"
        "奖励2分，最多10分；工作事项得分 = 30 × (按期完成 + ½ × 逾期完成) ÷ 到期的牵头事项，"
        "无到期的牵头事项时按资金得分 × 30 ÷ 70 计。"
    ),
}


def seed_default_2(apps, schema_editor):
    from django.utils import timezone

    AssessmentRules = apps.get_model("supervision", "AssessmentRules")
    AssessmentRules.objects.get_or_create(
        code="default-2", defaults={**DEFAULT_2, "created_at": timezone.now()}
    )


def drop_default_2(apps, schema_editor):
    AssessmentRules = apps.get_model("supervision", "AssessmentRules")
    AssessmentRules.objects.filter(code="default-2", based_on__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0004_lag_explanation_workflow"),
    ]

    operations = [
        # the versions already written are default-1's kind
        migrations.AddField(
            model_name="assessmentrules",
            name="method",
            field=models.CharField(
                choices=CHOICES, default="rate", max_length=20, verbose_name="scoring method"
            ),
        ),
        migrations.AlterField(
            model_name="assessmentrules",
            name="method",
            field=models.CharField(
                choices=CHOICES, default="progress", max_length=20, verbose_name="scoring method"
            ),
        ),
        migrations.RunPython(seed_default_2, drop_default_2),
    ]
