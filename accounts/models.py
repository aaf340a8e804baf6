from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
    totp_secret = models.CharField(_("two-factor secret"), max_length=64, blank=True)
    totp_confirmed = models.BooleanField(_("two-factor enrolled"), default=False)
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
