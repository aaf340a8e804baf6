from django.db.models import Count, Q

from audit.models import AuditEvent
from demo.loader import load_demo
from funding.models import Guide, Lead, Project, Receipt, TargetRevision
from org.models import Leader, Unit
from policy.models import Aspect, Assignment, WorkItem


def test_it_builds_the_speech_situation(demo):
    assert Aspect.objects.count() == 6
    assert WorkItem.objects.filter(source_meeting__isnull=True).count() == 56
    assert WorkItem.objects.filter(source_meeting__isnull=False).count() == 4  # a meeting's
    assert Unit.objects.count() == 33
    assert Leader.objects.count() == 8
    # every unit and every leader takes part; every item has exactly one lead unit
    assert Unit.objects.filter(assignments__isnull=True).count() == 0
    assert Leader.objects.filter(work_items__isnull=True).count() == 0
    leads = WorkItem.objects.annotate(n=Count("assignments", filter=Q(assignments__role="lead")))
    assert set(leads.values_list("n", flat=True)) == {1}
    assert Assignment.objects.filter(role="co").exists()
    assert TargetRevision.objects.count() == 1
    assert Project.objects.filter(stage="reserve", plan_year=2025).exists()
    assert Guide.objects.exclude(deadline=None).count() >= 5
    assert Lead.objects.exists()
    months = {
        d.month
        for d in Receipt.objects.filter(received_on__year=2024).values_list(
            "received_on", flat=True
        )
    }
    assert months >= {1, 2, 3, 4, 5, 6}


def test_running_it_twice_changes_nothing(demo):
    events = AuditEvent.objects.count()
    receipts = list(Receipt.objects.order_by("pk").values_list("pk", "amount", "received_on"))
    load_demo()
    assert AuditEvent.objects.count() == events
    assert (
        list(Receipt.objects.order_by("pk").values_list("pk", "amount", "received_on")) == receipts
    )


def test_the_demo_tells_one_consistent_story(demo):
    """Each item its own goal, no step after its item's deadline, and the 48 key old urban
    districts the speech is about present in the policy, its measures and the items' goals."""
    from django.db.models import F

    from policy.models import Measure, Milestone, Policy

    goals = list(
        WorkItem.objects.filter(source_meeting__isnull=True).values_list("goal", flat=True)
    )
    assert len(set(goals)) == len(goals) == 56
    late = Milestone.objects.filter(due_on__gt=F("work_item__due_on"))
    assert list(late.values_list("work_item__code", "title", "due_on")) == []
    assert "48个重点老旧城区" in Policy.objects.get(short_name="《意见》").summary
    assert Measure.objects.filter(text__contains="48个重点老旧城区").exists()
    assert WorkItem.objects.filter(goal__contains="48个重点老旧城区").count() >= 20
    assert Guide.objects.filter(scope__contains="48个重点老旧城区").exists()
