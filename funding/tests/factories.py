"""Small funding data for tests that need a channel, a project, a receipt or the people who
act on them, not the whole demo.

Receipts are recorded through `funding.services.record_receipt`: the receipt rule (duplicate
check, channel and level completed from the project, the 文号 key) and the audit trail are
what the tests about them depend on."""

import datetime as dt

import factory
from django.contrib.auth.models import User
from factory.django import DjangoModelFactory

from funding import services
from funding.choices import ContactDirection, Level, Stage
from funding.models import Channel, Contact, Guide, Lead, Project, Receipt, Target
from org.models import Unit
from org.tests.factories import UnitFactory, cast_of


class ChannelFactory(DjangoModelFactory):
    class Meta:
        model = Channel
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"TQD{n:03d}")
    name = factory.Sequence(lambda n: f"测试渠道{n}")
    level = Level.PROVINCIAL


class ProjectFactory(DjangoModelFactory):
    """A reserve project of a unit (a new one unless given), on a channel of its level."""

    class Meta:
        model = Project

    code = factory.Sequence(lambda n: f"TXM{n:04d}")
    name = factory.Sequence(lambda n: f"测试项目{n}")
    unit = factory.SubFactory(UnitFactory)
    channel = factory.SubFactory(ChannelFactory)
    level = factory.SelfAttribute("channel.level")
    stage = Stage.RESERVE


class ReceiptFactory(DjangoModelFactory):
    """A receipt in effect, recorded by `user` (None: a loader, any unit) through the receipt
    rule: `ReceiptFactory(unit=zjj, amount=3_000_000, doc_no="住建〔2024〕88号")`. A repeat
    the rule refuses raises its ValidationError, as the service does."""

    class Meta:
        model = Receipt

    user = None
    unit = factory.SubFactory(UnitFactory)
    amount = 1_000_000
    received_on = dt.date(2024, 5, 10)
    doc_no = factory.Sequence(lambda n: f"测试〔2024〕{n + 1}号")

    @classmethod
    def _create(cls, model_class, *, user=None, **values) -> Receipt:
        receipt, _created = services.record_receipt(user=user, **values)
        return receipt


class TargetFactory(DjangoModelFactory):
    """A unit's annual target, set by `user` (None: a loader) through `set_target`, audited.
    A unit with a target of the year is one of the league's: the figures count it."""

    class Meta:
        model = Target

    user = None
    unit = factory.SubFactory(UnitFactory)
    year = 2024
    amount = 100_000_000

    @classmethod
    def _create(cls, model_class, *, user=None, **values) -> Target:
        target, _changed = services.set_target(user=user, **values)
        return target


class LeadFactory(DjangoModelFactory):
    """An open lead (线索) of a unit, noted through `add_lead` (audited)."""

    class Meta:
        model = Lead

    user = None
    unit = factory.SubFactory(UnitFactory)
    title = factory.Sequence(lambda n: f"测试线索{n}")
    noted_on = dt.date(2024, 4, 1)
    estimated = 20_000_000

    @classmethod
    def _create(cls, model_class, *, user=None, **values) -> Lead:
        return services.add_lead(user=user, **values)


class ContactFactory(DjangoModelFactory):
    """A contact of a unit with a counterpart, logged through `log_contact` (its links to a
    project and a result receipt checked, audited)."""

    class Meta:
        model = Contact

    user = None
    unit = factory.SubFactory(UnitFactory)
    direction = ContactDirection.OUT
    occurred_on = dt.date(2024, 6, 20)
    counterpart = "省发展和改革委员会投资处"

    @classmethod
    def _create(cls, model_class, *, user=None, **values) -> Contact:
        return services.log_contact(user=user, **values)


class GuideFactory(DjangoModelFactory):
    """An application guide (申报指南) recorded by the office through `save_guide` (checked,
    numbered ZN<year>-NNN, audited), for the `units` given:
    `GuideFactory(units=[zjj], deadline=dt.date(2024, 7, 31))`."""

    class Meta:
        model = Guide

    user = None
    title = factory.Sequence(lambda n: f"测试申报指南{n}")
    issuer = "省发展和改革委员会"
    level = Level.PROVINCIAL
    published_on = dt.date(2024, 6, 10)
    deadline = dt.date(2024, 7, 31)

    @classmethod
    def _create(cls, model_class, *, user=None, units=(), **values) -> Guide:
        guide, _created = services.save_guide(user=user, units=units, **values)
        return guide


# The demo's unit of the cast (common.testing.CAST): zjj and zjj_head belong to it.
ZJJ = {"code": "ZJJ", "name": "市住房和城乡建设局"}


def team(unit: Unit | None = None) -> dict[str, User]:
    """One person per role, by the demo's usernames (common.testing.CAST) but without the
    demo: the office, a leader (李华) overseeing `unit`, its liaison officer (`zjj`) and head
    (`zjj_head`), and the three administrators. `unit` is the ZJJ unit unless given."""
    return cast_of(unit=unit or UnitFactory(**ZJJ), leader_name="李华")


def double_claim(
    *units: Unit,
    doc_nos: tuple[str, ...] = ("省财建〔2024〕701号", "省财建（2024）701 号"),
    amount: int = 8_000_000,
    on: dt.date = dt.date(2024, 8, 20),
) -> list[Receipt]:
    """A doubtful claim (design §3.1) like the demo's: each unit records the same allocation
    document (written its own way: `doc_nos` in turn) for the same money on the same day."""
    return [
        ReceiptFactory(unit=unit, amount=amount, received_on=on, doc_no=doc_nos[i % len(doc_nos)])
        for i, unit in enumerate(units)
    ]
