"""The workbench's due card (issue 20 point 3): overdue and due soon are two groups named in
words, each complete, from the one state rule; a work item due within the horizon is on it
although no time node of it is (CS-03, due 5 July on the 30 June workbench)."""

import datetime as dt

import pytest

from conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def add_item_due_soon(office):
    from org.models import Unit
    from policy import services as policy
    from policy.models import WorkItem

    zjj = Unit.objects.get(code="ZJJ")
    model = WorkItem.objects.filter(assignments__unit=zjj).select_related("policy").first()
    return policy.create_work_item(
        user=office,
        policy=model.policy,
        code="CS-03",
        title="城市更新试点方案报省住建厅",
        lead_leader=model.lead_leader,
        lead_unit=zjj,
        due_on=dt.date(2024, 7, 5),
    )


@pytest.mark.parametrize("width", [1366, 360])
def test_the_due_card_names_overdue_and_due_soon_in_two_groups(demo, cast, new_page, width):
    add_item_due_soon(cast["office"])
    page = new_page(viewport=(width, 900))
    login(page, "zjj")
    page.goto("/cockpit/workbench/?year=2024&as_of=2024-06-30")
    card = page.locator("#due-card")
    card.scroll_into_view_if_needed()
    screenshot(page, f"dashboard-workbench-due-card-{width}")

    overdue = card.locator("#due-overdue")
    soon = card.locator("#due-soon")
    # the groups are told apart by their words, not only by colour
    assert overdue.inner_text().startswith("已逾期")
    assert soon.inner_text().startswith("即将到期")
    assert "个工作日内" in soon.inner_text()
    overdue_lines = card.locator("#due-overdue + ul li").all_inner_texts()
    soon_lines = card.locator("#due-soon + ul li").all_inner_texts()
    # CS-03 (due 5 July, no time node) is due soon; nothing due after 30 June is overdue
    assert any("CS-03" in line and line.startswith("2024-07-05") for line in soon_lines)
    assert all(line[:10] < "2024-06-30" for line in overdue_lines)
    assert all(line[:10] >= "2024-06-30" for line in soon_lines)
    # complete: every open node and item of the unit in its state by the Python rule (the
    # demo's seven nodes of 10 to 28 June and the item GZ-08 due 20 June are overdue)
    expected = expected_lines(dt.date(2024, 6, 30))
    assert sorted(overdue_lines) == expected["overdue"] and len(overdue_lines) == 8
    assert sorted(soon_lines) == expected["due_soon"]
    assert any(line.startswith("2024-06-20 工作事项 GZ-08") for line in overdue_lines)
    assert f"{len(overdue_lines)}项" in overdue.inner_text()
    assert f"{len(soon_lines)}项" in soon.inner_text()


def expected_lines(as_of):
    """The card's lines as `work_item_state` (the Python side of the rule) classifies them."""
    from django.db.models import Q

    from org.models import Unit
    from policy.models import Milestone, WorkItem
    from policy.states import due_soon_horizon, work_item_state

    zjj = Unit.objects.get(code="ZJJ")
    horizon = due_soon_horizon(as_of).horizon
    lines = {"overdue": [], "due_soon": [], "on_track": [], "done": []}
    for item in WorkItem.objects.filter(assignments__unit=zjj):
        state = work_item_state(item.due_on, item.done_on, as_of, horizon)
        lines[state].append(f"{item.due_on} 工作事项 {item.code} {item.title}")
    nodes = Milestone.objects.filter(
        Q(work_item__assignments__unit=zjj) | Q(work_item__isnull=True, unit=zjj)
    ).select_related("work_item")
    for node in nodes:
        state = work_item_state(node.due_on, node.done_on, as_of, horizon)
        code = f"{node.work_item.code} · " if node.work_item else ""
        lines[state].append(f"{node.due_on} 时间节点 {code}{node.title}")
    return {state: sorted(found) for state, found in lines.items()}
