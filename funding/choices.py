from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Level(models.TextChoices):
    CENTRAL = "central", _("Central")
    PROVINCIAL = "provincial", _("Provincial")
    MUNICIPAL = "municipal", _("Municipal")


class Stage(models.TextChoices):
    RESERVE = "reserve", _("Reserve")
    APPLIED = "applied", _("Applied")
    IN_REVIEW = "in_review", _("In review")
    # 纳入计划: squeezed into a higher-level investment plan or project library (design §12)
    INCLUDED = "included", _("Included in plan")
    APPROVED = "approved", _("Approved")
    FUNDED = "funded", _("Funded")
    REJECTED = "rejected", _("Rejected")


class ReceiptState(models.TextChoices):
    """A receipt is never edited in place nor deleted (design §10): a correction leaves it in
    the table in one of the states after the first, out of every figure and check."""

    ACTIVE = "active", _("In effect")
    VOIDED = "voided", _("Voided")
    SUPERSEDED = "superseded", _("Corrected")
    REJECTED = "rejected", _("Rejected as a double claim")


class CorrectionKind(models.TextChoices):
    VOID = "void", _("Void")
    AMEND = "amend", _("Amend")
    REJECT = "reject", _("Reject (double claim)")
    REINSTATE = "reinstate", _("Reinstate")


class CorrectionState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("correction", "Pending")
    APPROVED = "approved", pgettext_lazy("correction", "Approved")
    REFUSED = "refused", pgettext_lazy("correction", "Refused")


# Stage names as people write them in ledgers (design §2).
STAGE_NAMES_ZH = {
    "储备": Stage.RESERVE,
    "申报": Stage.APPLIED,
    "审核": Stage.IN_REVIEW,
    "纳入计划": Stage.INCLUDED,
    "批复": Stage.APPROVED,
    "到位": Stage.FUNDED,
    "未获批": Stage.REJECTED,
}
LEVEL_NAMES_ZH = {
    "中央": Level.CENTRAL,
    "省": Level.PROVINCIAL,
    "省级": Level.PROVINCIAL,
    "市": Level.MUNICIPAL,
    "市级": Level.MUNICIPAL,
}

# Which stage may follow which: forward one step, or rejected while pending.
STAGE_FLOW: dict[str, set[str]] = {
    Stage.RESERVE: {Stage.APPLIED},
    Stage.APPLIED: {Stage.IN_REVIEW, Stage.INCLUDED, Stage.APPROVED, Stage.REJECTED},
    Stage.IN_REVIEW: {Stage.INCLUDED, Stage.APPROVED, Stage.REJECTED},
    Stage.INCLUDED: {Stage.APPROVED, Stage.REJECTED},
    Stage.APPROVED: {Stage.FUNDED},
    Stage.FUNDED: set(),
    Stage.REJECTED: {Stage.RESERVE},
}


class Status(models.TextChoices):
    """A task department's standing against time progress (design §3)."""

    COMPLETED = "completed", _("Completed the annual target")
    AHEAD = "ahead", _("Ahead of time progress")
    BEHIND = "behind", _("Behind time progress")
    NONE = "none", _("No result")


class ContactDirection(models.TextChoices):
    OUT = "out", _("Visit out (走访/汇报)")
    IN = "in", _("Visit in (邀请调研)")


class LeadStatus(models.TextChoices):
    OPEN = "open", _("Following")
    CONVERTED = "converted", _("Became a project")
    DROPPED = "dropped", _("Dropped")


class ContactResult(models.TextChoices):
    """What a contact led to (design §9)."""

    APPROVED = "approved", _("Led to an approval")
    FUNDED = "funded", _("Led to money received")
