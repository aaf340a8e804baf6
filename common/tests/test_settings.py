"""Settings come from the environment and refuse bad values loudly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_check(tmp_path, **env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}}
    environment.update({"LUOSHI_DATA_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "-m", "luoshi.cli", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "env, message",
    [
        ({"LUOSHI_DEBUG": "maybe"}, "LUOSHI_DEBUG must be a boolean"),
        ({"LUOSHI_SECRET_KEY": "short"}, "at least 32 characters"),
        ({"DATABASE_URL": "mysql://u:p@localhost/db"}, "SQLite or PostgreSQL"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
    ],
)
def test_it_refuses_bad_configuration(tmp_path, env, message):
    result = run_check(tmp_path, **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_it_starts_on_the_embedded_sqlite_default(tmp_path):
    result = run_check(tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "secret_key").exists()


def test_production_settings_pass_the_deploy_check(tmp_path):
    import secrets

    # the browser fixture sets DJANGO_ALLOW_ASYNC_UNSAFE for Playwright; production does not
    unset = {"DATABASE_URL", "LUOSHI_DEMO", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment.update(
        {
            "LUOSHI_DATA_DIR": str(tmp_path),
            "LUOSHI_SECRET_KEY": secrets.token_urlsafe(60),
            "LUOSHI_HTTPS": "true",
            "LUOSHI_ALLOWED_HOSTS": "luoshi.example.gov.cn",
        }
    )
    result = subprocess.run(
        [sys.executable, "-m", "luoshi.cli", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
