from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.permissions import Role


class LoginState(models.Model):
    """A person's login protection: failures, lockout, password age, two-factor secret."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="login_state",
        verbose_name=_("user"),
    )
    failed_attempts = models.PositiveIntegerField(_("failed attempts"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    must_change_password = models.BooleanField(_("must change password"), default=True)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    # encrypted under settings.TOTP_KEY (accounts/crypto.py), never the plain secret
    totp_secret = models.CharField(_("two-factor secret"), max_length=255, blank=True)
    totp_confirmed = models.BooleanField(_("two-factor enrolled"), default=False)
    # The newest 30-second step a code was accepted for: the same code (or an older one)
    # never logs in twice.
    totp_last_step = models.BigIntegerField(_("last one-time code step"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo account"), default=False)

    class Meta:
        verbose_name = _("login state")
        verbose_name_plural = _("login states")

    def __str__(self) -> str:
        return str(self.user)


class PasswordHistory(models.Model):
    """Hashes of a person's previous passwords, so none of the last few is reused."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="password_history",
        verbose_name=_("user"),
    )
    password = models.CharField(_("password hash"), max_length=200)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("previous password")
        verbose_name_plural = _("previous passwords")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"


class AccountRequest(models.Model):
    """A change to a person's access that the system administrator asks for and the security
    administrator decides (三员分立): a new login (its role, unit, leader) or a password reset.

    Neither administrator alone produces a working login: the system administrator's new
    account is inactive, without a role and without a usable password until the security
    administrator grants the role, activates it and receives the one-time password to hand
    over; a reset is asked for by the one and issued by the other."""

    class Kind(models.TextChoices):
        CREATE = "create", _("New login")
        RESET = "reset", _("Password reset")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for the security administrator")
        APPROVED = "approved", pgettext_lazy("account request", "Approved")
        REJECTED = "rejected", pgettext_lazy("account request", "Rejected")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="account_requests",
        verbose_name=_("person"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("unit"),
    )
    leader = models.ForeignKey(
        "org.Leader",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("leader"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=pgettext_lazy("account request", "decided by"),
    )
    decided_at = models.DateTimeField(
        pgettext_lazy("account request", "decided at"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("account request")
        verbose_name_plural = _("account requests")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.person}"
