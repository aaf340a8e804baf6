"""Login protection state for tests' people (see org.tests.factories.PersonFactory)."""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import LoginState


class LoginStateFactory(DjangoModelFactory):
    """A person who has set their own password: no forced change, no lock."""

    class Meta:
        model = LoginState
        django_get_or_create = ("user",)

    must_change_password = False
    password_changed_at = factory.LazyFunction(timezone.now)
