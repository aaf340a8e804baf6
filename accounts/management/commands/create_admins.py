from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError

from accounts.services import bootstrap_administrators
from audit.commands import SystemCommand
from common.permissions import Role


class Command(SystemCommand):
    help = (
        "Create the first system, security and audit administrators of a new installation, "
        "each with a one-time password printed once (to change at first login). Refused once "
        "any administrator exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sysadmin", default="sysadmin")
        parser.add_argument("--secadmin", default="secadmin")
        parser.add_argument("--auditor", default="auditor")

    def handle(self, *args, sysadmin, secadmin, auditor, **options):
        try:
            passwords = bootstrap_administrators(
                usernames={
                    Role.SYSTEM_ADMIN: sysadmin,
                    Role.SECURITY_ADMIN: secadmin,
                    Role.AUDIT_ADMIN: auditor,
                }
            )
        except PermissionDenied:
            raise CommandError(
                "administrators exist already: new accounts are created on /people/ by the "
                "system administrator and granted on /security/ by the security administrator"
            ) from None
        for username, password in passwords.items():
            self.stdout.write(f"{username}\t{password}")
        self.stdout.write(
            "Three administrators created. Give each person their own one-time password in "
            "person (it is shown only here); each changes it and enrols two-factor at first login."
        )
