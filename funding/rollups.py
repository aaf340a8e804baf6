"""Receipt totals kept per unit × month and per month × channel × level (the cockpit's rollups).

Summing a million receipts on every cockpit view is what made it slow (issue 12). These two
tables hold the same sums, pre-added. They are maintained by database triggers on the receipt
table (`funding/rollup_triggers.py`), so every write — the services, the ledger import's bulk
insert, a bulk update, a delete, the demo copy in tests — changes them in the same statement
and so in the same transaction; no code path can forget them. A restore brings them back with
the receipts they were added from (SQLite copies the file; pg_restore loads the data before it
creates the triggers). `reporting/read_model.py` reads them; `tests/test_rollups.py` proves after
random writes that they equal a full recomputation.

Nothing in the application writes these models: only the triggers do.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .docno import DOC_KEY_LENGTH


class ReceiptUnitMonth(models.Model):
    """元 secured by one unit in one month (all receipts, whatever their channel)."""

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    year = models.PositiveIntegerField()
    month = models.PositiveSmallIntegerField()
    total = models.BigIntegerField(default=0)
    receipts = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("receipt total by unit and month")
        verbose_name_plural = _("receipt totals by unit and month")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "month"], name="receipt_unit_month_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["year", "month", "unit", "total"], name="receipt_unit_month_by_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year}-{self.month:02d}: {self.total}"


class ReceiptCityMonth(models.Model):
    """元 secured city-wide in one month through one channel at one level (every unit).

    `channel_key` is the channel's id, 0 for a receipt without channel (a plain integer, so
    that the unique key also holds for "no channel")."""

    year = models.PositiveIntegerField()
    month = models.PositiveSmallIntegerField()
    channel_key = models.PositiveIntegerField()
    level = models.CharField(max_length=20)
    total = models.BigIntegerField(default=0)
    receipts = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("receipt total by month, channel and level")
        verbose_name_plural = _("receipt totals by month, channel and level")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "month", "channel_key", "level"],
                name="receipt_city_month_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d} {self.channel_key} {self.level}: {self.total}"


class ReceiptSharedDoc(models.Model):
    """A normalised 文号 that receipts of more than one unit carry (a doubtful claim's key,
    confirmed or not): the few keys `querysets.doubtful_claims` has to look at, out of a
    million."""

    doc_key = models.CharField(max_length=DOC_KEY_LENGTH, unique=True)

    class Meta:
        verbose_name = _("document number shared by several units")
        verbose_name_plural = _("document numbers shared by several units")

    def __str__(self) -> str:
        return self.doc_key
