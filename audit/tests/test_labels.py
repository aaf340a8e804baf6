"""The trail in a clerk's words: every action code the code base records reads as Chinese."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone, translation

from audit.labels import ACTIONS, action_label, plain_value

ROOT = Path(__file__).resolve().parents[2]
APPS = "accounts|api|audit|backup|demo|funding|ledger|org|policy|reminders|security|supervision"
CODE = re.compile(rf"""["']((?:{APPS})\.[a-z_]+(?:\.[a-z_]+)?)["']""")
NOT_ACTIONS = re.compile(r"\.(urls|models|views|apps|tests|lag|context_processors)(\.|$)")


def is_model_label(code: str) -> bool:
    from django.apps import apps

    try:
        return code.count(".") == 1 and apps.get_model(code) is not None
    except (LookupError, ValueError):
        return False


def recorded_actions() -> set[str]:
    """Every dotted action code written in the code base (tests and migrations aside)."""
    found = set()
    for path in ROOT.rglob("*.py"):
        parts = set(path.relative_to(ROOT).parts)
        if parts & {".venv", "tests", "migrations", "var", "benchmarks"}:
            continue
        for code in CODE.findall(path.read_text(encoding="utf-8")):
            if NOT_ACTIONS.search(code) or is_model_label(code):
                continue
            if code.count(".") == 2 or code in ACTIONS:  # "accounts.sessions" is a module
                found.add(code)
    return found


def test_there_are_actions_to_check():
    assert len(recorded_actions()) > 60


@pytest.mark.parametrize("action", sorted(recorded_actions()))
def test_every_action_reads_in_chinese(action):
    with translation.override("zh-hans"):
        label = action_label(action)
    assert "." not in label and "_" not in label, label
    assert not re.search(r"[a-z]{3}", label), f"{action} → {label}"  # "API令牌" is Chinese usage


def test_values_are_written_plainly():
    moment = dt.datetime(2026, 12, 6, 10, 36, 21, tzinfo=dt.UTC)
    with timezone.override("Asia/Shanghai"):
        assert plain_value(moment.isoformat()) == "2026-12-06 18:36:21"
    assert plain_value(["牵头的单位未报", "资金未到"]) == "牵头的单位未报、资金未到"
    assert plain_value({"reason": "x", "odd_key": 1}) == "原因：x；odd_key：1"
    assert plain_value(None) == "—" and plain_value([]) == "—"
