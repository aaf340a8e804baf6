import pytest

from .factories import unit_people


@pytest.fixture
def people(db) -> dict:
    """The office, a leader, a unit's officer (`zjj`) and head (`zjj_head`), and the unit:
    what most policy tests need of the demo's cast (see factories.unit_people)."""
    return unit_people()
