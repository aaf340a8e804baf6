"""The ledger's rows (a unit's annual target, its receipts) for tests that need a few, not
the whole demo, in the ledger tests' words (funding's factories underneath). Built through
the funding services, as the ledger and the pages write them:
the receipt rule and the target revision rule apply, and each write leaves its audit event."""

import datetime as dt

from funding.models import Receipt, Target
from funding.services import set_target
from funding.tests.factories import ReceiptFactory, TargetFactory
from org.models import Unit


def target(
    unit: Unit,
    amount: int,
    *,
    year: int = 2024,
    user=None,
    revised_to: int | None = None,
    effective_on: dt.date | None = None,
    reason: str = "年中调整",
) -> Target:
    """`unit`'s target for `year` (元), set by `user` (None: the system); `revised_to`
    revises it once from `effective_on` (1 July unless given), with its own audit event."""
    made = TargetFactory(user=user, unit=unit, year=year, amount=amount)
    if revised_to is not None:
        made, _ = set_target(
            user=user,
            unit=unit,
            year=year,
            amount=revised_to,
            reason=reason,
            effective_on=effective_on or dt.date(year, 7, 1),
            expected_version=made.version,
        )
    return made


def receipt(
    unit: Unit, amount: int, received_on: dt.date, *, doc_no: str = "", user=None, **values
) -> Receipt:
    """A receipt of `amount` 元 recorded for `unit` by `user` (None: the system), without a
    文号 unless given."""
    return ReceiptFactory(
        user=user, unit=unit, amount=amount, received_on=received_on, doc_no=doc_no, **values
    )
