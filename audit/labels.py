"""The audit trail in a clerk's words: what an action code means, who the actor is, and a
stored value as a person reads it (local time, no Python or JSON notation)."""

import datetime as dt
import re
from collections.abc import Iterable

from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

VERBS = {
    "created": pgettext_lazy("audit action", "created"),
    "updated": pgettext_lazy("audit action", "changed"),
    "revised": pgettext_lazy("audit action", "revised"),
    "advanced": pgettext_lazy("audit action", "advanced to the next stage"),
    "approved": pgettext_lazy("audit action", "approved"),
    "oversight_changed": pgettext_lazy("audit action", "changed who oversees what"),
    "confirmed": pgettext_lazy("audit action", "confirmed"),
    "rejected": pgettext_lazy("audit action", "rejected"),
    "requested": pgettext_lazy("audit action", "requested"),
    "filed": pgettext_lazy("audit action", "filed"),
    "signed_off": pgettext_lazy("audit action", "signed off"),
    "sent_back": pgettext_lazy("audit action", "sent back"),
    "done": pgettext_lazy("audit action", "marked done"),
    "rescheduled": pgettext_lazy("audit action", "rescheduled"),
    "removed": pgettext_lazy("audit action", "removed"),
    "deleted": pgettext_lazy("audit action", "removed"),
    "attached": pgettext_lazy("audit action", "attached"),
    "downloaded": pgettext_lazy("audit action", "downloaded"),
    "converted": pgettext_lazy("audit action", "converted into a project"),
    "linked": pgettext_lazy("audit action", "linked"),
    "changed": pgettext_lazy("audit action", "changed"),
    "issued": pgettext_lazy("audit action", "issued"),
    "opened": pgettext_lazy("audit action", "opened"),
    "answered": pgettext_lazy("audit action", "answered"),
    "compiled": pgettext_lazy("audit action", "compiled"),
    "urged": pgettext_lazy("audit action", "urged"),
    "copied": pgettext_lazy("audit action", "copied"),
    "edited": pgettext_lazy("audit action", "changed"),
    "seeded": pgettext_lazy("audit action", "created"),
    "sent": pgettext_lazy("audit action", "sent"),
    "failed": pgettext_lazy("audit action", "failed"),
    "read": pgettext_lazy("audit action", "read"),
    "activated": pgettext_lazy("audit action", "activated"),
    "deactivated": pgettext_lazy("audit action", "deactivated"),
    "revoked": pgettext_lazy("audit action", "revoked"),
    "refused": pgettext_lazy("audit action", "refused"),
    "returned": pgettext_lazy("audit action", "returned"),
    "reinstated": pgettext_lazy("audit action", "reinstated"),
    "acknowledged": pgettext_lazy("audit action", "acknowledged"),
    "voided": pgettext_lazy("audit action", "voided"),
    "superseded": pgettext_lazy("audit action", "replaced by a corrected receipt"),
    "amended": pgettext_lazy("audit action", "amended"),
    "closed": pgettext_lazy("audit action", "closed"),
    "contact_changed": pgettext_lazy("audit action", "contact details changed"),
    "decision_added": pgettext_lazy("audit action", "decision added"),
    "minutes_downloaded": pgettext_lazy("audit action", "minutes downloaded"),
    "readdressed": pgettext_lazy("audit action", "sent again to a new recipient"),
}

# Labels of snapshot keys that are not model fields.
KEY_LABELS = {
    "lead_unit": gettext_lazy("lead unit"),
    "co_units": gettext_lazy("co-units"),
    "units": gettext_lazy("units"),
    "oversees": gettext_lazy("oversees"),
    "note": gettext_lazy("note"),
    "reason": gettext_lazy("reason"),
    "effective_on": gettext_lazy("effective on"),
    "old_amount": gettext_lazy("old amount"),
    "new_amount": gettext_lazy("new amount"),
    "steps": gettext_lazy("steps"),
    "calendar_warning": gettext_lazy("calendar warning"),
    "deliveries": gettext_lazy("deliveries"),
    "docx_bytes": gettext_lazy("Word file size"),
    "pdf_bytes": gettext_lazy("PDF file size"),
    "size": gettext_lazy("file size"),
    "error": gettext_lazy("error"),
    "leader": gettext_lazy("leader"),
    "role": gettext_lazy("role"),
    "sentence": gettext_lazy("headline sentence"),
    "unit": gettext_lazy("unit"),
    "storage_name": gettext_lazy("stored file name"),
    "sha256": gettext_lazy("SHA-256 checksum"),
    "as_of": gettext_lazy("as of"),
    "work_item": gettext_lazy("work item"),
    "due_on": gettext_lazy("due on"),
    "title": gettext_lazy("title"),
}


# A verb that means something else for one record type.
VERB_OF_ACTION = {
    "supervision.lag_explanation.requested": pgettext_lazy(
        "audit action", "asked for an explanation"
    ),
}


def verb_label(action: str) -> str:
    """What the actor did, for a record's own history ("新建", "退回")."""
    if action in VERB_OF_ACTION:
        return str(VERB_OF_ACTION[action])
    verb = action.rsplit(".", 1)[-1]
    return str(VERBS.get(verb, verb.replace("_", " ")))


