"""What the receipt page shows of corrections: its state, its history, what one may do."""

from common.permissions import CHANGE, Role, role_of

from ..choices import CorrectionState, ReceiptState
from ..models import Receipt, ReceiptCorrection
from ..querysets import correction_rows
from .forms import ReinstateForm


def receipt_corrections_context(user, receipt: Receipt) -> dict:
    """The receipt's corrections newest first, the decision that took it out of effect, the
    receipt that corrects it, and whether `user` may ask for a correction or reinstate it."""
    rows = correction_rows(ReceiptCorrection.objects.filter(receipt=receipt).order_by("-pk"))
    in_effect = receipt.state == ReceiptState.ACTIVE
    pending = any(row["state"] == CorrectionState.PENDING for row in rows)
    may_change = Receipt.every.visible_to(user, CHANGE).filter(pk=receipt.pk).exists()
    office = role_of(user) == Role.OFFICE
    ended_by = next(
        (r for r in rows if r["state"] == CorrectionState.APPROVED),
        None,
    )
    return {
        "receipt": receipt,
        "in_effect": in_effect,
        "corrections": rows,
        "ended_by": None if in_effect else ended_by,
        "corrected_by": Receipt.every.filter(corrects=receipt).first(),
        "can_request": in_effect and may_change and not pending,
        "pending": pending,
        "reinstate_form": ReinstateForm(initial={"version": receipt.version})
        if office and receipt.state == ReceiptState.REJECTED
        else None,
    }
