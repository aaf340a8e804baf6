from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "common"

    def ready(self) -> None:
        # Text hygiene in one place (design §10): every text field of every form — ours,
        # django-filter's, Django's own — refuses control characters, written once here
        # rather than in each form. (`default_validators` is the field's documented hook.)
        from django import forms

        from .validation import refuse_control_characters

        if refuse_control_characters not in forms.CharField.default_validators:
            forms.CharField.default_validators = [
                *forms.CharField.default_validators,
                refuse_control_characters,
            ]
