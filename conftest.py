"""Fixtures shared by every app's tests: the demo situation and a user per role."""

import pytest


@pytest.fixture
def demo(db):
    """The seed-speech demo data, loaded through the services."""
    from demo.loader import load_demo

    load_demo()


@pytest.fixture
def make_user(db):
    """make_user(role, unit=None, leader=None) → a user with that membership."""
    from org.services import create_person

    counter = {"n": 0}

    def make(role: str, unit=None, leader=None, password: str = "Luoshi@test2024"):
        counter["n"] += 1
        return create_person(
            user=None,
            username=f"{role}{counter['n']}",
            full_name=f"{role} {counter['n']}",
            role=role,
            password=password,
            unit=unit,
            leader=leader,
        )

    return make
