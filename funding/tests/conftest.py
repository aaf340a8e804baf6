"""Fixtures of the funding tests that need a few records, not the whole demo."""

import pytest

from funding.tests.factories import ZJJ, TargetFactory, double_claim
from funding.tests.factories import team as build_team
from org.tests.factories import UnitFactory, reporting_period


@pytest.fixture
def team(db):
    """One person per role under the demo's usernames, without the demo (factories.team)."""
    return build_team()


@pytest.fixture
def claim(db):
    """The demo's doubtful claim, alone: ZJJ (市住房和城乡建设局) and MZJ (市民政局), both with
    a target of 2024, each recorded 省财建〔2024〕701号 for 800万元 on 20 August; the ZJJ
    receipt first."""
    units = [UnitFactory(**ZJJ), UnitFactory(code="MZJ", name="市民政局")]
    for unit in units:
        TargetFactory(unit=unit)
    return double_claim(*units)


@pytest.fixture
def half_year(db):
    """The office reports on 30 June 2024 by default, as in the demo (its site settings)."""
    return reporting_period(2024, name=None).default_as_of
