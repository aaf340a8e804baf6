"""The division-of-labour rule (`policy/record_rules.py`), tested as pure functions."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from policy.record_rules import check_division, check_measure


def test_the_lead_unit_cannot_also_be_a_co_unit():
    check_division(1, [2, 3])
    check_division(1, [])
    with pytest.raises(ValidationError):
        check_division(2, [2, 3])


def test_the_measure_must_be_one_of_the_items_policy():
    check_measure(None, 7)
    check_measure(SimpleNamespace(policy_id=7), 7)
    with pytest.raises(ValidationError):
        check_measure(SimpleNamespace(policy_id=8), 7)
