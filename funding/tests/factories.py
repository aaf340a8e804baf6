"""Small funding data for tests that need a channel or a project, not the whole demo."""

import factory
from factory.django import DjangoModelFactory

from funding.choices import Level, Stage
from funding.models import Channel, Project
from org.tests.factories import UnitFactory


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
