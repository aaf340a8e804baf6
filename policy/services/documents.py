"""Writes to policy documents, their support measures and the aspects they sort into."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import record, snapshot
from audit.versions import check_version

from ..models import (
    Aspect,
    Measure,
    Policy,
)
from .base import _require_office, save_changes


@transaction.atomic
def save_aspect(*, user, code: str, name: str, sort_order: int = 0) -> Aspect:
    _require_office(user)
    aspect, created = Aspect.objects.get_or_create(
        code=code, defaults={"name": name, "sort_order": sort_order}
    )
    if created:
        record("policy.aspect.created", aspect, after=snapshot(aspect), user=user)
    return aspect


@transaction.atomic
def save_policy(*, user, title: str, **fields) -> Policy:
    _require_office(user)
    policy, created = Policy.objects.get_or_create(title=title, defaults=fields)
    if created:
        record("policy.policy.created", policy, after=snapshot(policy), user=user)
    return policy


@transaction.atomic
def save_measure(*, user, policy: Policy, aspect: Aspect, code: str, text: str) -> Measure:
    _require_office(user)
    measure, created = Measure.objects.get_or_create(
        policy=policy, code=code, defaults={"aspect": aspect, "text": text}
    )
    if created:
        record("policy.measure.created", measure, after=snapshot(measure), user=user)
    return measure


# --- Policies, measures and work items edited by the office ---------------------------

POLICY_FIELDS = ("title", "short_name", "issuer", "doc_no", "issued_on", "summary")


@transaction.atomic
def edit_policy(
    *, user, policy: Policy | None, expected_version: int | None = None, **fields
) -> Policy:
    """Create (policy None) or change a policy document (from the version it was read at);
    audited before → after."""
    _require_office(user)
    fields = {k: v for k, v in fields.items() if k in POLICY_FIELDS}
    if not (fields.get("title") or "").strip():
        raise ValidationError(_("A policy needs a title."))
    clash = Policy.objects.filter(title=fields["title"])
    if policy is not None:
        clash = clash.exclude(pk=policy.pk)
    if clash.exists():
        raise ValidationError(_("A policy with this title already exists."))
    if policy is None:
        policy = Policy.objects.create(**fields)
        record("policy.policy.created", policy, after=snapshot(policy), user=user)
        return policy
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    check_version(policy, expected_version)
    before = snapshot(policy)
    for key, value in fields.items():
        setattr(policy, key, value)
    save_changes(user, policy, before, snapshot(policy), "policy.policy.updated")
    return policy


@transaction.atomic
def edit_measure(
    *,
    user,
    policy: Policy,
    measure: Measure | None,
    aspect: Aspect,
    code: str,
    text: str,
    expected_version: int | None = None,
) -> Measure:
    """Create (measure None) or change a support measure of `policy` (from the version it
    was read at)."""
    _require_office(user)
    code, text = code.strip(), text.strip()
    if not code or not text:
        raise ValidationError(_("A measure needs a code and its text."))
    clash = Measure.objects.filter(policy=policy, code=code)
    if measure is not None:
        clash = clash.exclude(pk=measure.pk)
    if clash.exists():
        raise ValidationError(_("The policy already has a measure %(code)s.") % {"code": code})
    if measure is None:
        measure = Measure.objects.create(policy=policy, aspect=aspect, code=code, text=text)
        record("policy.measure.created", measure, after=snapshot(measure), user=user)
        return measure
    measure = Measure.objects.select_for_update().get(pk=measure.pk)
    check_version(measure, expected_version)
    before = snapshot(measure)
    measure.aspect, measure.code, measure.text = aspect, code, text
    save_changes(user, measure, before, snapshot(measure), "policy.measure.updated")
    return measure
