from django.apps import AppConfig


def _subclasses(cls: type) -> list[type]:
    found = [cls]
    for sub in cls.__subclasses__():
        found += _subclasses(sub)
    return found


class CommonConfig(AppConfig):
    name = "common"

    def ready(self) -> None:
        # Text hygiene in one place (design §10): every text field of every form — ours,
        # django-filter's, Django's own — refuses control characters, written once here
        # rather than in each form. `default_validators` is the field's documented hook; a
        # field class with a list of its own (URLField, EmailField…) gets the rule added too.
        # common/tests/test_text_hygiene.py checks every form of the project has it.
        from django import forms

        from .validation import refuse_control_characters

        for field_class in _subclasses(forms.CharField):
            own = field_class is forms.CharField or "default_validators" in vars(field_class)
            if own and refuse_control_characters not in field_class.default_validators:
                field_class.default_validators = [
                    *field_class.default_validators,
                    refuse_control_characters,
                ]