# Actions about no record of their own, or whose record's name says too little.
ACTIONS = {
    "accounts.administrators.bootstrapped": pgettext_lazy(
        "audit action", "First administrators created"
    ),
    "accounts.demo_account.marked": pgettext_lazy("audit action", "Demo account marked"),
    "accounts.login.failed": pgettext_lazy("audit action", "Login failed"),
    "jobs.job.started": pgettext_lazy("audit action", "Background job started"),
    "jobs.job.finished": pgettext_lazy("audit action", "Background job finished"),
    "jobs.job.failed": pgettext_lazy("audit action", "Background job failed"),
    "jobs.job.interrupted": pgettext_lazy("audit action", "Background job interrupted"),
    "jobs.job.restarted": pgettext_lazy("audit action", "Background job started again"),
    "accounts.login.locked": pgettext_lazy("audit action", "Account locked after failed logins"),
    "accounts.login.succeeded": pgettext_lazy("audit action", "Logged in"),
    "accounts.login.unlocked": pgettext_lazy("audit action", "Account unlocked"),
    "accounts.logout": pgettext_lazy("audit action", "Logged out"),
    "accounts.password.changed": pgettext_lazy("audit action", "Password changed"),
    "accounts.person.requested": pgettext_lazy("audit action", "Account requested"),
    "accounts.password.reset_requested": pgettext_lazy("audit action", "Password reset requested"),
    "accounts.session.expired": pgettext_lazy("audit action", "Session expired"),
    "accounts.totp.enrolled": pgettext_lazy("audit action", "Two-factor authentication enrolled"),
    "accounts.totp.reset": pgettext_lazy("audit action", "Two-factor authentication reset"),
    "audit.exported": pgettext_lazy("audit action", "Audit trail exported"),
    "audit.list_exported": pgettext_lazy("audit action", "List exported"),
    "audit.pruned": pgettext_lazy("audit action", "Old audit events pruned"),
    "audit.anchored": pgettext_lazy("audit action", "Audit trail anchored outside the database"),
    "audit.scope_denied": pgettext_lazy("audit action", "Access outside the user's scope refused"),
    "backup.restored": pgettext_lazy("audit action", "Database restored from a backup"),
    "demo.synthesised": pgettext_lazy("audit action", "Synthetic data generated"),
    "ledger.exported": pgettext_lazy("audit action", "Ledger exported"),
    "ledger.imported": pgettext_lazy("audit action", "Ledger imported"),
    "security.permission_denied": pgettext_lazy("audit action", "Access refused (no permission)"),
    "security.scope_denied": pgettext_lazy(
        "audit action", "Access outside the user's scope refused"
    ),
    "supervision.lag_explanation.requested": pgettext_lazy(
        "audit action", "Explanation of a lag asked for"
    ),
}
SUBJECTS = {  # action subjects that are not a model's name
    "claim": pgettext_lazy("audit action", "doubtful claim"),
    "drafts": pgettext_lazy("audit action", "draft work items"),
    "material": pgettext_lazy("audit action", "application material"),
    "request": pgettext_lazy("audit action", "account request"),
    "token": pgettext_lazy("audit action", "API token"),
    "rules": pgettext_lazy("audit action", "assessment rules"),
    "delivery": pgettext_lazy("audit action", "reminder delivery"),
    "person": pgettext_lazy("audit action", "person"),
    "oversees": pgettext_lazy("audit action", "oversight"),
    "anchor": pgettext_lazy("audit action", "audit anchor"),
}


def _model(app_label: str, subject: str):
    try:
        return apps.get_model(app_label, subject.replace("_", ""))
    except (LookupError, ValueError):
        return None


def action_label(action: str) -> str:
    """ "funding.receipt.rejected" → "到位资金：驳回"; never the dotted code itself."""
    if action in ACTIONS:
        return str(ACTIONS[action])
    app_label, _dot, rest = action.partition(".")
    subject, _dot, verb = rest.rpartition(".")
    if not subject:  # two parts: "accounts.logout"
        subject, verb = rest, ""
    model = _model(app_label, subject)
    if model is not None:
        name = str(model._meta.verbose_name)
    elif subject in SUBJECTS:
        name = str(SUBJECTS[subject])
    else:
        name = subject.replace("_", " ")
    verb_text = str(VERBS.get(verb, verb.replace("_", " ")))
    return f"{capfirst(name)}：{verb_text}" if verb_text else capfirst(name)


def actor_names(events: Iterable) -> dict[int, str]:
    """Each acting user's name as people know it (one query), by user id."""
    ids = {e.actor_id for e in events if e.actor_id}
    users = get_user_model().objects.filter(pk__in=ids).values_list("pk", "first_name")
    return {pk: name for pk, name in users if name}


def actor_label(event, names: dict[int, str]) -> str:
    """The person's name with their login, or the command that acted."""
    name = names.get(event.actor_id)
    if name and name != event.actor_name:
        return f"{name}（{event.actor_name}）"
    if event.actor_name.startswith("luoshi "):
        return _("System (%(command)s)") % {"command": event.actor_name}
    return event.actor_name


_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?$")


def plain_value(value) -> str:
    """A stored value as a person reads it: local times, lists joined, no brackets or quotes."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str) and _ISO_DATETIME.match(value):
        try:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, list | tuple):
        return "、".join(plain_value(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{KEY_LABELS.get(k, k)}：{plain_value(v)}" for k, v in value.items())
    return str(value)
