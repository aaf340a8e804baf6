"""The free-text follow-up person (对上衔接专人) becomes a person of the project's unit;
a text that names nobody is kept in the description, nothing typed is lost."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from common import stamps

BEFORE = [("funding", "0003_receipt_doc_key_claims")]
AFTER = [("funding", "0004_striving_pipeline")]


def org_now(executor) -> list[tuple[str, str]]:
    """org's newest migration: migrating funding back leaves org's tables as they are, so the
    rows this test writes must carry org's newest fields (a membership's version)."""
    return [node for node in executor.loader.graph.leaf_nodes() if node[0] == "org"]


@pytest.mark.django_db(transaction=True)
def test_follow_up_text_becomes_a_person_or_stays_in_the_description():
    stamps.uninstall()  # as `migrate` does (the executor alone sends no migrate signals)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE + org_now(executor)).apps
    Unit = old.get_model("org", "Unit")
    User = old.get_model("auth", "User")
    Membership = old.get_model("org", "Membership")
    Project = old.get_model("funding", "Project")
    unit = Unit.objects.create(code="M1", name="迁移测试局")
    other = Unit.objects.create(code="M2", name="另一个局")
    zhou = User.objects.create(username="zhouwei", first_name="周伟")
    Membership.objects.create(user=zhou, role="unit_officer", unit=unit)
    namesake = User.objects.create(username="zhouwei2", first_name="周伟")
    Membership.objects.create(user=namesake, role="unit_officer", unit=other)
    Project.objects.create(code="M-1", name="甲", unit=unit, follow_up="周伟")
    Project.objects.create(code="M-2", name="乙", unit=unit, follow_up="办公室主任")
    Project.objects.create(code="M-3", name="丙", unit=unit, follow_up="")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Project = new.get_model("funding", "Project")
    projects = {p.code: p for p in Project.objects.all()}
    assert projects["M-1"].follow_up_id == zhou.pk  # the one of the project's own unit
    assert projects["M-2"].follow_up_id is None
    assert "办公室主任" in projects["M-2"].description
    assert projects["M-3"].follow_up_id is None and projects["M-3"].description == ""

    # and back: the person's name becomes the text again
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    assert old.get_model("funding", "Project").objects.get(code="M-1").follow_up == "周伟"
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    stamps.install()
