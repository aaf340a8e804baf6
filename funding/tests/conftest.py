"""Fixtures of the funding tests that need a few records, not the whole demo."""

import pytest

from funding.tests.factories import team as build_team


@pytest.fixture
def team(db):
    """One person per role under the demo's usernames, without the demo (factories.team)."""
    return build_team()
