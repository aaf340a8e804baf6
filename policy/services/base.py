"""What every policy service shares: the office's check."""

from common.permissions import Role, role_of
from common.services import require


def _require_office(user) -> None:
    if user is not None:
        require(role_of(user) == Role.OFFICE)
