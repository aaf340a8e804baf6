import pytest

from policy.tests.factories import unit_people

from .servers import RobotServer, SmtpServer, free_port


@pytest.fixture
def people(db) -> dict:
    """The office, a leader, a unit's officer (`zjj`) and head (`zjj_head`), and the unit
    (policy.tests.factories.unit_people): the demo's cast for a test that needs no more."""
    return unit_people()


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def dead_smtp_port():
    """A loopback port with nothing listening (yet): the SMTP server is down."""
    return free_port()


@pytest.fixture
def robots(settings):
    """The robot test server on loopback, named in LUOSHI_ROBOT_HOSTS as an administrator
    would name a private deployment's gateway (plain http, internal address)."""
    server = RobotServer().start()
    settings.LUOSHI_ROBOT_HOSTS = [f"http://127.0.0.1:{server.port}"]
    yield server
    server.stop()


@pytest.fixture
def mail_settings(settings):
    """E-mail goes over real SMTP to 127.0.0.1; call it with the port."""

    def configure(port: int) -> None:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5
        settings.LUOSHI_SMTP_ENABLED = True
        settings.LUOSHI_BASE_URL = "https://luoshi.example.gov.cn"

    return configure


@pytest.fixture(autouse=True)
def _robots_without_pause(settings):
    """The real robots take 20 messages a minute; the test server takes them all at once."""
    settings.LUOSHI_ROBOT_INTERVAL_SECONDS = 0
