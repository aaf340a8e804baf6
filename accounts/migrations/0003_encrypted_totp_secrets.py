"""Two-factor secrets encrypted under the key kept outside the database (accounts/crypto.py):
the column widens for the ciphertext, and every plain secret stored so far is encrypted."""

from django.db import migrations, models


def encrypt_plain(apps, schema_editor):
    from accounts.crypto import PREFIX, encrypt_secret

    LoginState = apps.get_model("accounts", "LoginState")
    for state in LoginState.objects.exclude(totp_secret="").exclude(
        totp_secret__startswith=PREFIX
    ):
        state.totp_secret = encrypt_secret(state.totp_secret)
        state.save(update_fields=["totp_secret"])


def decrypt(apps, schema_editor):
    from accounts.crypto import PREFIX, decrypt_secret

    LoginState = apps.get_model("accounts", "LoginState")
    for state in LoginState.objects.filter(totp_secret__startswith=PREFIX):
        state.totp_secret = decrypt_secret(state.totp_secret)
        state.save(update_fields=["totp_secret"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_separation_of_duties_and_totp_step")]

    operations = [
        migrations.AlterField(
            model_name="loginstate",
            name="totp_secret",
            field=models.CharField(blank=True, max_length=255, verbose_name="two-factor secret"),
        ),
        migrations.RunPython(encrypt_plain, decrypt),
    ]
