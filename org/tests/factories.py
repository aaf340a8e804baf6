"""Small org data for tests that need a unit or a person, not the whole demo."""

import datetime as dt
from collections.abc import Collection

import factory
from factory.django import DjangoModelFactory

from common.permissions import UNIT_ROLES, Role
from org.models import Leader, Membership, SiteConfig, Unit


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T{n:03d}")
    name = factory.Sequence(lambda n: f"测试单位{n}")
    sort_order = factory.Sequence(lambda n: n)


class LeaderFactory(DjangoModelFactory):
    class Meta:
        model = Leader
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试领导{n}")
    title = "副市长"

    @factory.post_generation
    def oversees(self, create, extracted, **kwargs):
        if create and extracted:
            self.oversees.set(extracted)


class PersonFactory(DjangoModelFactory):
    """A login with one role, as `org.services.create_person` makes it, whose password is
    already set (no forced change). A unit role gets a new unit unless given one.

    `PersonFactory(role=Role.OFFICE)`; `PersonFactory(password="…")` to log in through the
    form (hashing costs time: without it the password is unusable, for `force_login`)."""

    class Meta:
        model = "auth.User"
        skip_postgeneration_save = True

    class Params:
        role = Role.OFFICE
        unit = factory.Maybe(
            factory.LazyAttribute(lambda person: person.role in UNIT_ROLES),
            yes_declaration=factory.SubFactory(UnitFactory),
            no_declaration=None,
        )

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.LazyAttribute(lambda person: f"{person.role} {person.username}")
    membership = factory.RelatedFactory(
        "org.tests.factories.MembershipFactory",
        factory_related_name="user",
        role=factory.SelfAttribute("..role"),
        unit=factory.SelfAttribute("..unit"),
    )
    login_state = factory.RelatedFactory(
        "accounts.tests.factories.LoginStateFactory", factory_related_name="user"
    )

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        if extracted:
            self.set_password(extracted)
        else:
            self.set_unusable_password()
        if create:
            self.save(update_fields=["password"])


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(PersonFactory, membership=None)
    role = Role.OFFICE
    unit = None


# The demo's roles by their usernames (common.testing.CAST), for tests that check what one
# role may do: each is built alone, in the unit given (a unit role) or overseeing the units
# given (the leader), instead of the whole demo.
CAST_ROLES = {
    "office": Role.OFFICE,
    "leader": Role.LEADER,
    "zjj": Role.UNIT_OFFICER,
    "zjj_head": Role.UNIT_HEAD,
    "sysadmin": Role.SYSTEM_ADMIN,
    "secadmin": Role.SECURITY_ADMIN,
    "auditor": Role.AUDIT_ADMIN,
}


def cast_of(
    *usernames: str,
    unit: Unit | None = None,
    oversees: Collection[Unit] = (),
    password: str | None = None,
    leader_name: str | None = None,
) -> dict:
    """{username: person} for the demo usernames asked for (all seven if none), each with
    the demo's role: `zjj` and `zjj_head` in `unit` (a new one unless given), `leader` a
    city leader (named `leader_name`) overseeing `oversees` (and `unit` when given).
    `password` to log in through the form."""
    usernames = usernames or tuple(CAST_ROLES)
    if unit is None and {"zjj", "zjj_head"} & set(usernames):
        unit = UnitFactory()
    people = {}
    for username in usernames:
        role = CAST_ROLES[username]
        people[username] = PersonFactory(
            username=username,
            role=role,
            unit=unit if role in UNIT_ROLES else None,
            password=password,
        )
        if role == Role.LEADER:
            units = [*oversees, *([unit] if unit is not None and unit not in oversees else [])]
            named = {"name": leader_name} if leader_name else {}
            LeaderFactory(user=people[username], oversees=units, **named)
    return people


def reporting_period(
    year: int = 2024, as_of: dt.date | None = None, *, name: str | None = "某市人民政府"
) -> SiteConfig:
    """The office's settings naming the reporting period (the demo's: 2024 as of 30 June),
    saved through the service as the office's page saves them (audited); the site's name
    kept as it is with `name=None`."""
    from org.services import save_site_config

    named = {"name": name} if name is not None else {}
    config, _ = save_site_config(
        user=None, default_year=year, default_as_of=as_of or dt.date(year, 6, 30), **named
    )
    return config
