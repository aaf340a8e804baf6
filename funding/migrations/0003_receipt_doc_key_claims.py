"""Doubtful claims (重复申报, design §3.1): the normalised 文号 on every receipt, the office's
decisions on claims, and the receipts it rejected.

The key is computed here with a frozen copy of `funding.docno.normalise_doc_no` as it was
when this migration was written, so later changes of that function do not change history.
"""

import re
import unicodedata

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

_BRACKETS = str.maketrans(
    {**dict.fromkeys("([{【〖〔〘", "〔"), **dict.fromkeys(")]}】〗〕〙", "〕")}
)
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _fold(text):
    folded = unicodedata.normalize("NFKC", text)
    folded = "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")
    return re.sub(r"\s+", "", folded).translate(_BRACKETS).translate(_ASCII_UPPER)[:300]


def _key(text):
    key = text or ""
    for _round in range(5):
        folded = _fold(key)
        if folded == key:
            break
        key = folded
    return key


def backfill_doc_keys(apps, schema_editor):
    Receipt = apps.get_model("funding", "Receipt")
    changed = []
    for receipt in Receipt.objects.exclude(doc_no="").only("pk", "doc_no").iterator(2000):
        receipt.doc_key = _key(receipt.doc_no)
        changed.append(receipt)
        if len(changed) >= 2000:
            Receipt.objects.bulk_update(changed, ["doc_key"])
            changed = []
    Receipt.objects.bulk_update(changed, ["doc_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("funding", "0002_targetrevision_effective_on"),
        ("org", "0002_seed_calendar"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="receipt",
            name="doc_key",
            field=models.CharField(
                blank=True,
                db_index=True,
                editable=False,
                max_length=300,
                verbose_name="document number (normalised)",
            ),
        ),
        migrations.RunPython(backfill_doc_keys, migrations.RunPython.noop),
        migrations.CreateModel(
            name="ClaimReview",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "doc_key",
                    models.CharField(
                        max_length=300, unique=True, verbose_name="document number (normalised)"
                    ),
                ),
                ("doc_no", models.CharField(max_length=100, verbose_name="document number")),
                ("note", models.CharField(blank=True, max_length=300, verbose_name="note")),
                ("decided_at", models.DateTimeField(verbose_name="decided at")),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="decided by",
                    ),
                ),
                (
                    "units",
                    models.ManyToManyField(
                        related_name="+", to="org.unit", verbose_name="units funded by the document"
                    ),
                ),
            ],
            options={
                "verbose_name": "claim review",
                "verbose_name_plural": "claim reviews",
                "ordering": ["-decided_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="RejectedReceipt",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("amount", models.BigIntegerField(verbose_name="amount (元)")),
                ("received_on", models.DateField(verbose_name="received on")),
                (
                    "doc_no",
                    models.CharField(blank=True, max_length=100, verbose_name="document number"),
                ),
                (
                    "doc_key",
                    models.CharField(
                        blank=True, max_length=300, verbose_name="document number (normalised)"
                    ),
                ),
                ("receipt_id", models.PositiveBigIntegerField(verbose_name="removed receipt")),
                ("note", models.CharField(max_length=300, verbose_name="reason")),
                ("rejected_at", models.DateTimeField(verbose_name="rejected at")),
                (
                    "rejected_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="rejected by",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.unit",
                        verbose_name="unit",
                    ),
                ),
            ],
            options={
                "verbose_name": "rejected receipt",
                "verbose_name_plural": "rejected receipts",
                "ordering": ["-rejected_at", "-id"],
                "indexes": [
                    models.Index(
                        fields=["unit", "received_on"], name="funding_rej_unit_id_0bc99b_idx"
                    )
                ],
            },
        ),
    ]
