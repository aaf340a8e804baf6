"""The rules of a work item's division of labour (分工), pure: the single writes
(`save_work_item`, `edit_work_item`, `create_work_item`) and the ledger's bulk form
(`bulk_save_work_items`) call them. (The rule of a work item's state is `states.py`.)"""

from collections.abc import Collection, Hashable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def check_division(lead_unit: Hashable, co_units: Collection[Hashable]) -> None:
    """One lead unit, never also among the co-units."""
    if lead_unit in co_units:
        raise ValidationError(_("The lead unit cannot also be a co-unit."))


def check_measure(measure, policy_id: int) -> None:
    """A work item's support measure (if any) is one of its policy's."""
    if measure is not None and measure.policy_id != policy_id:
        raise ValidationError(_("The measure belongs to another policy."))
